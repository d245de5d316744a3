/**
 * A file over the destination's rows-per-import limit is sent as several imports (DESIGN.md
 * "Destination profiles"): each import a destination source of its own, its chunks never mixing
 * rows of two imports. The outbox keeps one sequence of chunks; each chunk belongs to the import
 * its first row falls in.
 */
import { buildChunks, type BuiltChunk, type ChunkLimits, type UploadRow } from './chunks';

/** Rows per import: the sizes of the imports `total` valid rows are sent as (one when no limit). */
export function partSizes(total: number, rowsPerPart: number | null): number[] {
	if (rowsPerPart === null || total <= rowsPerPart) return [total];
	const sizes: number[] = [];
	for (let left = total; left > 0; left -= rowsPerPart) sizes.push(Math.min(rowsPerPart, left));
	return sizes;
}

/** The import a chunk belongs to: the last one whose first row is at or before the chunk's first row. */
export function partOfRow(partStarts: readonly number[], row: number): number {
	let part = 0;
	while (part + 1 < partStarts.length && partStarts[part + 1] <= row) part++;
	return part;
}

/**
 * buildChunks over each import's rows in turn, seq counting on from one import to the next, so a
 * chunk never holds rows of two imports. Without a limit, exactly buildChunks.
 */
export async function* buildChunksInParts(
	rows: AsyncIterable<UploadRow>,
	limits: ChunkLimits,
	rowsPerPart: number | null
): AsyncGenerator<BuiltChunk> {
	if (rowsPerPart === null) {
		yield* buildChunks(rows, limits);
		return;
	}
	const iterator = rows[Symbol.asyncIterator]();
	// The row read ahead: the first of the next import once one is full.
	let next = await iterator.next();
	const part = async function* () {
		for (let taken = 0; taken < rowsPerPart && !next.done; taken++) {
			yield next.value;
			next = await iterator.next();
		}
	};
	let seq = 0;
	while (!next.done)
		for await (const chunk of buildChunks(part(), limits)) yield { ...chunk, seq: seq++ };
}
