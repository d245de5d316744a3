import { describe, expect, it } from 'vitest';
import type { UploadRow } from '../../../src/lib/upload/chunks';
import { buildChunksInParts, partOfRow, partSizes } from '../../../src/lib/upload/parts';

async function* rowsOf(count: number): AsyncGenerator<UploadRow> {
	// Every other data row is invalid: row numbers are not the valid rows' ordinals.
	for (let i = 0; i < count; i++) yield { row: 2 * i + 1, record: { email: `u${i}@example.com` } };
}

const LIMITS = { rowsPerChunk: 3, bytesPerChunk: 1 << 20 };

describe('splitting a file over the rows-per-import limit', () => {
	it.each([
		{ total: 12_400, perPart: 10_000, sizes: [10_000, 2_400] },
		{ total: 10_000, perPart: 10_000, sizes: [10_000] },
		{ total: 20_001, perPart: 10_000, sizes: [10_000, 10_000, 1] },
		{ total: 5, perPart: null, sizes: [5] },
		{ total: 0, perPart: 10, sizes: [0] }
	])('$total rows at $perPart per import: $sizes', ({ total, perPart, sizes }) => {
		expect(partSizes(total, perPart)).toEqual(sizes);
	});

	it.each([
		{ row: 1, part: 0 },
		{ row: 14, part: 0 },
		{ row: 15, part: 1 },
		{ row: 40, part: 2 }
	])('row $row belongs to import $part', ({ row, part }) => {
		expect(partOfRow([1, 15, 31], row)).toBe(part);
	});

	it.each([
		{ rows: 10, perPart: 4, chunks: [[1, 3, 5], [7], [9, 11, 13], [15], [17, 19]] },
		{ rows: 8, perPart: 4, chunks: [[1, 3, 5], [7], [9, 11, 13], [15]] },
		{ rows: 7, perPart: null, chunks: [[1, 3, 5], [7, 9, 11], [13]] },
		{ rows: 0, perPart: 4, chunks: [] }
	])(
		'$rows rows, $perPart per import: no chunk mixes two imports',
		async ({ rows, perPart, chunks }) => {
			const built = [];
			for await (const chunk of buildChunksInParts(rowsOf(rows), LIMITS, perPart))
				built.push(chunk);
			expect(built.map((chunk) => chunk.rows)).toEqual(chunks);
			expect(built.map((chunk) => chunk.seq)).toEqual(chunks.map((_, i) => i));
		}
	);
});
