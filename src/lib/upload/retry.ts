/**
 * Retry policy of the uploader: exponential backoff with full jitter, Retry-After honoured, and no
 * attempt at all while the device is offline. Time, randomness and connectivity are injected so
 * tests can drive them.
 */
import { FerryError } from '../core/errors';
import { RetryableError } from './errors';

export interface RetryPolicy {
	/** Backoff before the first retry is at most this long. */
	baseMs: number;
	/** Backoff never exceeds this (Retry-After may ask for longer and is honoured). */
	capMs: number;
	/** Attempts in all, the first included; those failed while offline do not count. */
	maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	baseMs: 500,
	capMs: 30_000,
	maxAttempts: Infinity
};

export interface Clock {
	now(): number;
	/** Resolves after `ms`; rejects with FerryError('aborted') when the signal fires first. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface Connectivity {
	online(): boolean;
	/** Resolves when the device is back online (at once if it is). */
	waitOnline(signal?: AbortSignal): Promise<void>;
}

function aborted(): FerryError {
	return new FerryError('aborted', 'The upload was cancelled.');
}

/** Resolves when `signal` fires; the returned function stops listening. */
function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
	signal?.addEventListener('abort', listener, { once: true });
	return () => signal?.removeEventListener('abort', listener);
}

export const realClock: Clock = {
	now: () => Date.now(),
	sleep: (ms, signal) =>
		new Promise((resolve, reject) => {
			if (signal?.aborted) return reject(aborted());
			const stop = onAbort(signal, () => {
				clearTimeout(timer);
				reject(aborted());
			});
			const timer = setTimeout(() => {
				stop();
				resolve();
			}, ms);
		})
};

/** Node and other hosts without a connectivity signal: a failed request is simply retried. */
export const alwaysOnline: Connectivity = {
	online: () => true,
	waitOnline: (signal) => (signal?.aborted ? Promise.reject(aborted()) : Promise.resolve())
};

export interface ConnectivityHost {
	navigator: { onLine: boolean };
	addEventListener(type: 'online', listener: () => void): void;
	removeEventListener(type: 'online', listener: () => void): void;
}

/** The browser's view: navigator.onLine, and the window's 'online' event to resume. */
export function browserConnectivity(
	host: ConnectivityHost = globalThis as unknown as ConnectivityHost
): Connectivity {
	return {
		online: () => host.navigator.onLine,
		waitOnline: (signal) =>
			new Promise((resolve, reject) => {
				if (signal?.aborted) return reject(aborted());
				if (host.navigator.onLine) return resolve();
				const online = () => {
					stop();
					resolve();
				};
				const stop = onAbort(signal, () => {
					host.removeEventListener('online', online);
					reject(aborted());
				});
				host.addEventListener('online', online);
			})
	};
}

/** Full jitter: uniform in [0, min(cap, base · 2^retry)); `retry` counts from 0. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
	const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** retry);
	return random() * ceiling;
}

/** The wait before retry number `retry` (from 0): the backoff, but never less than Retry-After. */
export function retryDelay(
	error: RetryableError,
	retry: number,
	policy: RetryPolicy,
	random: () => number
): number {
	return Math.max(backoffDelay(retry, policy, random), error.retryAfterMs ?? 0);
}

export interface RetryEvent {
	error: RetryableError;
	/** 1 for the first retry. */
	retry: number;
	delayMs: number;
}

export interface RetryOptions {
	policy?: RetryPolicy;
	clock?: Clock;
	random?: () => number;
	connectivity?: Connectivity;
	signal?: AbortSignal;
	/** Awaited before every attempt (the uploader's pause gate). */
	beforeAttempt?: (signal?: AbortSignal) => Promise<void>;
	onRetry?: (event: RetryEvent) => void;
	/** The device went offline: waiting for 'online' instead of sending. */
	onOffline?: () => void;
}

/**
 * Runs `operation` until it succeeds, throws something other than a RetryableError, or runs out of
 * attempts. While offline nothing is sent: it waits for the connection and then tries at once (a
 * failure caused by the network being gone says nothing about the server, so no backoff is owed).
 */
export async function withRetry<T>(
	operation: (signal?: AbortSignal) => Promise<T>,
	options: RetryOptions = {}
): Promise<T> {
	const policy = options.policy ?? DEFAULT_RETRY_POLICY;
	const clock = options.clock ?? realClock;
	const random = options.random ?? Math.random;
	const connectivity = options.connectivity ?? alwaysOnline;
	const signal = options.signal;
	// Failed attempts while online: an attempt that failed because the device went offline is free.
	let failures = 0;
	for (;;) {
		if (signal?.aborted) throw aborted();
		await options.beforeAttempt?.(signal);
		if (!connectivity.online()) {
			options.onOffline?.();
			await connectivity.waitOnline(signal);
		}
		try {
			return await operation(signal);
		} catch (error) {
			if (!(error instanceof RetryableError)) throw error;
			if (signal?.aborted) throw aborted();
			if (!connectivity.online()) continue;
			if (++failures >= policy.maxAttempts) throw error;
			const delayMs = retryDelay(error, failures - 1, policy, random);
			options.onRetry?.({ error, retry: failures, delayMs });
			await clock.sleep(delayMs, signal);
		}
	}
}
