import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../../src/lib/core/errors';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import { inverseStep } from '../../../src/lib/core/edits/overlay';
import { ImportSession } from '../../../src/lib/pipeline/session';

const OPTIONS = { dateOrder: 'mdy' as const, defaultRegion: 'US', now: Date.UTC(2026, 0, 1) };
const CSV = [
	'user_id,email,name',
	'u1,ada@example.com,Ada',
	'u2,broken,Bob',
	'u3,ada@example.com,Cy',
	'u4,dee@old.example,Dee',
	'u5,eve@old.example,Eve',
	''
].join('\n');
const MAPPING = ['user_id' as const, 'email' as const, 'name' as const];

async function scanned(): Promise<ImportSession> {
	const session = await ImportSession.open(new Blob([CSV]), 'users.csv', {
		profile: REFERENCE_PROFILE
	});
	await session.scan({ mapping: MAPPING, profile: REFERENCE_PROFILE, options: OPTIONS });
	return session;
}

describe('edits in the import session', () => {
	it('re-judges an edited cell at once and reads the row with its edit everywhere', async () => {
		const session = await scanned();
		expect(session.summary()).toMatchObject({ valid: 3, invalid: 2, edited: 0 });
		const fixed = await session.editRow(1, { 1: 'bob@example.com' });
		expect(fixed.summary).toMatchObject({ valid: 4, invalid: 1, edited: 1 });
		const [row] = await session.rows(1, 1);
		expect(row).toMatchObject({
			fields: ['u2', 'bob@example.com', 'Bob'],
			edited: [1],
			issues: []
		});

		// Row 3 stops repeating row 1's email; then row 2 repeats row 1's user_id.
		await session.editRow(2, { 1: 'cy@example.com' });
		const duplicate = await session.editRow(1, { 0: 'u1' });
		expect(duplicate.summary).toMatchObject({ valid: 4, invalid: 1, duplicateRows: 1 });
		const { rows } = await session.filteredRows(~0, 0, 10);
		expect(rows.map((r) => r.row)).toEqual([1]);
		expect(rows[0].reasons.map((reason) => reason.message)).toEqual([
			'user_id repeats row 1; only the first is imported.'
		]);
	});

	it('drops rows: not counted, not uploaded, listed as dropped; an undo takes a step back', async () => {
		const session = await scanned();
		const drop = await session.dropRows([1]);
		expect(drop.summary).toMatchObject({ rows: 4, valid: 3, invalid: 1, dropped: 1 });
		const valid = await session.validRows(0, 10);
		expect(valid.rows.map((r) => r.row)).toEqual([1, 4, 5]);
		expect((await session.droppedRows(0, 10)).rows.map((r) => r.row)).toEqual([1]);
		const undone = await session.setEdits(
			inverseStep(drop.step).changes.map(({ row, after }) => ({ row, edit: after }))
		);
		expect(undone).toMatchObject({ rows: 5, valid: 3, invalid: 2, dropped: 0 });
	});

	it('replaces in a column by pattern, previews the count, uploads the new values', async () => {
		const session = await scanned();
		const spec = {
			column: 1,
			mode: 'pattern' as const,
			find: '@old\\.example$',
			replacement: '@new.example'
		};
		const progress: number[] = [];
		const preview = await session.replaceInColumn(spec, false, undefined, (p) =>
			progress.push(p.rows)
		);
		expect(preview).toEqual({ matches: 2, outcome: null });
		expect(progress.at(-1)).toBe(5);
		const { outcome } = await session.replaceInColumn(spec, true);
		expect(outcome?.summary.edited).toBe(2);
		const valid = await session.validRows(0, 10);
		expect(valid.rows.map((r) => r.record.email)).toContain('dee@new.example');

		const bad = await session.replaceInColumn({ ...spec, find: '(' }, false).catch((e) => e);
		expect(isFerryError(bad) && bad.code).toBe('invalid_pattern');
	});

	it('keeps the edits through a new scan (another mapping judges them again)', async () => {
		const session = await scanned();
		await session.editRow(1, { 1: 'bob@example.com' });
		const summary = await session.scan({
			mapping: MAPPING,
			profile: REFERENCE_PROFILE,
			options: OPTIONS
		});
		expect(summary).toMatchObject({ valid: 4, invalid: 1, edited: 1 });
	});
});

describe('the failure report with edits', () => {
	it('pages the invalid rows, then the dropped ones, with the edited values', async () => {
		const session = await scanned();
		await session.editRow(2, { 2: 'Cy Edited' });
		await session.dropRows([4]);
		const first = await session.reportRows(0, 1);
		expect(first.total).toBe(3);
		expect(first.rows.map((r) => r.row)).toEqual([1]);
		const rest = await session.reportRows(1, 10);
		expect(rest.rows.map((r) => [r.row, r.fields[2], r.reasons[0].code])).toEqual([
			[2, 'Cy Edited', 'duplicate_email'],
			[4, 'Eve', 'dropped']
		]);
	});
});
