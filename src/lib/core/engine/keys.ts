import { Growable } from './growable';

/** Numbers per distinct key in `#keys`: h1, h2 folded with the byte length (see fold), first row. */
const STRIDE = 3;
/** A slot holds the top TAG_BITS of the key's h1 above its index in #keys plus one (0 = empty). */
const TAG_BITS = 7;
const INDEX_BITS = 32 - TAG_BITS;
const INDEX_MASK = 2 ** INDEX_BITS - 1;
/** Keys whose slots firstsOf reads ahead at once (a few KiB of cache lines). */
const BATCH = 128;

const tagOf = (h1: number) => (h1 >>> INDEX_BITS) << INDEX_BITS;

/**
 * h2 with the byte length folded in: multiplying by an odd number maps lengths one to one, so two
 * keys of different lengths differ here unless their h2 differ by exactly that (1 in 2³²), as
 * likely as for two keys of one length. A key then costs 12 bytes instead of 16.
 */
const fold = (h2: number, length: number) => (h2 ^ Math.imul(length, 0x85ebca6b)) >>> 0;

/**
 * First rows by duplicate key, where a key is what the row kernel hashes a normalised value to:
 * two independent 32-bit hashes and the value's length in bytes. An open-addressing table of
 * indices into one packed list of distinct keys: a million keys cost no objects, no strings and
 * 18 to 25 bytes each (the table is 5/16 to 5/8 full). A slot keeps 7 bits of h1 beside the index,
 * so a probe past another key almost never reads that key (127 times in 128 the tags differ): a
 * new key touches one spot of memory, a known key two. Two different values count as one only
 * when h1 and h2 folded with the length agree: for a million distinct values, the chance that any
 * pair does is about n²/2⁶⁵ ≈ 3 × 10⁻⁸.
 */
export class KeyIndex {
	readonly #keys = new Growable((n) => new Uint32Array(n));
	#slots = new Uint32Array(1 << 12);
	#mask = this.#slots.length - 1;
	/** What firstsOf reads ahead, written down only so that the reads are not optimised away. */
	readonly #ahead = new Uint32Array(BATCH);

	/** Room for `keys` distinct keys in all without growing (for a count estimated ahead). */
	reserve(keys: number): void {
		this.#keys.reserve(keys * STRIDE);
		let slots = this.#slots.length;
		while (keys * 8 > slots * 5) slots *= 2;
		if (slots > this.#slots.length) this.#rehash(slots);
	}

	get size(): number {
		return this.#keys.length / STRIDE;
	}

	/** The first row that had this key, or -1 after recording `row` as its first. */
	firstOf(h1: number, h2: number, length: number, row: number): number {
		return this.#firstOf(h1 >>> 0, fold(h2, length), row);
	}

	#firstOf(h1: number, folded: number, row: number): number {
		const slot = this.#probe(h1, folded);
		const entry = this.#slots[slot];
		if (entry !== 0) return this.#keys.data[((entry & INDEX_MASK) - 1) * STRIDE + 2];
		// MAX_ROWS_PER_FILE (20 million) keys fit the index bits (33 million).
		if (this.size >= INDEX_MASK) throw new RangeError('too many distinct keys');
		this.#slots[slot] = tagOf(h1) | (this.size + 1);
		const at = this.#keys.extend(STRIDE);
		const keys = this.#keys.data;
		keys[at] = h1;
		keys[at + 1] = folded;
		keys[at + 2] = row;
		// At most 5/8 full: linear probing stays short.
		if (this.size * 8 > this.#slots.length * 5) this.#rehash(this.#slots.length * 2);
		return -1;
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
		for (let batch = 0; batch < count; batch += BATCH) {
			const end = Math.min(count, batch + BATCH);
			for (let r = batch; r < end; r++) {
				const key = r * stride + at;
				const folded = fold(keys[key + 1], keys[key + 2]);
				this.#ahead[r - batch] = this.#slots[this.#slot(keys[key], folded)];
			}
			for (let r = batch; r < end; r++) {
				const key = r * stride + at;
				const length = keys[key + 2];
				into[r] =
					length === 0
						? -1
						: this.#firstOf(keys[key] >>> 0, fold(keys[key + 1], length), firstRow + r);
			}
		}
	}

	/** The first row that had this key, or -1; records nothing. */
	find(h1: number, h2: number, length: number): number {
		const entry = this.#slots[this.#probe(h1 >>> 0, fold(h2, length))];
		return entry === 0 ? -1 : this.#keys.data[((entry & INDEX_MASK) - 1) * STRIDE + 2];
	}

	/** The slot holding this key (h1 unsigned, h2 folded), or the empty slot where it would go. */
	#probe(h1: number, folded: number): number {
		const slots = this.#slots;
		const keys = this.#keys.data;
		const mask = this.#mask;
		const tag = h1 >>> INDEX_BITS;
		let slot = this.#slot(h1, folded);
		for (let entry = slots[slot]; entry !== 0; entry = slots[slot]) {
			if (entry >>> INDEX_BITS === tag) {
				const at = ((entry & INDEX_MASK) - 1) * STRIDE;
				if (keys[at] === h1 && keys[at + 1] === folded) return slot;
			}
			slot = (slot + 1) & mask;
		}
		return slot;
	}

	/** The first slot to probe for these hashes. */
	#slot(h1: number, h2: number): number {
		return (h1 ^ Math.imul(h2, 0x9e3779b1)) & this.#mask;
	}

	#rehash(slots: number): void {
		const old = this.#slots;
		const keys = this.#keys.data;
		this.#slots = new Uint32Array(slots);
		this.#mask = slots - 1;
		for (const entry of old) {
			if (entry === 0) continue;
			const at = ((entry & INDEX_MASK) - 1) * STRIDE;
			let slot = this.#slot(keys[at], keys[at + 1]);
			while (this.#slots[slot] !== 0) slot = (slot + 1) & this.#mask;
			this.#slots[slot] = entry;
		}
	}
}
