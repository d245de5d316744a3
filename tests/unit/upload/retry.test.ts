import { describe, expect, it } from 'vitest';
import { FatalError, RetryableError } from '../../../src/lib/upload/errors';
import {
	backoffDelay,
	browserConnectivity,
	retryDelay,
	withRetry,
	type ConnectivityHost,
	type RetryPolicy
} from '../../../src/lib/upload/retry';
import { seededRandom } from '../../fault/proxy';
import { fakeClock } from './helpers';

const POLICY: RetryPolicy = { baseMs: 100, capMs: 5000, maxAttempts: Infinity };

describe('backoffDelay (full jitter)', () => {
	const cases: { input: number; expected: number }[] = [
		{ input: 0, expected: 100 },
		{ input: 1, expected: 200 },
		{ input: 3, expected: 800 },
		{ input: 5, expected: 3200 },
		{ input: 6, expected: 5000 },
		{ input: 30, expected: 5000 }
	];
	for (const { input: retry, expected: ceiling } of cases) {
		it(`retry ${retry}: uniform in [0, ${ceiling})`, () => {
			const random = seededRandom(42 + retry);
			const delays = Array.from({ length: 2000 }, () => backoffDelay(retry, POLICY, random));
			expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
			expect(Math.max(...delays)).toBeLessThan(ceiling);
			// Full jitter spreads over the whole range, not just near the top.
			expect(Math.min(...delays)).toBeLessThan(ceiling * 0.05);
			expect(Math.max(...delays)).toBeGreaterThan(ceiling * 0.95);
		});
	}

	it('is random() times the ceiling', () => {
		expect(backoffDelay(2, POLICY, () => 0.5)).toBe(200);
		expect(backoffDelay(2, POLICY, () => 0)).toBe(0);
	});
});

describe('retryDelay', () => {
	const cases: {
		input: { retryAfterMs?: number; random: number };
		expected: number;
		note: string;
	}[] = [
		{ note: 'no Retry-After: backoff', input: { random: 0.5 }, expected: 50 },
		{
			note: 'Retry-After above backoff wins',
			input: { retryAfterMs: 2000, random: 0.5 },
			expected: 2000
		},
		{
			note: 'Retry-After below backoff: backoff',
			input: { retryAfterMs: 10, random: 0.9 },
			expected: 90
		},
		{
			note: 'Retry-After above the cap is still honoured',
			input: { retryAfterMs: 60_000, random: 1 },
			expected: 60_000
		}
	];
	for (const { note, input, expected } of cases) {
		it(note, () => {
			const error = new RetryableError('http', '429', {
				status: 429,
				retryAfterMs: input.retryAfterMs
			});
			expect(retryDelay(error, 0, POLICY, () => input.random)).toBeCloseTo(expected);
		});
	}
});

/** An operation failing with the given errors in turn, then answering 'ok'. */
function failing(errors: Error[]) {
	const state = { calls: 0 };
	const operation = async () => {
		const error = errors[state.calls++];
		if (error) throw error;
		return 'ok';
	};
	return { state, operation };
}

const network = () => new RetryableError('network', 'down');

describe('withRetry', () => {
	it('retries retryable failures with growing backoff ceilings', async () => {
		const clock = fakeClock();
		const { state, operation } = failing([network(), network(), network()]);
		const retries: number[] = [];
		const result = await withRetry(operation, {
			policy: POLICY,
			clock,
			random: () => 0.999,
			onRetry: (event) => retries.push(event.retry)
		});
		expect(result).toBe('ok');
		expect(state.calls).toBe(4);
		expect(retries).toEqual([1, 2, 3]);
		expect(clock.sleeps.map(Math.round)).toEqual([100, 200, 400]);
	});

	it('waits at least Retry-After', async () => {
		const clock = fakeClock();
		const { operation } = failing([
			new RetryableError('http', '429', { status: 429, retryAfterMs: 2000 }),
			new RetryableError('http', '503', { status: 503, retryAfterMs: 1000 })
		]);
		await withRetry(operation, { policy: POLICY, clock, random: () => 0.5 });
		expect(clock.sleeps).toEqual([2000, 1000]);
	});

	it('does not retry a FatalError', async () => {
		const clock = fakeClock();
		const { state, operation } = failing([new FatalError('chunk_conflict', '409', 409)]);
		await expect(withRetry(operation, { policy: POLICY, clock })).rejects.toBeInstanceOf(
			FatalError
		);
		expect(state.calls).toBe(1);
		expect(clock.sleeps).toEqual([]);
	});

	it('gives up after maxAttempts', async () => {
		const clock = fakeClock();
		const { state, operation } = failing([network(), network(), network()]);
		await expect(
			withRetry(operation, { policy: { ...POLICY, maxAttempts: 2 }, clock })
		).rejects.toBeInstanceOf(RetryableError);
		expect(state.calls).toBe(2);
	});

	it('sends nothing while offline and resumes when online fires', async () => {
		const host = Object.assign(new EventTarget(), { navigator: { onLine: false } });
		const connectivity = browserConnectivity(host as unknown as ConnectivityHost);
		const clock = fakeClock();
		const { state, operation } = failing([]);
		let offlineNoticed = 0;
		const pending = withRetry(operation, {
			policy: POLICY,
			clock,
			connectivity,
			onOffline: () => offlineNoticed++
		});
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(state.calls).toBe(0);
		expect(offlineNoticed).toBe(1);
		host.navigator.onLine = true;
		host.dispatchEvent(new Event('online'));
		expect(await pending).toBe('ok');
		expect(state.calls).toBe(1);
		expect(clock.sleeps).toEqual([]);
	});

	it('a failure while offline waits for online instead of backing off', async () => {
		const host = Object.assign(new EventTarget(), { navigator: { onLine: true } });
		const connectivity = browserConnectivity(host as unknown as ConnectivityHost);
		const clock = fakeClock();
		const state = { calls: 0 };
		const pending = withRetry(
			async () => {
				if (state.calls++ === 0) {
					host.navigator.onLine = false;
					throw network();
				}
				return 'ok';
			},
			{ policy: POLICY, clock, connectivity }
		);
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(state.calls).toBe(1);
		host.navigator.onLine = true;
		host.dispatchEvent(new Event('online'));
		expect(await pending).toBe('ok');
		expect(clock.sleeps).toEqual([]);
	});

	it('an abort while waiting for the connection rejects as cancelled', async () => {
		const host = Object.assign(new EventTarget(), { navigator: { onLine: false } });
		const controller = new AbortController();
		const pending = withRetry(async () => 'ok', {
			connectivity: browserConnectivity(host as unknown as ConnectivityHost),
			signal: controller.signal
		});
		controller.abort();
		await expect(pending).rejects.toMatchObject({ name: 'FerryError', code: 'aborted' });
	});
});
