import { beforeAll, describe, expect, it } from 'vitest';
import { KeyIndex } from '../../../src/lib/core/engine/keys';
import type { ScanEngine } from '../../../src/lib/core/engine/types';
import {
	EXPORT_HEADER,
	expectSameAsReference,
	loadEngines,
	pick,
	prepareFile,
	random,
	utf8,
	type Engines
} from './helpers';

let engines: Engines;
const ranged = new Map<number, ScanEngine>();
beforeAll(async () => {
	engines = await loadEngines();
});

async function rangedEngine(rangeSize: number): Promise<ScanEngine> {
	let engine = ranged.get(rangeSize);
	if (!engine) ranged.set(rangeSize, (engine = await engines.ranged(rangeSize)));
	return engine;
}

/**
 * Short rows whose user_ids and emails come from small spaces, so that most rows repeat a key of
 * a row a few ranges back and some of a row in their own range; emails repeat in other cases and
 * with spaces (one key once normalised), some rows have no key, and dates are exact or slash
 * dates (the merge hands each row's date slots on by their offset in the range's result).
 */
function duplicateHeavyExport(seed: number, rows: number): string {
	const next = random(seed);
	const lines = [EXPORT_HEADER.join(',')];
	for (let row = 0; row < rows; row++) {
		const id = next() < 0.1 ? '' : String(1 + Math.floor(next() * rows * 0.6));
		const user = Math.floor(next() * rows * 0.5);
		const email = pick(next, [`u${user}@x.io`, `U${user}@X.io`, ` u${user}@x.io `, '', 'bad']);
		const day = 1 + Math.floor(next() * 28);
		const created = pick(next, [`${day}/3/2022`, `3/${day}/2022`, '2023-01-05', '2031-01-01', '']);
		const login = pick(next, ['2022-01-01', '2024-05-01T08:30:00Z', '']);
		lines.push([id, email, 'Ada', '', created, login, 'true', ''].join(','));
	}
	return lines.join(pick(next, ['\n', '\r\n']));
}

describe('the range merge: duplicates across range boundaries', () => {
	it.each([1, 2, 3, 5, 8, 13, 29, 64, 200])(
		'ranges of %i bytes give the reference verdicts',
		async (rangeSize) => {
			for (const seed of [1, 2, 3]) {
				const prepared = await prepareFile(utf8(duplicateHeavyExport(seed, 300)));
				const label = `seed ${seed}, ranges of ${rangeSize}`;
				const actual = await expectSameAsReference(await rangedEngine(rangeSize), prepared, label);
				if (!('result' in actual)) throw new Error(`${label} did not scan`);
				const { issueCounts, duplicateOf, rows } = actual.result;
				// The file must hold what the test is about: many duplicates of both keys.
				expect(rows, label).toBe(300);
				expect(issueCounts.duplicate_user_id, label).toBeGreaterThan(50);
				expect(issueCounts.duplicate_email, label).toBeGreaterThan(50);
				expect(duplicateOf.size, label).toBeGreaterThan(100);
			}
		},
		60_000
	);
});

describe('KeyIndex.firstsOf', () => {
	it('answers as firstOf row by row, rows without a key and the table growing included', () => {
		const next = random(11);
		const stride = 6;
		const rows = 20_000;
		const keys = new Uint32Array(rows * stride);
		for (let row = 0; row < rows; row++) {
			// Few distinct h1 values: keys probe past each other; about 3,800 keys, so the table grows;
			// length 0 is no key.
			keys[row * stride] = Math.floor(next() * 64);
			keys[row * stride + 1] = Math.floor(next() * 20) * 0x10001;
			keys[row * stride + 2] = next() < 0.1 ? 0 : 1 + (row % 3);
		}
		const oneByOne = new KeyIndex();
		const expected = Array.from({ length: rows }, (_, row) => {
			const at = row * stride;
			return keys[at + 2] === 0 ? -1 : oneByOne.firstOf(keys[at], keys[at + 1], keys[at + 2], row);
		});
		const batched = new KeyIndex();
		const answers = new Int32Array(rows);
		// Runs of uneven lengths, as ranges come, each starting at its first row's number.
		for (let from = 0; from < rows;) {
			const count = Math.min(rows - from, 1 + Math.floor(next() * 700));
			batched.firstsOf(
				keys.subarray(from * stride),
				0,
				stride,
				count,
				from,
				answers.subarray(from)
			);
			from += count;
		}
		expect(Array.from(answers)).toEqual(expected);
		expect(batched.size).toBe(oneByOne.size);
		expect(expected.filter((first) => first >= 0).length).toBeGreaterThan(rows / 2);
	});
});
