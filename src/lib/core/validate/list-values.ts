import { listValue } from './normalize';

/** The distinct items of a list column (roles), at most a cap of them; `more` when some were left out. */
export interface DistinctValues {
	values: { value: string; rows: number }[];
	more: boolean;
}

/** What a scan gathered of the column mapped to roles: its distinct items, ROLE_VALUES_CAP at most. */
export interface GatheredValues extends DistinctValues {
	column: number;
}

/** A part's counts as plain data (a range's, posted from its worker), in order of first sight. */
export interface ListValueData {
	counts: [string, number][];
	more: boolean;
	/** False when the part could not count every row (see RawCellCounts). */
	exact: boolean;
}

/**
 * Rows per distinct item of a list column, read in row order: the first `cap` distinct items are
 * kept and counted in every row; later ones are left out (`more`).
 */
export class ListValueCounts {
	readonly #counts = new Map<string, number>();
	#more = false;

	constructor(readonly cap: number) {}

	/** The next row's trimmed cell (or `rows` rows' cells, all the same). */
	add(cell: string, rows = 1): void {
		if (cell === '') return;
		for (const value of listValue(cell)) this.#count(value, rows);
	}

	/**
	 * The next rows' counts, gathered apart (a range's, the ranges added in order): the same as
	 * adding their cells here, unless the part left items out after items were kept here (its
	 * counts of those may then be short). Answers whether the counts are still exact.
	 */
	addPart(part: ListValueData): boolean {
		const exact = part.exact && (!part.more || this.#counts.size === 0);
		for (const [value, rows] of part.counts) this.#count(value, rows);
		if (part.more) this.#more = true;
		return exact;
	}

	#count(value: string, rows: number): void {
		const counted = this.#counts.get(value);
		if (counted !== undefined) this.#counts.set(value, counted + rows);
		else if (this.#counts.size < this.cap) this.#counts.set(value, rows);
		else this.#more = true;
	}

	toData(exact = true): ListValueData {
		return { counts: [...this.#counts], more: this.#more, exact };
	}

	/** The items, most frequent first (ties in order of first sight). */
	distinct(): DistinctValues {
		const values = [...this.#counts].map(([value, rows]) => ({ value, rows }));
		return { values: values.sort((a, b) => b.rows - a.rows), more: this.#more };
	}
}

const EMPTY = new Uint8Array(0);

/** Distinct spellings of a cell a range keeps apart at most: past them its counts are not exact. */
const RAW_CELLS_CAP = 1024;

interface RawCell {
	bytes: Uint8Array;
	/** The cell as read: decoded, unquoted and trimmed. */
	value: string;
	rows: number;
}

/**
 * The cells of a list column counted by their bytes as written: a cell is decoded and split into
 * items once per distinct spelling, not once per row (a roles column repeats a few spellings). The
 * spellings, in order of first sight, then give the items' counts as ListValueCounts would have.
 */
export class RawCellCounts {
	readonly #cells = new Map<number, RawCell[]>();
	readonly #order: RawCell[] = [];
	/** The cell the row before had: rows often repeat it, and it is compared before any hashing. */
	#last: RawCell | null = null;
	#overflow = false;

	constructor(
		readonly cap: number,
		private readonly read: (bytes: Uint8Array, atTextEnd: boolean) => string
	) {}

	/**
	 * The next row's cell: bytes[start, end) as written (quotes and spaces included). A cell at
	 * the end of the text may read otherwise (an open quote): it is kept as a spelling of its own.
	 */
	add(bytes: Uint8Array, start: number, end: number, atTextEnd: boolean): void {
		if (atTextEnd) {
			this.#order.push({
				bytes: EMPTY,
				value: this.read(bytes.subarray(start, end), true),
				rows: 1
			});
			return;
		}
		const last = this.#last;
		if (last !== null && sameBytes(last.bytes, bytes, start, end)) {
			last.rows++;
			return;
		}
		let hash = 0x811c9dc5;
		for (let at = start; at < end; at++) hash = Math.imul(hash ^ bytes[at], 0x01000193);
		// 30 bits: V8 keeps every key as a small integer, none as a heap number (keys of both kinds
		// were one cause of this method's deoptimisations).
		hash &= 0x3fffffff;
		const bucket = this.#cells.get(hash);
		if (bucket)
			for (const cell of bucket)
				if (sameBytes(cell.bytes, bytes, start, end)) {
					cell.rows++;
					this.#last = cell;
					return;
				}
		if (this.#order.length >= RAW_CELLS_CAP) {
			this.#overflow = true;
			return;
		}
		const copy = bytes.slice(start, end);
		const cell = { bytes: copy, value: this.read(copy, false), rows: 1 };
		if (bucket) bucket.push(cell);
		else this.#cells.set(hash, [cell]);
		this.#order.push(cell);
		this.#last = cell;
	}

	toData(): ListValueData {
		const counts = new ListValueCounts(this.cap);
		for (const cell of this.#order) counts.add(cell.value, cell.rows);
		return counts.toData(!this.#overflow);
	}
}

function sameBytes(kept: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
	if (kept.length !== end - start) return false;
	for (let i = 0; i < kept.length; i++) if (kept[i] !== bytes[start + i]) return false;
	return true;
}
