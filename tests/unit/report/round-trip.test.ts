import { describe, expect, it } from 'vitest';
import { reportCsv } from '../../../src/lib/core/report/csv';
import { invalidRow, refusedRow } from '../../../src/lib/core/report/rows';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import { ImportSession } from '../../../src/lib/pipeline/session';
import { loadEngines } from '../engine/helpers';

const OPTIONS = { dateOrder: 'dmy' as const, defaultRegion: 'US', now: Date.UTC(2026, 0, 1) };

const COLUMNS = ['user_id', 'email', 'name', 'phone_number', 'note'];
/** The source's rows as the admin's export had them: phone numbers, a cell that really starts with '=. */
const ORIGINALS = [
	['u1', 'ann@example.com', 'Ann', '+14155550100', 'plain'],
	['u2', 'bob@example.com', 'Bob', '+14155550101', "'=not a formula"],
	['u3', 'cy@example.com', '-Cy-', '+14155550102', 'first line\n=second line'],
	['u4', 'dee@example.com', 'Dee', '+14155550103', '@handle']
];

/** The failure report Ferry writes for those rows, with the real writer. */
function failureReport(): string {
	const rows = ORIGINALS.map((fields, index) =>
		index % 2 === 0
			? refusedRow(
					index + 1,
					index + 2,
					COLUMNS,
					fields,
					'not_found',
					'No account with this email.'
				)
			: invalidRow(index + 1, index + 2, COLUMNS, fields, [
					{ code: 'invalid_phone', message: '=Not a phone' }
				])
	);
	return reportCsv(COLUMNS, rows);
}

async function reopened(engine?: Awaited<ReturnType<typeof loadEngines>>['simd']) {
	const session = await ImportSession.open(new Blob([failureReport()]), 'report.csv', {
		profile: REFERENCE_PROFILE,
		engine
	});
	const mapping = session.preview.proposals.map((proposal) => proposal.field);
	const summary = await session.scan({ mapping, profile: REFERENCE_PROFILE, options: OPTIONS });
	return { session, mapping, summary };
}

describe('a failure report read back by Ferry', () => {
	it('is recognised, its protection taken off, its values the originals', async () => {
		const { session, mapping, summary } = await reopened();
		const { layout, rows, notices } = session.preview;
		expect(layout.preset).toBe('ferry-failure-report');
		expect(layout.columns).toEqual(['row', 'line', 'status', 'reasons', 'messages', ...COLUMNS]);
		// The report's own columns are not imported; the source's map as they did.
		expect(mapping.slice(0, 5)).toEqual([null, null, null, null, null]);
		expect(mapping.slice(5)).toEqual(['user_id', 'email', 'name', 'phone_number', null]);
		// 4 phones, "'=not…", "-Cy-", "…\n=second", "@handle" and 2 "=Not a phone" messages.
		expect(notices).toContain(
			'Ferry failure report: 10 values un-escaped (the quote its formula protection added is taken off).'
		);
		expect(rows.map((row) => row.fields.slice(5))).toEqual(ORIGINALS);
		expect(rows[1].fields[4]).toBe('=Not a phone');

		const read = await session.rows(0, ORIGINALS.length);
		expect(read.map((row) => row.fields.slice(5))).toEqual(ORIGINALS);
		// The phone numbers validate again, as in the source file.
		expect(summary.invalid).toBe(0);
		expect(summary.issueCounts['invalid_phone'] ?? 0).toBe(0);
		const valid = await session.validRows(0, 10);
		expect(valid.rows.map((row) => row.record.phone_number)).toEqual([
			'+14155550100',
			'+14155550101',
			'+14155550102',
			'+14155550103'
		]);
	});

	it('writes the same report again when its rows fail again (a second round trip)', async () => {
		const { session } = await reopened();
		const rows = await session.rows(0, ORIGINALS.length);
		const again = rows.map((row) =>
			refusedRow(row.row + 1, row.line, COLUMNS, row.fields.slice(5), 'not_found')
		);
		expect(reportCsv(COLUMNS, again)).toContain(",'+14155550100,plain\r\n");
		expect(reportCsv(COLUMNS, again)).toContain(",''=not a formula\r\n");
	});

	it('reads the same in the WebAssembly engine as in the reference engine', async () => {
		const engines = await loadEngines();
		const reference = await reopened();
		for (const engine of [engines.simd, engines.scalar]) {
			const accelerated = await reopened(engine);
			expect(accelerated.summary).toEqual({ ...reference.summary, engine: 'js' });
			expect(await accelerated.session.rows(0, 10)).toEqual(await reference.session.rows(0, 10));
		}
	});
});
