/**
 * Row → the first earlier row with its user_id (or, failing that, its email), for the rows that
 * have one: a read-only Map over two per-row typed arrays, since a file can repeat millions of
 * emails and a Map's entries would cost ten times as much.
 */
export class RowLinks implements ReadonlyMap<number, number> {
	constructor(
		/** Per row: the first row with the same user_id, plus one (0 = none); empty when none has one. */
		readonly firstUserIds: Uint32Array,
		/** Per row: the first row with the same email, plus one (0 = none); empty when none has one. */
		readonly firstEmails: Uint32Array,
		readonly size: number
	) {}

	firstUserIdOf(row: number): number | undefined {
		const first = this.firstUserIds[row];
		return first ? first - 1 : undefined;
	}

	firstEmailOf(row: number): number | undefined {
		const first = this.firstEmails[row];
		return first ? first - 1 : undefined;
	}

	get(row: number): number | undefined {
		return this.firstUserIdOf(row) ?? this.firstEmailOf(row);
	}

	has(row: number): boolean {
		return this.get(row) !== undefined;
	}

	*entries(): MapIterator<[number, number]> {
		for (let row = 0; row < this.firstUserIds.length; row++) {
			const first = this.get(row);
			if (first !== undefined) yield [row, first];
		}
	}

	*keys(): MapIterator<number> {
		for (const [row] of this.entries()) yield row;
	}

	*values(): MapIterator<number> {
		for (const [, first] of this.entries()) yield first;
	}

	forEach(callback: (first: number, row: number, map: ReadonlyMap<number, number>) => void): void {
		for (const [row, first] of this.entries()) callback(first, row, this);
	}

	[Symbol.iterator](): MapIterator<[number, number]> {
		return this.entries();
	}
}
