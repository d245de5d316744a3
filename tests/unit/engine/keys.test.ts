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
