/** Rows per second from successive counts of answered rows (for tabs that watch, not send). */
export class RateSampler {
	#first: { at: number; rows: number } | null = null;

	/** Starts over: the next sample is the new first one. */
	reset(): void {
		this.#first = null;
	}

	/** The rate since the first sample; null for the first sample itself. */
	sample(rows: number, now = performance.now()): number | null {
		if (!this.#first) {
			this.#first = { at: now, rows };
			return null;
		}
		const seconds = (now - this.#first.at) / 1000;
		return seconds > 0 ? (rows - this.#first.rows) / seconds : 0;
	}
}
