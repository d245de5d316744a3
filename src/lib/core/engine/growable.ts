type NumericArray = Float64Array | Uint32Array;

/** An append-only typed array that doubles its capacity, so a million rows cost a few copies. */
export class Growable<T extends NumericArray> {
	#data: T;
	#length = 0;

	constructor(private readonly create: (capacity: number) => T) {
		this.#data = create(1024);
	}

	push(value: number): void {
		if (this.#length === this.#data.length) {
			const bigger = this.create(this.#data.length * 2);
			bigger.set(this.#data);
			this.#data = bigger;
		}
		this.#data[this.#length++] = value;
	}

	get length(): number {
		return this.#length;
	}

	/** A right-sized copy of what was pushed. */
	toArray(): T {
		return this.#data.slice(0, this.#length) as T;
	}
}
