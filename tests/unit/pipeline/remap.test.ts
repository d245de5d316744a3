import { describe, expect, it } from 'vitest';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import type { ScanEngine } from '../../../src/lib/core/engine/types';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import type { Mapping } from '../../../src/lib/core/types';
import { ImportSession, type ScanCall } from '../../../src/lib/pipeline/session';

const OPTIONS = { dateOrder: 'dmy' as const, defaultRegion: 'US', now: Date.UTC(2026, 0, 1) };

const CSV = [
	'user_id,email,name,locale,created_at,notes',
	'1,ada@example.com,Ada,en-GB,2020-01-02,VIP',
	`2,bob@example.com,${'B'.repeat(1100)},xx_1,2020-01-03,${'n'.repeat(1100)}`,
	'3,,Cy,fr,2031-01-01,',
	'4,ada@example.com,Di\u0007,de,3/4/2020,"two\nlines"',
	'5,eve@example.com,,not a tag,,'
].join('\n');

/** The reference engine, noting the mapping of every scan it makes. */
function noting(): { engine: ScanEngine; mappings: Mapping[] } {
	const mappings: Mapping[] = [];
	return {
		mappings,
		engine: {
			name: referenceEngine.name,
			scan: (request) => {
				mappings.push(request.mapping);
				return referenceEngine.scan(request);
			}
		}
	};
}

async function opened(engine: ScanEngine = referenceEngine) {
	return ImportSession.open(new Blob([CSV]), 'users.csv', { profile: REFERENCE_PROFILE, engine });
}

/** What a fresh session says of the same file and call: a whole scan. */
async function fresh(call: ScanCall, edit?: { row: number; values: Record<number, string> }) {
	const session = await opened();
	await session.scan(call);
	if (edit) await session.editRow(edit.row, edit.values);
	return { summary: session.summary(), rows: await session.filteredRows(~0, 0, 10) };
}

describe('ImportSession: a mapping change re-checks one column', () => {
	it('checks only the changed column, with the counts and reasons of a whole scan', async () => {
		const { engine, mappings } = noting();
		const session = await opened(engine);
		const mapping = session.preview.proposals.map((proposal) => proposal.field);
		expect(mapping).toEqual(['user_id', 'email', 'name', 'locale', 'registration_date', null]);
		await session.scan({ mapping, profile: REFERENCE_PROFILE, options: OPTIONS });
		for (const [column, field] of [
			[5, 'nickname'],
			[2, null],
			[3, 'picture'],
			[5, 'locale']
		] as const) {
			const call = {
				mapping: mapping.with(column, field),
				profile: REFERENCE_PROFILE,
				options: OPTIONS
			};
			const before = mappings.length;
			const summary = await session.scan(call);
			// One scan, mapping that column alone (none at all for a column left unmapped).
			expect(mappings.slice(before)).toEqual(
				field ? [call.mapping.map((f, c) => (c === column ? f : null))] : []
			);
			const whole = await fresh(call);
			expect(summary).toEqual(whole.summary);
			expect(await session.filteredRows(~0, 0, 10)).toEqual(whole.rows);
			mapping.splice(0, mapping.length, ...call.mapping);
		}
	});

	it('scans the whole file for keys, dates, several columns, other options or profiles', async () => {
		const { engine, mappings } = noting();
		const session = await opened(engine);
		const mapping = session.preview.proposals.map((proposal) => proposal.field);
		const call = { mapping, profile: REFERENCE_PROFILE, options: OPTIONS };
		await session.scan(call);
		for (const next of [
			{ ...call, mapping: mapping.with(1, 'nickname') },
			{ ...call, mapping: mapping.with(4, null) },
			{ ...call, mapping: mapping.with(2, null).with(5, 'nickname') },
			{ ...call, options: { ...OPTIONS, now: OPTIONS.now + 1 } },
			{ ...call, maxRows: 2 }
		]) {
			const before = mappings.length;
			const summary = await session.scan(next);
			expect(mappings.slice(before)).toEqual([next.mapping]);
			expect(summary).toEqual((await fresh(next)).summary);
			await session.scan(call);
		}
	});

	it('judges the edits again after the re-check', async () => {
		const session = await opened();
		const mapping = session.preview.proposals.map((proposal) => proposal.field);
		await session.scan({ mapping, profile: REFERENCE_PROFILE, options: OPTIONS });
		const edit = { row: 0, values: { 5: 'x'.repeat(1100), 2: 'Ada\u0001' } };
		await session.editRow(edit.row, edit.values);
		const call = {
			mapping: mapping.with(5, 'nickname'),
			profile: REFERENCE_PROFILE,
			options: OPTIONS
		};
		const summary = await session.scan(call);
		const whole = await fresh(call, edit);
		expect(summary).toEqual(whole.summary);
		expect(summary.edited).toBe(1);
		expect(await session.filteredRows(~0, 0, 10)).toEqual(whole.rows);
	});
});
