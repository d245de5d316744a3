import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../../src/lib/core/errors';
import type { SourceView } from '../../../src/lib/core/protocol/import-api';
import { ImportApiClient, classifyResponse, parseRetryAfter } from '../../../src/lib/upload/client';
import { FatalError, RetryableError } from '../../../src/lib/upload/errors';

const NOW = Date.UTC(2015, 9, 21, 7, 28, 0);

describe('parseRetryAfter', () => {
	const cases: { input: string | null; expected: number | undefined; note: string }[] = [
		{ note: 'delay-seconds', input: '2', expected: 2000 },
		{ note: 'zero seconds', input: '0', expected: 0 },
		{ note: 'seconds with spaces', input: ' 120 ', expected: 120_000 },
		{ note: 'HTTP-date 30 s ahead', input: 'Wed, 21 Oct 2015 07:28:30 GMT', expected: 30_000 },
		{ note: 'HTTP-date in the past', input: 'Wed, 21 Oct 2015 07:27:00 GMT', expected: 0 },
		{ note: 'absent', input: null, expected: undefined },
		{ note: 'negative seconds', input: '-5', expected: undefined },
		{ note: 'fractional seconds', input: '1.5', expected: undefined },
		{ note: 'garbage', input: 'soon', expected: undefined }
	];
	for (const { note, input, expected } of cases) {
		it(note, () => expect(parseRetryAfter(input, NOW)).toBe(expected));
	}
});

describe('classifyResponse', () => {
	const cases: {
		input: { status: number; code?: string };
		expected: { retryable: boolean; code: string };
	}[] = [
		{ input: { status: 408 }, expected: { retryable: true, code: 'http_408' } },
		{
			input: { status: 429, code: 'rate_limited' },
			expected: { retryable: true, code: 'rate_limited' }
		},
		{
			input: { status: 500, code: 'internal_error' },
			expected: { retryable: true, code: 'internal_error' }
		},
		{ input: { status: 502 }, expected: { retryable: true, code: 'http_502' } },
		{ input: { status: 503, code: 'busy' }, expected: { retryable: true, code: 'busy' } },
		{
			input: { status: 400, code: 'invalid_chunk' },
			expected: { retryable: false, code: 'invalid_chunk' }
		},
		{
			input: { status: 401, code: 'unauthorized' },
			expected: { retryable: false, code: 'unauthorized' }
		},
		{
			input: { status: 404, code: 'source_not_found' },
			expected: { retryable: false, code: 'source_not_found' }
		},
		{
			input: { status: 409, code: 'chunk_conflict' },
			expected: { retryable: false, code: 'chunk_conflict' }
		},
		{
			input: { status: 409, code: 'idempotency_record_expired' },
			expected: { retryable: false, code: 'idempotency_record_expired' }
		},
		{
			input: { status: 413, code: 'too_many_rows' },
			expected: { retryable: false, code: 'too_many_rows' }
		}
	];
	for (const { input, expected } of cases) {
		it(`${input.status} ${input.code ?? ''}`, () => {
			const error = classifyResponse(input.status, input.code ? { code: input.code } : null, 1000);
			expect(error).toBeInstanceOf(expected.retryable ? RetryableError : FatalError);
			if (error instanceof RetryableError) {
				expect(error.details.code).toBe(expected.code);
				expect(error.retryAfterMs).toBe(1000);
			} else expect(error.code).toBe(expected.code);
		});
	}
});

type FakeAnswer = (url: string, init: RequestInit) => Promise<Response>;

function clientWith(answer: FakeAnswer, timeoutMs = 1000) {
	const calls: { url: string; init: RequestInit }[] = [];
	const client = new ImportApiClient({
		baseUrl: 'http://api.test/api/v1/',
		token: 'secret',
		timeoutMs,
		now: () => NOW,
		fetch: (input, init) => {
			calls.push({ url: String(input), init: init! });
			return answer(String(input), init!);
		}
	});
	return { client, calls };
}

/** A fetch that never answers but honours its signal, as a stalled connection does. */
const stalled: FakeAnswer = (_url, init) =>
	new Promise((_resolve, reject) => {
		init.signal!.addEventListener('abort', () => reject(init.signal!.reason), { once: true });
	});

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
	new Response(JSON.stringify(body), {
		status,
		headers: { 'content-type': 'application/json', ...headers }
	});

describe('ImportApiClient', () => {
	it('PUTs a chunk with the protocol headers and reads replays', async () => {
		const body = new Uint8Array([0x1f, 0x8b, 1, 2]);
		const { client, calls } = clientWith(async () =>
			json(200, { results: [{ row: 1, status: 'imported' }] }, { 'idempotent-replayed': 'true' })
		);
		const answer = await client.putChunk('src/1', 3, 'ab'.repeat(32), body);
		expect(answer).toEqual({ results: [{ row: 1, status: 'imported' }], replayed: true });
		const [{ url, init }] = calls;
		expect(url).toBe('http://api.test/api/v1/sources/src%2F1/chunks/3');
		expect(init.method).toBe('PUT');
		expect(init.body).toBe(body);
		expect(init.headers).toMatchObject({
			authorization: 'Bearer secret',
			'content-type': 'application/json',
			'content-encoding': 'gzip',
			'idempotency-key': 'ab'.repeat(32)
		});
	});

	const routes: {
		input: (client: ImportApiClient) => Promise<unknown>;
		expected: { method: string; path: string };
	}[] = [
		{ input: (c) => c.schema(), expected: { method: 'GET', path: '/schema' } },
		{ input: (c) => c.sources(), expected: { method: 'GET', path: '/sources' } },
		{ input: (c) => c.get('s1'), expected: { method: 'GET', path: '/sources/s1' } },
		{ input: (c) => c.complete('s1'), expected: { method: 'POST', path: '/sources/s1/complete' } },
		{ input: (c) => c.rollback('s1'), expected: { method: 'DELETE', path: '/sources/s1' } },
		{ input: (c) => c.received('s1'), expected: { method: 'GET', path: '/sources/s1/received' } },
		{
			input: (c) =>
				c.createSource({
					name: 'n',
					mode: 'link',
					file: { name: 'f', size: 1, sha256: 'a'.repeat(64) },
					rows: 1
				}),
			expected: { method: 'POST', path: '/sources' }
		}
	];
	for (const { input, expected } of routes) {
		it(`${expected.method} ${expected.path}`, async () => {
			const { client, calls } = clientWith(async () => json(200, { sources: [] }));
			await input(client);
			expect(calls[0].init.method).toBe(expected.method);
			expect(calls[0].url).toBe(`http://api.test/api/v1${expected.path}`);
		});
	}

	it('follows GET /sources pages until next is null', async () => {
		const view = (id: string) => ({ id }) as unknown as SourceView;
		const { client, calls } = clientWith(async (url) =>
			url.endsWith('/sources')
				? json(200, { sources: [view('a'), view('b')], next: 'c/1' })
				: json(200, { sources: [view('c')], next: null })
		);
		expect((await client.sources()).map(({ id }) => id)).toEqual(['a', 'b', 'c']);
		expect(calls.map(({ url }) => url)).toEqual([
			'http://api.test/api/v1/sources',
			'http://api.test/api/v1/sources?cursor=c%2F1'
		]);
	});

	it('turns a 429 into a RetryableError with Retry-After (HTTP date)', async () => {
		const { client } = clientWith(async () =>
			json(
				429,
				{ code: 'rate_limited', message: 'slow down' },
				{
					'retry-after': 'Wed, 21 Oct 2015 07:28:02 GMT'
				}
			)
		);
		const error = await client.get('s1').catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(RetryableError);
		expect((error as RetryableError).retryAfterMs).toBe(2000);
		expect((error as RetryableError).status).toBe(429);
	});

	it('surfaces a 409 chunk_conflict as a FatalError with its code', async () => {
		const { client } = clientWith(async () =>
			json(409, { statusCode: 409, code: 'chunk_conflict', message: 'other body' })
		);
		const error = await client
			.putChunk('s', 0, 'a'.repeat(64), new Uint8Array(1))
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(FatalError);
		expect(error).toMatchObject({ code: 'chunk_conflict', status: 409 });
		expect((error as Error).message).toContain('other body');
	});

	it('a network failure is retryable', async () => {
		const { client } = clientWith(async () => {
			throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
		});
		const error = await client.get('s1').catch((caught: unknown) => caught);
		expect(error).toMatchObject({ name: 'RetryableError', kind: 'network' });
		expect((error as Error).message).toContain('ECONNRESET');
	});

	it('a stalled request is aborted by the timeout and is retryable', async () => {
		const { client } = clientWith(stalled, 50);
		const error = await client.get('s1').catch((caught: unknown) => caught);
		expect(error).toMatchObject({ name: 'RetryableError', kind: 'timeout' });
	});

	it("the caller's abort is a cancellation, not a retryable failure", async () => {
		const { client } = clientWith(stalled, 10_000);
		const controller = new AbortController();
		const pending = client
			.get('s1', { signal: controller.signal })
			.catch((caught: unknown) => caught);
		controller.abort();
		const error = await pending;
		expect(isFerryError(error) && error.code).toBe('aborted');
	});

	it('an answer without results breaks the protocol', async () => {
		const { client } = clientWith(async () => json(200, { ok: true }));
		const error = await client
			.putChunk('s', 0, 'a'.repeat(64), new Uint8Array(1))
			.catch((e: unknown) => e);
		expect(error).toMatchObject({ name: 'FatalError', code: 'invalid_response' });
	});
});
