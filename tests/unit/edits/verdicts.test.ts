import { beforeAll, describe, expect, it } from 'vitest';
import { pick, seededRandom } from '../../helpers/random';
import { loadEngines, OPTIONS, prepareFile, utf8 } from '../engine/helpers';
import { HASHES } from '../identity/fixtures';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import type { ScanEngine, ScanResult } from '../../../src/lib/core/engine/types';
import {
	applyEdits,
	withCell,
	withDropped,
	type RowEdit
} from '../../../src/lib/core/edits/overlay';
import type { EditedVerdicts } from '../../../src/lib/core/edits/verdicts';
import { editedVerdictsOf } from './helpers';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import type { Mapping } from '../../../src/lib/core/types';

const COLUMNS = [
	'user_id',
	'email',
	'name',
	'signed_up',
	'last_login',
	'verified',
	'locale',
	'password_hash'
];
const MAPPING: Mapping = [
	'user_id',
	'email',
	'name',
	'registration_date',
	'last_login_date',
	'email_verified',
	'locale',
	'password_hash'
];
// Small pools, so duplicates, invalid values and fixes all happen. Slash dates carry no evidence
// of their order (both parts ≤ 12): an edit keeps the column order the scan resolved (a known limit).
const POOLS: string[][] = [
	['u1', 'u2', 'u3', 'u4', ' u1 ', '', 'u5', 'u6', 'u7', 'u8', 'u9', 'u10', 'u11', 'u12'],
	[
		'a@x.com',
		'A@X.com',
		'b@x.com',
		'c@x.org',
		'bad',
		'',
		' b@x.com',
		'd@x.net',
		'e@x.io',
		'f@x.de'
	],
	['Ada', '', 'Bo "B" Li', 'Cy, Jr', 'Dee'],
	['2021-03-04', '03/04/2021', '2031-01-01', '2021-13-01', '', '1614816000', '2019-01-01'],
	['2020-01-01', '2022-05-05', '05/06/2021', 'never', '', '', ''],
	['yes', 'no', 'maybe', '', '1', 'true', 'n'],
	['en', 'en-US', 'xx_YY_ZZ', '', '', 'fr'],
	// The census follows the edits: algorithms, a hash that does not parse, one of no known shape.
	[HASHES.md5, HASHES.bcrypt2a, HASHES.bcrypt2b, '', '', '$2a$10$short', 'not a hash']
];

function csvCell(value: string): string {
	return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csv(rows: string[][]): Uint8Array {
	return utf8([COLUMNS, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n');
}

function randomRows(next: () => number, count: number): string[][] {
	return Array.from({ length: count }, () => {
		const row = POOLS.map((pool) => pick(next, pool));
		// A ragged row now and then: its extra field stays through edits.
		if (next() < 0.05) row.push('extra');
		return row;
	});
}

async function scan(engine: ScanEngine, rows: string[][]): Promise<ScanResult> {
	const prepared = await prepareFile(csv(rows), { mapping: MAPPING });
	return engine.scan(prepared.request);
}

function editedVerdicts(result: ScanResult): EditedVerdicts {
	return editedVerdictsOf(result, {
		profile: REFERENCE_PROFILE,
		mapping: MAPPING,
		columns: COLUMNS,
		options: OPTIONS
	});
}

/** The verdicts after edits must be those of the file written with the edits applied. */
async function expectSameAsEditedFile(
	engine: ScanEngine,
	rows: string[][],
	overlay: Map<number, RowEdit>,
	verdicts: EditedVerdicts
): Promise<void> {
	const kept: number[] = [];
	rows.forEach((_, row) => {
		if (!overlay.get(row)?.dropped) kept.push(row);
	});
	const edited = kept.map((row) => applyEdits(rows[row], overlay.get(row)));
	const fresh = await scan(engine, edited);
	const newIndex = new Map(kept.map((row, index) => [row, index]));
	const newRow = (row: number | undefined) => (row === undefined ? undefined : newIndex.get(row));
	kept.forEach((row, index) => {
		const context = `row ${row} (now ${index}) ${JSON.stringify(edited[index])}`;
		expect(verdicts.masks[row], context).toBe(fresh.rowIssues[index]);
		expect(newRow(verdicts.firstOf('user_id', row)), context).toBe(
			fresh.duplicateOf.firstUserIdOf(index)
		);
		expect(newRow(verdicts.firstOf('email', row)), context).toBe(
			fresh.duplicateOf.firstEmailOf(index)
		);
	});
	const { edited: _edited, dropped, ...counts } = verdicts.counts;
	expect(counts).toEqual({
		rows: fresh.rows,
		valid: fresh.valid,
		invalid: fresh.invalid,
		warnings: fresh.warnings,
		validWithWarnings: fresh.validWithWarnings,
		issueCounts: fresh.issueCounts,
		duplicateRows: fresh.duplicateOf.size,
		credentials: fresh.credentials
	});
	expect(dropped).toBe(rows.length - kept.length);
}

async function randomEdits(engine: ScanEngine, seed: number) {
	const next = seededRandom(seed);
	const rows = randomRows(next, 20 + Math.floor(next() * 60));
	const verdicts = editedVerdicts(await scan(engine, rows));
	const overlay = new Map<number, RowEdit>();
	for (let step = 0; step < 40; step++) {
		const row = Math.floor(next() * rows.length);
		const current = overlay.get(row);
		const roll = next();
		let edit: RowEdit | null;
		if (roll < 0.65) {
			const column = Math.floor(next() * COLUMNS.length);
			edit = withCell(current, column, pick(next, POOLS[column]), rows[row][column] ?? '');
		} else if (roll < 0.85) edit = withDropped(current, !current?.dropped);
		else edit = null;
		if (edit) overlay.set(row, edit);
		else overlay.delete(row);
		verdicts.set(row, edit, { fields: rows[row], fieldCount: rows[row].length });
		if (step % 10 === 9) await expectSameAsEditedFile(engine, rows, overlay, verdicts);
	}
	return verdicts.counts;
}

describe('validation after edits equals validation of the edited file', () => {
	let engines: { name: string; engine: ScanEngine }[];
	beforeAll(async () => {
		const loaded = await loadEngines();
		engines = [
			{ name: 'reference', engine: referenceEngine },
			{ name: 'wasm-simd', engine: loaded.simd },
			{ name: 'wasm (tiny ranges)', engine: await loaded.ranged(97) }
		];
	}, 120_000);

	for (const name of ['reference', 'wasm-simd', 'wasm (tiny ranges)'])
		it(`in the ${name} engine, over random edits and drops`, async () => {
			const { engine } = engines.find((entry) => entry.name === name)!;
			let valid = 0;
			let duplicates = 0;
			for (let seed = 1; seed <= 25; seed++) {
				const counts = await randomEdits(engine, seed);
				valid += counts.valid;
				duplicates += counts.duplicateRows;
			}
			// The generated files are a mix, not all invalid.
			expect(valid).toBeGreaterThan(25);
			expect(duplicates).toBeGreaterThan(25);
		}, 120_000);

	it('a fixed row becomes valid; a repeat made by an edit becomes a duplicate; the first stays valid', async () => {
		const rows = [
			['u1', 'a@x.com', 'A', '', '', '', ''],
			['u2', 'bad', 'B', '', '', '', ''],
			['u3', 'a@x.com', 'C', '', '', '', '']
		];
		const verdicts = editedVerdicts(await scan(referenceEngine, rows));
		expect(verdicts.counts.invalid).toBe(2);
		const original = (row: number) => ({ fields: rows[row], fieldCount: rows[row].length });
		// Row 3 no longer repeats row 1's email.
		verdicts.set(2, withCell(null, 1, 'c@x.com', 'a@x.com'), original(2));
		expect(verdicts.firstOf('email', 2)).toBeUndefined();
		// Row 2 is fixed, then made to repeat row 1's user_id.
		verdicts.set(1, withCell(null, 1, 'b@x.com', 'bad'), original(1));
		expect(verdicts.counts).toMatchObject({ valid: 3, invalid: 0, edited: 2 });
		verdicts.set(1, withCell(verdicts.edit(1), 0, 'u1', 'u2'), original(1));
		expect(verdicts.firstOf('user_id', 1)).toBe(0);
		expect(verdicts.firstOf('user_id', 0)).toBeUndefined();
		expect(verdicts.counts).toMatchObject({ valid: 2, invalid: 1, duplicateRows: 1 });
		// Dropping the first makes the repeat the first: valid again.
		verdicts.set(0, withDropped(null, true), original(0));
		expect(verdicts.firstOf('user_id', 1)).toBeUndefined();
		expect(verdicts.counts).toMatchObject({ rows: 2, valid: 2, dropped: 1, duplicateRows: 0 });
	});
});
