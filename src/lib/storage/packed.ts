/** Map row → first row, as the flat pairs the verdicts record stores. */
export function packDuplicates(duplicateOf: ReadonlyMap<number, number>): Uint32Array {
	const pairs = new Uint32Array(duplicateOf.size * 2);
	let i = 0;
	for (const [row, firstRow] of duplicateOf) {
		pairs[i++] = row;
		pairs[i++] = firstRow;
	}
	return pairs;
}

export function unpackDuplicates(pairs: Uint32Array): Map<number, number> {
	const duplicateOf = new Map<number, number>();
	for (let i = 0; i + 1 < pairs.length; i += 2) duplicateOf.set(pairs[i], pairs[i + 1]);
	return duplicateOf;
}

/**
 * The array itself when it owns its whole buffer, else a right-sized copy: IndexedDB clones the
 * entire underlying ArrayBuffer, so a view into a larger buffer would store the slack too.
 */
export function ownBuffer<T extends Uint32Array | Float64Array | Uint8Array>(array: T): T {
	return array.byteOffset === 0 && array.byteLength === array.buffer.byteLength
		? array
		: (array.slice() as T);
}
