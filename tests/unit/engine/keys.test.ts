import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../../../src/lib/core/engine/keys';
import { RowLinks } from '../../../src/lib/core/validate/links';
import { random } from './helpers';

describe('KeyIndex', () => {
	it('answers the first row of each key, and -1 the first time', () => {
		const index = new KeyIndex();
		const cases = [
			{ key: [1, 2, 3], row: 0, expected: -1 },
			{ key: [1, 2, 3], row: 1, expected: 0 },
			{ key: [1, 2, 4], row: 2, expected: -1 }, // same hashes, another length
			{ key: [1, 3, 3], row: 3, expected: -1 },
			{ key: [2, 2, 3], row: 4, expected: -1 },
			{ key: [1, 2, 4], row: 5, expected: 2 },
			{ key: [1, 2, 3], row: 6, expected: 0 }
		];
		for (const { key, row, expected } of cases)
			expect(index.firstOf(key[0], key[1], key[2], row), `row ${row}`).toBe(expected);
		expect(index.size).toBe(4);
	});

	it('keeps every key through its growth, colliding slots included', () => {
		const next = random(5);
		const index = new KeyIndex();
		const firsts = new Map<string, number>();
		for (let row = 0; row < 60_000; row++) {
			// Few distinct h1 values: many keys probe past each other.
			const key = [Math.floor(next() * 64), Math.floor(next() * 2000) >>> 0, 1 + (row % 3)];
			const name = key.join(',');
			const expected = firsts.get(name) ?? -1;
			if (expected < 0) firsts.set(name, row);
			expect(index.firstOf(key[0], key[1], key[2], row)).toBe(expected);
		}
		expect(index.size).toBe(firsts.size);
	});
});

describe('KeyIndex.firstsOf', () => {
	/** Rows of [h1, h2, length] × 2 (user_id, email), as the row kernel hands them over. */
	function kernelKeys(rows: number, seed: number): Uint32Array {
		const next = random(seed);
		const keys = new Uint32Array(rows * 6);
		for (let row = 0; row < rows; row++)
			for (const at of [0, 3]) {
				// A few hundred distinct keys, some rows without one (length 0).
				const value = Math.floor(next() * 300);
				keys[row * 6 + at] = (value * 0x9e3779b1) >>> 0;
				keys[row * 6 + at + 1] = (value * 0x85ebca6b + 7) >>> 0;
				keys[row * 6 + at + 2] = value % 17 === 0 ? 0 : 1 + (value % 5);
			}
		return keys;
	}

	/** The first row of each key, in a Map: what the index must answer. */
	function expectedFirsts(keys: Uint32Array, at: number): Int32Array {
		const firsts = new Map<string, number>();
		const answers = new Int32Array(keys.length / 6);
		for (let row = 0; row < answers.length; row++) {
			const key = keys.subarray(row * 6 + at, row * 6 + at + 3);
			if (key[2] === 0) answers[row] = -1;
			else {
				const name = key.join(',');
				answers[row] = firsts.get(name) ?? -1;
				if (!firsts.has(name)) firsts.set(name, row);
			}
		}
		return answers;
	}

	const cases = [
		{ name: 'unsized, grown from the smallest table', reserve: 0, ranges: [5000, 1, 2000, 7] },
		{ name: 'sized for fewer rows than come', reserve: 1000, ranges: [1500, 1500, 4000] },
		{ name: 'sized for every row', reserve: 9000, ranges: [128, 129, 3000, 5743] }
	];
	for (const { name, reserve, ranges } of cases)
		it(`answers each row's first row by range: ${name}`, () => {
			const rows = ranges.reduce((sum, count) => sum + count, 0);
			const keys = kernelKeys(rows, rows + reserve);
			for (const at of [0, 3]) {
				const index = new KeyIndex();
				if (reserve) index.reserve(reserve);
				const answers = new Int32Array(rows);
				let row = 0;
				for (const count of ranges) {
					index.firstsOf(keys.subarray(row * 6), at, 6, count, row, answers.subarray(row));
					row += count;
				}
				expect(answers).toEqual(expectedFirsts(keys, at));
				// find answers as recorded, and records nothing.
				const size = index.size;
				for (let r = 0; r < rows; r += 97) {
					const [h1, h2, length] = keys.subarray(r * 6 + at, r * 6 + at + 3);
					if (length === 0) continue;
					expect(index.find(h1, h2, length)).toBe(answers[r] < 0 ? r : answers[r]);
				}
				expect(index.find(1, 2, 3)).toBe(-1);
				expect(index.size).toBe(size);
			}
		});

	it('refuses rows given out of order', () => {
		const index = new KeyIndex();
		const into = new Int32Array(4);
		index.firstsOf(new Uint32Array([1, 2, 3, 4, 5, 6]), 0, 3, 2, 10, into);
		expect(() => index.firstsOf(new Uint32Array([1, 2, 3]), 0, 3, 1, 11, into)).toThrow(RangeError);
		expect(() => index.firstOf(1, 2, 3, 12)).not.toThrow();
	});
});

describe('RowLinks', () => {
	// Rows 2 and 3 repeat row 0's user_id and email; row 4 repeats row 1's email only.
	const links = new RowLinks(new Uint32Array([0, 0, 1, 1, 0]), new Uint32Array([0, 0, 1, 0, 2]), 3);

	it('reads like a Map from row to first row, user_id before email', () => {
		expect(links.size).toBe(3);
		expect([...links]).toEqual([
			[2, 0],
			[3, 0],
			[4, 1]
		]);
		expect([links.get(0), links.get(4), links.has(1), links.has(3)]).toEqual([
			undefined,
			1,
			false,
			true
		]);
		expect([links.firstUserIdOf(4), links.firstEmailOf(4), links.firstEmailOf(3)]).toEqual([
			undefined,
			1,
			undefined
		]);
		expect([...links.keys()]).toEqual([2, 3, 4]);
		expect([...links.values()]).toEqual([0, 0, 1]);
	});

	it('compares by content', () => {
		const other = new RowLinks(
			new Uint32Array([0, 0, 1, 1, 0]),
			new Uint32Array([0, 0, 1, 0, 0]),
			2
		);
		expect(links).not.toEqual(other);
	});
});
