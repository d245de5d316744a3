import { Growable } from './growable';

/** Numbers per slot in `#slots`: h1, and the key's index in #keys plus one (0 = empty slot). */
const SLOT = 2;
/** Numbers per distinct key in `#keys`: h2, byte length, first row. */
const STRIDE = 3;
/** Keys whose slots firstsOf reads ahead at once (a few KiB of cache lines). */
const BATCH = 128;

/**
 * First rows by duplicate key, where a key is what the row kernel hashes a normalised value to:
 * two independent 32-bit hashes and the value's length in bytes. An open-addressing table whose
 * slots hold h1 beside the key's index in one packed list of distinct keys: a million keys cost
 * no objects, no strings and 25 to 32 bytes each (the table is 5/16 to 5/8 full). A probe
 * compares h1 in the slot itself, so a new key touches one spot of memory (its slot and the next
 * ones) and a known key two. Two different values count as one only when both hashes and the
 * length agree: for a million distinct values of one length, the chance that any pair does is
 * about n²/2⁶⁵ ≈ 3 × 10⁻⁸.
 */
export class KeyIndex {
	readonly #keys = new Growable((n) => new Uint32Array(n));
	#slots = new Uint32Array(SLOT << 12);
	#mask = (1 << 12) - 1;
	/** What firstsOf reads ahead, written down only so that the reads are not optimised away. */
	readonly #ahead = new Uint32Array(BATCH);

	/** Room for `keys` distinct keys in all without growing (for a count estimated ahead). */
	reserve(keys: number): void {
		this.#keys.reserve(keys * STRIDE);
		let slots = this.#mask + 1;
		while (keys * 8 > slots * 5) slots *= 2;
		if (slots > this.#mask + 1) this.#rehash(slots);
	}

	get size(): number {
		return this.#keys.length / STRIDE;
	}

	/** The first row that had this key, or -1 after recording `row` as its first. */
	firstOf(h1: number, h2: number, length: number, row: number): number {
		const slot = this.#probe(h1, h2, length);
		const entry = this.#slots[slot + 1];
		if (entry !== 0) return this.#keys.data[(entry - 1) * STRIDE + 2];
		this.#slots[slot] = h1;
		this.#slots[slot + 1] = this.size + 1;
		this.#keys.push(h2);
		this.#keys.push(length);
		this.#keys.push(row);
		// At most 5/8 full: linear probing stays short.
		if (this.size * 8 > (this.#mask + 1) * 5) this.#rehash((this.#mask + 1) * 2);
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
				this.#ahead[r - batch] = this.#slots[this.#slot(keys[key], keys[key + 1]) + 1];
			}
			for (let r = batch; r < end; r++) {
				const key = r * stride + at;
				const length = keys[key + 2];
				into[r] = length === 0 ? -1 : this.firstOf(keys[key], keys[key + 1], length, firstRow + r);
			}
		}
	}

	/** The first row that had this key, or -1; records nothing. */
	find(h1: number, h2: number, length: number): number {
		const entry = this.#slots[this.#probe(h1, h2, length) + 1];
		return entry === 0 ? -1 : this.#keys.data[(entry - 1) * STRIDE + 2];
	}

	/** Where the slot holding this key is in #slots, or the empty slot where it would go. */
	#probe(h1: number, h2: number, length: number): number {
		const slots = this.#slots;
		const keys = this.#keys.data;
		const wrap = this.#mask * SLOT + 1;
		h1 >>>= 0;
		h2 >>>= 0;
		let slot = this.#slot(h1, h2);
		for (let entry = slots[slot + 1]; entry !== 0; entry = slots[slot + 1]) {
			if (slots[slot] === h1) {
				const at = (entry - 1) * STRIDE;
				if (keys[at] === h2 && keys[at + 1] === length) return slot;
			}
			slot = (slot + SLOT) & wrap;
		}
		return slot;
	}

	/** The first slot to probe for these hashes, as an offset in #slots. */
	#slot(h1: number, h2: number): number {
		return ((h1 ^ Math.imul(h2, 0x9e3779b1)) & this.#mask) * SLOT;
	}

	#rehash(slots: number): void {
		const old = this.#slots;
		const keys = this.#keys.data;
		this.#slots = new Uint32Array(slots * SLOT);
		this.#mask = slots - 1;
		const wrap = this.#mask * SLOT + 1;
		for (let at = 0; at < old.length; at += SLOT) {
			const entry = old[at + 1];
			if (entry === 0) continue;
			let slot = this.#slot(old[at], keys[(entry - 1) * STRIDE]);
			while (this.#slots[slot + 1] !== 0) slot = (slot + SLOT) & wrap;
			this.#slots[slot] = old[at];
			this.#slots[slot + 1] = entry;
		}
	}
}
