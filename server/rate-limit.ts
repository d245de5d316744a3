/** Request throttles: a token bucket per bearer token, and a failure window per client address. */
export interface RateLimitOptions {
	perSecond: number;
	/** Bucket size; defaults to perSecond (at least 1). */
	burst?: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** A token bucket per key (the bearer token): `perSecond` requests a second, bursts up to `burst`. */
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

export interface FailureThrottleOptions {
	/** Failures a key may have in one window; the next request is refused until the window ends. */
	maxFailures: number;
	/** The window starts at a key's first failure. */
	windowMs: number;
	/** Keys remembered at most (the oldest are forgotten first), so address churn cannot fill memory. */
	maxKeys?: number;
}

const DEFAULT_MAX_KEYS = 10_000;

/**
 * Counts failures per key (a client address) in fixed windows: once a key has `maxFailures` in its
 * window, every request of that key is refused until the window has passed.
 */
export class FailureThrottle {
	readonly #maxFailures: number;
	readonly #windowMs: number;
	readonly #maxKeys: number;
	readonly #windows = new Map<string, { start: number; failures: number }>();

	constructor(options: FailureThrottleOptions) {
		if (!(options.maxFailures >= 1)) throw new RangeError('maxFailures must be ≥ 1');
		if (!(options.windowMs > 0)) throw new RangeError('windowMs must be > 0');
		this.#maxFailures = options.maxFailures;
		this.#windowMs = options.windowMs;
		this.#maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
	}

	check(key: string, now: number): RateDecision {
		const window = this.#current(key, now);
		if (!window || window.failures < this.#maxFailures) return { allowed: true };
		const retryAfterSeconds = Math.max(1, Math.ceil((window.start + this.#windowMs - now) / 1000));
		return { allowed: false, retryAfterSeconds };
	}

	/** Counts one failure; true when it is the one that starts refusing the key. */
	fail(key: string, now: number): boolean {
		let window = this.#current(key, now);
		if (!window) {
			if (this.#windows.size >= this.#maxKeys) this.#forget(now);
			window = { start: now, failures: 0 };
			this.#windows.set(key, window);
		}
		window.failures += 1;
		return window.failures === this.#maxFailures;
	}

	#current(key: string, now: number): { start: number; failures: number } | undefined {
		const window = this.#windows.get(key);
		if (window && now - window.start >= this.#windowMs) {
			this.#windows.delete(key);
			return undefined;
		}
		return window;
	}

	/** Drops the ended windows, then the oldest until there is room for one more key. */
	#forget(now: number): void {
		for (const [key, window] of this.#windows) {
			if (now - window.start >= this.#windowMs) this.#windows.delete(key);
		}
		for (const key of this.#windows.keys()) {
			if (this.#windows.size < this.#maxKeys) break;
			this.#windows.delete(key);
		}
	}
}
