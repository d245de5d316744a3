/**
 * The uploader against the real reference server (a child process on loopback), through a
 * fault-injecting proxy: whatever is lost, reset, stalled, rate-limited or killed, the server ends
 * with exactly the valid rows, each applied once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildChunks, type BuiltChunk, type UploadRow } from '../../../src/lib/upload/chunks';
import { ImportApiClient } from '../../../src/lib/upload/client';
import { MemoryOutbox } from '../../../src/lib/upload/memory-outbox';
import { realClock } from '../../../src/lib/upload/retry';
import { Uploader, type UploaderOptions } from '../../../src/lib/upload/uploader';
import { FaultProxy, type FaultPlan } from '../../fault/proxy';
import { startReferenceApi, type ReferenceApi } from '../../support/reference-api';
import { MAPPED_FIELDS, fakeClock, makeExport, recording, validate } from './helpers';

const TOKEN = 'fault-test-token';
const ROWS_PER_CHUNK = 100;
const TEST_TIMEOUT_MS = 60_000;
const FAST_RETRY = { baseMs: 20, capMs: 250 };
// Generous, so a slow machine never adds retries the assertions do not expect…
const REQUEST_TIMEOUT_MS = 5000;
// …except where stalls are injected: each costs one timeout, and extra retries are harmless there.
const STALL_TIMEOUT_MS = 1500;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
	while (cleanups.length > 0) await cleanups.pop()!();
});

/** Chunk uploads and completion may be faulted; creating the source (not idempotent) is not. */
const uploadRequests = (method: string, url: string) =>
	method === 'PUT' || url.endsWith('/complete');

async function startServer(): Promise<ReferenceApi> {
	const server = await startReferenceApi({ token: TOKEN });
	cleanups.push(() => server.stop());
	return server;
}

async function startProxy(server: ReferenceApi, plan: FaultPlan = {}): Promise<FaultProxy> {
	const proxy = await FaultProxy.start(server.port, plan);
	cleanups.push(() => proxy.close());
	return proxy;
}

function apiClient(
	baseUrl: string,
	fetchImpl?: typeof fetch,
	timeoutMs = REQUEST_TIMEOUT_MS
): ImportApiClient {
	return new ImportApiClient({ baseUrl, token: TOKEN, timeoutMs, fetch: fetchImpl });
}

/** ~5,000 valid rows (plus 200 invalid ones the validator keeps out) and a create-mode source. */
async function prepare(server: ReferenceApi, valid = 5000) {
	const data = makeExport(valid);
	const validated = validate(data);
	expect(validated.rows).toHaveLength(valid);
	expect(validated.rejected).toEqual(data.invalidRows);
	const direct = apiClient(server.url);
	const schema = await direct.schema();
	const source = await direct.createSource({
		name: 'fault test',
		mode: 'create',
		file: { name: 'users.csv', size: 1, sha256: 'a'.repeat(64) },
		rows: valid
	});
	const given: UploadRow[] = [];
	const built: BuiltChunk[] = [];
	const chunks = (async function* () {
		for await (const chunk of buildChunks(recording(validated.rows, given), {
			rowsPerChunk: ROWS_PER_CHUNK,
			bytesPerChunk: schema.limits.bytesPerChunk
		})) {
			built.push(chunk);
			yield chunk;
		}
	})();
	return { data, validated, direct, sourceId: source.id, chunks, given, built };
}

interface Figures {
	validRows: number;
	chunks: number;
	rowsOnServer: number;
	duplicates: number;
	missing: number;
	replays: number;
}

/** What the server holds for the source, checked against the valid rows and the staged keys. */
async function verify(
	server: ReferenceApi,
	direct: ImportApiClient,
	sourceId: string,
	validRows: UploadRow[],
	built: BuiltChunk[]
): Promise<Figures> {
	const received = await direct.received(sourceId);
	const rowsReceived = received.chunks.flatMap((chunk) => chunk.rows);
	const distinct = new Set(rowsReceived);
	const expected = validRows.map((entry) => entry.row);
	const figures: Figures = {
		validRows: expected.length,
		chunks: received.chunks.length,
		rowsOnServer: rowsReceived.length,
		duplicates: rowsReceived.length - distinct.size,
		missing: expected.filter((row) => !distinct.has(row)).length,
		replays: received.chunks.reduce((sum, chunk) => sum + chunk.replays, 0)
	};
	expect(figures.duplicates).toBe(0);
	expect(figures.missing).toBe(0);
	expect([...distinct].sort((a, b) => a - b)).toEqual(expected);
	expect(received.chunks.flatMap((chunk) => chunk.invalidRows)).toEqual([]);
	expect(received.chunks.map((chunk) => [chunk.seq, chunk.idempotencyKey])).toEqual(
		built.map((chunk) => [chunk.seq, chunk.key])
	);
	expect(received.fields).toEqual([...MAPPED_FIELDS].sort());

	const view = await direct.get(sourceId);
	expect(view).toMatchObject({ status: 'complete', rows: expected.length, chunks: built.length });
	expect(view.counts.imported).toBe(expected.length);
	const [db] = await server.query<{
		accounts: number;
		connections: number;
		results: number;
		imported: number;
	}>(
		`SELECT
			(SELECT count(*) FROM accounts WHERE created_by_source = ?) AS accounts,
			(SELECT count(DISTINCT user_id) FROM connections WHERE source_id = ?) AS connections,
			(SELECT count(*) FROM row_results WHERE source_id = ?) AS results,
			(SELECT count(*) FROM row_results WHERE source_id = ? AND status = 'imported') AS imported`,
		[sourceId, sourceId, sourceId, sourceId]
	);
	expect(db).toEqual({
		accounts: expected.length,
		connections: expected.length,
		results: expected.length,
		imported: expected.length
	});
	return figures;
}

function uploader(options: Omit<UploaderOptions, 'outbox'> & { outbox?: MemoryOutbox }): Uploader {
	return new Uploader({
		outbox: options.outbox ?? new MemoryOutbox(),
		requestTimeoutMs: REQUEST_TIMEOUT_MS,
		retry: FAST_RETRY,
		...options
	});
}

describe('upload under faults (real server, loopback)', () => {
	it(
		'drops, lost responses, resets and stalls: exactly the valid rows, each once',
		async () => {
			const server = await startServer();
			const proxy = await startProxy(server, {
				seed: 20240501,
				match: uploadRequests,
				drop: 0.2,
				loseResponse: 0.05,
				reset: 0.05,
				stall: 0.02
			});
			const setup = await prepare(server);
			const { progress } = await uploader({
				client: apiClient(`${proxy.url}/api/v1`, undefined, STALL_TIMEOUT_MS),
				sourceId: setup.sourceId,
				chunks: setup.chunks,
				requestTimeoutMs: STALL_TIMEOUT_MS
			}).run();

			expect(setup.given.map((entry) => entry.row)).toEqual(setup.validated.rows.map((r) => r.row));
			expect(setup.given.some((entry) => setup.data.invalidRows.includes(entry.row))).toBe(false);
			const figures = await verify(
				server,
				setup.direct,
				setup.sourceId,
				setup.validated.rows,
				setup.built
			);
			const lostPutAnswers = proxy.log.filter(
				(entry) => entry.method === 'PUT' && entry.fault === 'loseResponse'
			).length;
			expect(proxy.counts.drop).toBeGreaterThan(0);
			expect(proxy.counts.loseResponse).toBeGreaterThan(0);
			expect(proxy.counts.reset).toBeGreaterThan(0);
			expect(figures.replays).toBeGreaterThanOrEqual(lostPutAnswers);
			expect(progress.retries).toBeGreaterThanOrEqual(
				proxy.counts.drop + proxy.counts.loseResponse + proxy.counts.reset
			);
			console.log('[fault 1: drops/lost answers/resets]', {
				...figures,
				requests: proxy.counts.requests,
				retries: progress.retries,
				proxy: proxy.counts
			});
		},
		TEST_TIMEOUT_MS
	);

	it(
		'server killed with SIGKILL and restarted twice mid-upload: same exact result',
		async () => {
			const server = await startServer();
			const setup = await prepare(server);
			let requests = 0;
			let failedRequests = 0;
			const countingFetch: typeof fetch = async (input, init) => {
				requests++;
				try {
					return await fetch(input, init);
				} catch (error) {
					failedRequests++;
					throw error;
				}
			};
			const killAt = [12, 30];
			const restarts: Promise<void>[] = [];
			const { progress } = await uploader({
				client: apiClient(server.url, countingFetch),
				sourceId: setup.sourceId,
				chunks: setup.chunks,
				onProgress: ({ ackedChunks }) => {
					if (ackedChunks >= killAt[0]) {
						killAt.shift();
						restarts.push(server.restart());
					}
				}
			}).run();
			await Promise.all(restarts);

			expect(server.starts).toBe(3);
			expect(failedRequests).toBeGreaterThan(0);
			const figures = await verify(
				server,
				setup.direct,
				setup.sourceId,
				setup.validated.rows,
				setup.built
			);
			console.log('[fault 2: SIGKILL + restart twice]', {
				...figures,
				requests,
				failedRequests,
				retries: progress.retries,
				serverStarts: server.starts
			});
		},
		TEST_TIMEOUT_MS
	);

	it(
		'a 429 storm with Retry-After: 2 is waited out (recorded sleeps)',
		async () => {
			const server = await startServer();
			const proxy = await startProxy(server, {
				match: (method) => method === 'PUT',
				rateLimit: { requests: 3, retryAfter: '2' }
			});
			const setup = await prepare(server, 1000);
			const clock = fakeClock(Date.now());
			const { progress } = await uploader({
				client: apiClient(`${proxy.url}/api/v1`),
				sourceId: setup.sourceId,
				chunks: setup.chunks,
				concurrency: 1,
				clock
			}).run();
			expect(proxy.counts.rateLimit).toBe(3);
			expect(progress.retries).toBe(3);
			expect(clock.sleeps).toHaveLength(3);
			for (const sleep of clock.sleeps) expect(sleep).toBeGreaterThanOrEqual(2000);
			await verify(server, setup.direct, setup.sourceId, setup.validated.rows, setup.built);
		},
		TEST_TIMEOUT_MS
	);

	it(
		'a 429 with Retry-After: 2 holds the next attempt back at least 2 s (real clock)',
		async () => {
			const server = await startServer();
			const proxy = await startProxy(server, {
				match: (method) => method === 'PUT',
				rateLimit: { requests: 1, retryAfter: '2' }
			});
			const setup = await prepare(server, 200);
			await uploader({
				client: apiClient(`${proxy.url}/api/v1`),
				sourceId: setup.sourceId,
				chunks: setup.chunks,
				concurrency: 1,
				clock: realClock
			}).run();
			const puts = proxy.log.filter((entry) => entry.method === 'PUT');
			expect(puts[0]).toMatchObject({ fault: 'rateLimit', status: 429 });
			expect(puts[1].url).toBe(puts[0].url);
			expect(puts[1].at - puts[0].at).toBeGreaterThanOrEqual(2000);
			await verify(server, setup.direct, setup.sourceId, setup.validated.rows, setup.built);
		},
		TEST_TIMEOUT_MS
	);

	it(
		'resume after a reload: a new Uploader sends only what was not acknowledged, stored bytes only',
		async () => {
			const server = await startServer();
			// Some answers are lost, so some chunks are applied but not acknowledged at the "reload".
			const proxy = await startProxy(server, {
				seed: 99,
				match: uploadRequests,
				loseResponse: 0.1
			});
			const setup = await prepare(server);
			const outbox = new MemoryOutbox();
			const first = uploader({
				client: apiClient(`${proxy.url}/api/v1`),
				outbox,
				sourceId: setup.sourceId,
				chunks: setup.chunks,
				onProgress: ({ ackedChunks }) => {
					if (ackedChunks >= 25) first.cancel();
				}
			});
			await expect(first.run()).rejects.toMatchObject({ name: 'FerryError', code: 'aborted' });

			const ackedByFirst = new Set((await outbox.acked(setup.sourceId)).map((chunk) => chunk.seq));
			const stored = new Map(
				(await outbox.pending(setup.sourceId)).map((chunk) => [chunk.seq, chunk])
			);
			expect(ackedByFirst.size).toBeGreaterThanOrEqual(25);
			expect(ackedByFirst.size + stored.size).toBe(50);
			const rowsGiven = setup.given.length;
			const logBefore = proxy.log.length;

			const bodiesSent = new Map<number, Uint8Array[]>();
			const recordingFetch: typeof fetch = (input, init) => {
				const seq = /\/chunks\/(\d+)$/.exec(String(input));
				if (seq && init?.body instanceof Uint8Array) {
					const list = bodiesSent.get(Number(seq[1])) ?? [];
					list.push(init.body);
					bodiesSent.set(Number(seq[1]), list);
				}
				return fetch(input, init);
			};
			// A new page: a new Uploader over the same outbox, given no rows.
			const { progress } = await uploader({
				client: apiClient(`${proxy.url}/api/v1`, recordingFetch),
				outbox,
				sourceId: setup.sourceId
			}).run();

			const resentSeqs = proxy.log
				.slice(logBefore)
				.filter((entry) => entry.method === 'PUT')
				.map((entry) => Number(/\/chunks\/(\d+)$/.exec(entry.url)![1]));
			expect(resentSeqs.filter((seq) => ackedByFirst.has(seq))).toEqual([]);
			expect(new Set(resentSeqs)).toEqual(new Set(stored.keys()));
			for (const [seq, bodies] of bodiesSent) {
				for (const body of bodies) expect(body).toEqual(stored.get(seq)!.body);
				expect(stored.get(seq)!.key).toBe(setup.built[seq].key);
			}
			expect(setup.given).toHaveLength(rowsGiven);
			expect(progress).toMatchObject({ sentRows: 5000, ackedChunks: 50, totalChunks: 50 });
			const figures = await verify(
				server,
				setup.direct,
				setup.sourceId,
				setup.validated.rows,
				setup.built
			);
			console.log('[fault 4: resume after reload]', {
				...figures,
				ackedBeforeReload: ackedByFirst.size,
				resentChunks: stored.size
			});
		},
		TEST_TIMEOUT_MS
	);

	it(
		'the server receives only canonical mapped fields and no invalid row numbers',
		async () => {
			const server = await startServer();
			const setup = await prepare(server, 1000);
			await uploader({
				client: apiClient(server.url),
				sourceId: setup.sourceId,
				chunks: setup.chunks
			}).run();
			const received = await setup.direct.received(setup.sourceId);
			expect(received.fields).toEqual(['email', 'name', 'registration_date', 'user_id']);
			const rows = new Set(received.chunks.flatMap((chunk) => chunk.rows));
			expect(setup.data.invalidRows.filter((row) => rows.has(row))).toEqual([]);
			expect(received.chunks.flatMap((chunk) => chunk.invalidRows)).toEqual([]);
			expect(rows.size).toBe(1000);
		},
		TEST_TIMEOUT_MS
	);
});
