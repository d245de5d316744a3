type NumericArray = Float64Array | Uint32Array | Uint8Array;

/** An append-only typed array that doubles its capacity, so a million rows cost a few copies. */
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
		let capacity = this.#data.length * 2;
		while (capacity < this.#length + extra) capacity *= 2;
		const bigger = this.create(capacity);
		bigger.set(this.#data.subarray(0, this.#length));
		this.#data = bigger;
	}

	push(value: number): void {
		if (this.#length === this.#data.length) this.#reserve(1);
		this.#data[this.#length++] = value;
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

	/** A right-sized copy of what was pushed. */
	toArray(): T {
		return this.#data.slice(0, this.#length) as T;
	}
}
