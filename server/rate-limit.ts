/** A token bucket per key (the bearer token): `perSecond` requests a second, bursts up to `burst`. */
export interface RateLimitOptions {
	perSecond: number;
	/** Bucket size; defaults to perSecond (at least 1). */
	burst?: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class TokenBuckets {
	readonly #perSecond: number;
	readonly #capacity: number;
	readonly #buckets = new Map<string, { tokens: number; at: number }>();

	constructor(options: RateLimitOptions) {
		if (!(options.perSecond > 0)) throw new RangeError('rateLimit.perSecond must be > 0');
		this.#perSecond = options.perSecond;
		this.#capacity = Math.max(1, options.burst ?? options.perSecond);
	}

	take(key: string, now: number): RateDecision {
		const bucket = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now };
		const refilled = ((now - bucket.at) / 1000) * this.#perSecond;
		bucket.tokens = Math.min(this.#capacity, bucket.tokens + Math.max(0, refilled));
		bucket.at = now;
		this.#buckets.set(key, bucket);
		if (bucket.tokens >= 1) {
			bucket.tokens -= 1;
			return { allowed: true };
		}
		const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perSecond));
		return { allowed: false, retryAfterSeconds };
	}
}
