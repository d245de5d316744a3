type NumericArray = Float64Array | Uint32Array | Uint8Array;

/**
 * An append-only typed array that grows by half its capacity, so a million rows cost a few copies
 * and at most a third of it stays unused.
 */
export class Growable<T extends NumericArray> {
	#data: T;
	#length = 0;

	constructor(
		private readonly create: (capacity: number) => T,
		capacity = 1024
	) {
		this.#data = create(Math.max(1, capacity));
	}

	#reserve(extra: number): void {
		if (this.#length + extra <= this.#data.length) return;
		let capacity = Math.ceil(this.#data.length * 1.5);
		while (capacity < this.#length + extra) capacity = Math.ceil(capacity * 1.5);
		const bigger = this.create(capacity);
		bigger.set(this.#data.subarray(0, this.#length));
		this.#data = bigger;
	}

	/** Room for `total` items in all, allocated at once (for a count known or estimated ahead). */
	reserve(total: number): void {
		if (total <= this.#data.length) return;
		const bigger = this.create(Math.ceil(total));
		bigger.set(this.#data.subarray(0, this.#length));
		this.#data = bigger;
	}

	push(value: number): void {
		if (this.#length === this.#data.length) this.#reserve(1);
		this.#data[this.#length++] = value;
	}

	/**
	 * Adds `count` items at the end for the caller to write into `data` from the index answered:
	 * a few numbers at a time without a push each.
	 */
	extend(count: number): number {
		if (this.#length + count > this.#data.length) this.#reserve(count);
		const at = this.#length;
		this.#length += count;
		return at;
	}

	/** Appends all of `values` (a typed array) at once. */
	append(values: ArrayLike<number>): void {
		this.#reserve(values.length);
		this.#data.set(values, this.#length);
		this.#length += values.length;
	}

	get length(): number {
		return this.#length;
	}

	/** The storage itself (its first `length` items were pushed), valid until the next push. */
	get data(): T {
		return this.#data;
	}

	/**
	 * What was pushed, as an array of its own length: a view of the storage when little of it is
	 * unused (no second copy of a million rows at the peak), else a right-sized copy. The Growable
	 * is done with after this.
	 */
	toArray(): T {
		if (this.#length * 4 >= this.#data.length * 3) return this.#data.subarray(0, this.#length) as T;
		return this.#data.slice(0, this.#length) as T;
	}
}
