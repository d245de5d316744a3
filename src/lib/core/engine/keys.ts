/**
 * First rows by duplicate key, where a key is what the row kernel hashes a normalised value to:
 * two independent 32-bit hashes and the value's length in bytes. An open-addressing table over
 * typed arrays: a million keys cost no objects and no strings. Two different values count as one
 * only when both hashes and the length agree: for a million distinct values of one length, the
 * chance that any pair does is about n²/2⁶⁵ ≈ 3 × 10⁻⁸.
 */
export class KeyIndex {
	#h1: Uint32Array;
	#h2: Uint32Array;
	#lengths: Uint32Array;
	/** First row + 1 per slot; 0 = empty. */
	#rows: Uint32Array;
	#mask: number;
	#size = 0;

	constructor(capacity = 1 << 12) {
		let slots = 16;
		while (slots < capacity * 2) slots *= 2;
		this.#h1 = new Uint32Array(slots);
		this.#h2 = new Uint32Array(slots);
		this.#lengths = new Uint32Array(slots);
		this.#rows = new Uint32Array(slots);
		this.#mask = slots - 1;
	}

	get size(): number {
		return this.#size;
	}

	/** The first row that had this key, or -1 after recording `row` as its first. */
	firstOf(h1: number, h2: number, length: number, row: number): number {
		const rows = this.#rows;
		let slot = this.#slot(h1, h2);
		while (rows[slot] !== 0) {
			if (this.#h1[slot] === h1 && this.#h2[slot] === h2 && this.#lengths[slot] === length)
				return rows[slot] - 1;
			slot = (slot + 1) & this.#mask;
		}
		this.#h1[slot] = h1;
		this.#h2[slot] = h2;
		this.#lengths[slot] = length;
		rows[slot] = row + 1;
		if (++this.#size * 2 > rows.length) this.#grow();
		return -1;
	}

	#slot(h1: number, h2: number): number {
		return (h1 ^ Math.imul(h2, 0x9e3779b1)) & this.#mask;
	}

	#grow(): void {
		const [h1s, h2s, lengths, rows] = [this.#h1, this.#h2, this.#lengths, this.#rows];
		const slots = rows.length * 2;
		this.#h1 = new Uint32Array(slots);
		this.#h2 = new Uint32Array(slots);
		this.#lengths = new Uint32Array(slots);
		this.#rows = new Uint32Array(slots);
		this.#mask = slots - 1;
		for (let i = 0; i < rows.length; i++) {
			if (rows[i] === 0) continue;
			let slot = this.#slot(h1s[i], h2s[i]);
			while (this.#rows[slot] !== 0) slot = (slot + 1) & this.#mask;
			this.#h1[slot] = h1s[i];
			this.#h2[slot] = h2s[i];
			this.#lengths[slot] = lengths[i];
			this.#rows[slot] = rows[i];
		}
	}
}
