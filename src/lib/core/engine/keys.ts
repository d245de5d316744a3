import { Growable } from './growable';

/** Numbers per distinct key in `#firsts`: h1, h2, byte length, first row. */
const STRIDE = 4;

/**
 * First rows by duplicate key, where a key is what the row kernel hashes a normalised value to:
 * two independent 32-bit hashes and the value's length in bytes. An open-addressing table of
 * indices into one packed list of distinct keys: a million keys cost no objects, no strings and
 * about 24 bytes each. Two different values count as one only when both hashes and the length
 * agree: for a million distinct values of one length, the chance that any pair does is about
 * n²/2⁶⁵ ≈ 3 × 10⁻⁸.
 */
export class KeyIndex {
	readonly #firsts = new Growable((n) => new Uint32Array(n));
	/** Index of a key in #firsts, plus one; 0 = empty slot. */
	#slots = new Uint32Array(1 << 12);
	#mask = this.#slots.length - 1;

	/** Room for `keys` distinct keys in all without growing (for a count estimated ahead). */
	reserve(keys: number): void {
		this.#firsts.reserve(keys * STRIDE);
		let slots = this.#slots.length;
		while (keys * 8 > slots * 5) slots *= 2;
		if (slots > this.#slots.length) this.#rehash(slots);
	}

	get size(): number {
		return this.#firsts.length / STRIDE;
	}

	/** The first row that had this key, or -1 after recording `row` as its first. */
	firstOf(h1: number, h2: number, length: number, row: number): number {
		const slot = this.#probe(h1, h2, length);
		if (this.#slots[slot] !== 0) return this.#firsts.data[(this.#slots[slot] - 1) * STRIDE + 3];
		this.#slots[slot] = this.size + 1;
		this.#firsts.push(h1);
		this.#firsts.push(h2);
		this.#firsts.push(length);
		this.#firsts.push(row);
		// At most 5/8 full: linear probing stays short.
		if (this.size * 8 > this.#slots.length * 5) this.#rehash(this.#slots.length * 2);
		return -1;
	}

	/** The first row that had this key, or -1; records nothing. */
	find(h1: number, h2: number, length: number): number {
		const entry = this.#slots[this.#probe(h1, h2, length)];
		return entry === 0 ? -1 : this.#firsts.data[(entry - 1) * STRIDE + 3];
	}

	/** The slot holding this key, or the empty slot where it would go. */
	#probe(h1: number, h2: number, length: number): number {
		const firsts = this.#firsts.data;
		let slot = this.#slot(h1, h2);
		for (let entry = this.#slots[slot]; entry !== 0; entry = this.#slots[slot]) {
			const at = (entry - 1) * STRIDE;
			if (firsts[at] === h1 && firsts[at + 1] === h2 && firsts[at + 2] === length) return slot;
			slot = (slot + 1) & this.#mask;
		}
		return slot;
	}

	#slot(h1: number, h2: number): number {
		return (h1 ^ Math.imul(h2, 0x9e3779b1)) & this.#mask;
	}

	#rehash(slots: number): void {
		this.#slots = new Uint32Array(slots);
		this.#mask = this.#slots.length - 1;
		const firsts = this.#firsts.data;
		for (let key = 0; key < this.size; key++) {
			let slot = this.#slot(firsts[key * STRIDE], firsts[key * STRIDE + 1]);
			while (this.#slots[slot] !== 0) slot = (slot + 1) & this.#mask;
			this.#slots[slot] = key + 1;
		}
	}
}
