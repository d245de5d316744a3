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
		this.#data = create(capacity);
	}

	#reserve(extra: number): void {
		if (this.#length + extra <= this.#data.length) return;
		let capacity = Math.max(1, Math.ceil(this.#data.length * 1.5));
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
	 * What was pushed, as a view of the storage whatever room is left unused: for arrays handed on
	 * and given back (a range's result), whose unused room costs nothing. The Growable is done with
	 * after this.
	 */
	view(): T {
		return this.#data.subarray(0, this.#length) as T;
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

/**
 * ArrayBuffers kept to be used again: a range worker's read buffers, and its results' arrays that
 * come back once the parse worker has merged them. A new buffer of a few hundred KiB or more costs
 * its pages again on first touch (the allocator maps buffers that large afresh): on the 2-core VM of
 * docs/performance.md, 10 µs a page, 2.5 ns a byte.
 */
export class BufferShelf {
	readonly #free: ArrayBuffer[] = [];
	readonly #max: number;
	readonly #grain: number;
	readonly #slack: number;

	/**
	 * Keeps at most `max` buffers; a new one is `grain` bytes or a multiple (so that it serves the
	 * next, slightly longer request too); a kept one serves requests down to 1/`slack` of its size.
	 */
	constructor({ max, grain = 1, slack = 2 }: { max: number; grain?: number; slack?: number }) {
		this.#max = max;
		this.#grain = grain;
		this.#slack = slack;
	}

	/**
	 * The smallest kept buffer of at least `bytes` bytes (and at most `slack` times that), else a
	 * new one: the smallest, so that a larger one stays for a larger request (a range's result
	 * asks for arrays of several sizes at once).
	 */
	take(bytes: number): ArrayBuffer {
		if (bytes === 0) return new ArrayBuffer(0);
		let at = -1;
		for (let i = 0; i < this.#free.length; i++) {
			const size = this.#free[i].byteLength;
			if (size < bytes || size > this.#slack * bytes) continue;
			if (at < 0 || size < this.#free[at].byteLength) at = i;
		}
		if (at >= 0) return this.#free.splice(at, 1)[0];
		return new ArrayBuffer(Math.ceil(bytes / this.#grain) * this.#grain);
	}

	/**
	 * Keeps these (not detached ones), and drops the oldest kept beyond `max` (a warm-up's small
	 * ones, say).
	 */
	give(buffers: readonly ArrayBuffer[]): void {
		for (const buffer of buffers) if (buffer.byteLength > 0) this.#free.push(buffer);
		if (this.#free.length > this.#max) this.#free.splice(0, this.#free.length - this.#max);
	}

	get free(): number {
		return this.#free.length;
	}

	/** Typed arrays of `n` items over the shelf's buffers, for a Growable. */
	readonly float64 = (n: number) => new Float64Array(this.take(n * 8), 0, n);
	readonly uint32 = (n: number) => new Uint32Array(this.take(n * 4), 0, n);
	readonly uint8 = (n: number) => new Uint8Array(this.take(n), 0, n);
}
