import { Growable } from './growable';

/** A slot holds the top TAG_BITS of the key's h1 above the key's first row plus one (0 = empty). */
const TAG_BITS = 7;
const ROW_BITS = 32 - TAG_BITS;
const ROW_MASK = 2 ** ROW_BITS - 1;
/** The table is at most 7/10 full, so that linear probing stays short; any size, not a power of 2. */
const MAX_LOAD = 0.7;
const MIN_SLOTS = 4096;
/** Keys whose slots firstsOf reads ahead at once (a few KiB of cache lines). */
const BATCH = 128;

const tagOf = (h1: number) => (h1 >>> ROW_BITS) << ROW_BITS;

/**
 * h2 with the byte length folded in: multiplying by an odd number maps lengths one to one, so two
 * keys of different lengths differ here unless their h2 differ by exactly that (1 in 2³²), as
 * likely as for two keys of one length.
 */
const fold = (h2: number, length: number) => (h2 ^ Math.imul(length, 0x85ebca6b)) >>> 0;

/**
 * First rows by duplicate key, where a key is what the row kernel hashes a normalised value to:
 * two independent 32-bit hashes and the value's length in bytes. Rows are given in order, and
 * each row's hashes are kept by row (8 bytes a row); an open-addressing table of slots holds each
 * distinct key's first row (4 bytes a slot, at most 7/10 of them used). No objects, no strings,
 * and no list of distinct keys beside the table: on the 2-core VM of docs/performance.md each
 * page of memory costs about 10 µs the first time it is touched, so bytes are time. A slot keeps
 * 7 bits of h1 beside the row, so a probe past another key almost never reads that key's hashes
 * (127 times in 128 the tags differ): a new key touches one spot of memory, a known key two. Two
 * different values count as one only when h1 and h2 folded with the length agree: for a million
 * distinct values, the chance that any pair does is about n²/2⁶⁵ ≈ 3 × 10⁻⁸.
 */
export class KeyIndex {
	/** Per row given: its key's h1, then h2 folded with the length (anything, for a row without). */
	readonly #hashes = new Growable((n) => new Uint32Array(n));
	#slots = new Uint32Array(MIN_SLOTS);
	#size = 0;
	/** What firstsOf reads ahead, written down only so that the reads are not optimised away. */
	readonly #ahead = new Uint32Array(BATCH);

	/** Room for `rows` rows, each a distinct key at most, without growing (for a count estimated ahead). */
	reserve(rows: number): void {
		this.#hashes.reserve(rows * 2);
		const slots = Math.ceil(rows / MAX_LOAD);
		if (slots > this.#slots.length) this.#rehash(slots);
	}

	/** Distinct keys. */
	get size(): number {
		return this.#size;
	}

	/**
	 * The first row that had this key, or -1 after recording `row` as its first. Rows come in order:
	 * none before the last one given.
	 */
	firstOf(h1: number, h2: number, length: number, row: number): number {
		this.#extend(row, 1);
		const hashes = this.#hashes.data;
		hashes[row * 2] = h1;
		hashes[row * 2 + 1] = fold(h2, length);
		return this.#firstOf(hashes[row * 2], hashes[row * 2 + 1], row);
	}

	/**
	 * firstOf for `count` rows at once: row r's key is keys[r * stride + at …] (h1, h2, length;
	 * length 0 = none, answered -1) and its row is firstRow + r; the answers go to into[r]. The
	 * table is far bigger than the caches, so a key's slot is a cache miss: reading a batch's
	 * slots ahead, each independent of the others, lets the processor wait for their misses
	 * together instead of one after another.
	 */
	firstsOf(
		keys: Uint32Array,
		at: number,
		stride: number,
		count: number,
		firstRow: number,
		into: Int32Array
	): void {
		this.#extend(firstRow, count);
		const hashes = this.#hashes.data;
		for (let r = 0; r < count; r++) {
			const key = r * stride + at;
			hashes[(firstRow + r) * 2] = keys[key];
			hashes[(firstRow + r) * 2 + 1] = fold(keys[key + 1], keys[key + 2]);
		}
		for (let batch = 0; batch < count; batch += BATCH) {
			const end = Math.min(count, batch + BATCH);
			for (let r = batch; r < end; r++) {
				const row = (firstRow + r) * 2;
				this.#ahead[r - batch] = this.#slots[this.#slot(hashes[row], hashes[row + 1])];
			}
			for (let r = batch; r < end; r++) {
				const row = firstRow + r;
				into[r] =
					keys[r * stride + at + 2] === 0
						? -1
						: this.#firstOf(hashes[row * 2], hashes[row * 2 + 1], row);
			}
		}
	}

	/** The first row that had this key, or -1; records nothing. */
	find(h1: number, h2: number, length: number): number {
		const entry = this.#slots[this.#probe(h1 >>> 0, fold(h2, length))];
		return entry === 0 ? -1 : (entry & ROW_MASK) - 1;
	}

	/** Room for the hashes of `count` rows from `first` on, which come after every row given. */
	#extend(first: number, count: number): void {
		if (first * 2 < this.#hashes.length) throw new RangeError('KeyIndex: rows must come in order');
		this.#hashes.extend((first + count) * 2 - this.#hashes.length);
	}

	/** `h1` (unsigned) and `folded` are row `row`'s, the newest row given. */
	#firstOf(h1: number, folded: number, row: number): number {
		const slot = this.#probe(h1, folded);
		const entry = this.#slots[slot];
		if (entry !== 0) return (entry & ROW_MASK) - 1;
		// MAX_ROWS_PER_FILE (20 million) rows fit the row bits (33 million).
		if (row + 1 >= ROW_MASK) throw new RangeError('too many rows for the key index');
		this.#slots[slot] = tagOf(h1) | (row + 1);
		if (++this.#size > this.#slots.length * MAX_LOAD) this.#rehash(this.#slots.length * 2);
		return -1;
	}

	/** The slot holding this key (h1 unsigned, h2 folded), or the empty slot where it would go. */
	#probe(h1: number, folded: number): number {
		const slots = this.#slots;
		const hashes = this.#hashes.data;
		const tag = h1 >>> ROW_BITS;
		let slot = this.#slot(h1, folded);
		for (let entry = slots[slot]; entry !== 0; entry = slots[slot]) {
			if (entry >>> ROW_BITS === tag) {
				const at = ((entry & ROW_MASK) - 1) * 2;
				if (hashes[at] === h1 && hashes[at + 1] === folded) return slot;
			}
			slot = slot + 1 === slots.length ? 0 : slot + 1;
		}
		return slot;
	}

	/**
	 * The first slot to probe for these hashes: their 32-bit mix scaled to the table's size (the
	 * product's top 32 bits; a double rounds the product by far less than the size, so the slot
	 * stays below it).
	 */
	#slot(h1: number, folded: number): number {
		const mixed = (h1 ^ Math.imul(folded, 0x9e3779b1)) >>> 0;
		return Math.floor((mixed * this.#slots.length) / 4294967296);
	}

	#rehash(size: number): void {
		const old = this.#slots;
		const hashes = this.#hashes.data;
		this.#slots = new Uint32Array(size);
		const slots = this.#slots;
		for (const entry of old) {
			if (entry === 0) continue;
			const at = ((entry & ROW_MASK) - 1) * 2;
			let slot = this.#slot(hashes[at], hashes[at + 1]);
			while (slots[slot] !== 0) slot = slot + 1 === slots.length ? 0 : slot + 1;
			slots[slot] = entry;
		}
	}
}
