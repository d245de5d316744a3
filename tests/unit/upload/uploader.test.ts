import { describe, expect, it } from 'vitest';
import type { RowStatus, SourceView } from '../../../src/lib/core/protocol/import-api';
import { buildChunks, type BuiltChunk, type UploadRow } from '../../../src/lib/upload/chunks';
import type { CallOptions, ChunkResponse } from '../../../src/lib/upload/client';
import { FatalError, RetryableError } from '../../../src/lib/upload/errors';
import { MemoryOutbox } from '../../../src/lib/upload/memory-outbox';
import { OutboxError } from '../../../src/lib/upload/outbox';
import { browserConnectivity, type ConnectivityHost } from '../../../src/lib/upload/retry';
import {
	Uploader,
	type ChunkSender,
	type UploadProgress,
	type UploaderOptions
} from '../../../src/lib/upload/uploader';
import { fakeClock } from './helpers';

const SOURCE = 'source-1';

function rows(count: number): UploadRow[] {
	return Array.from({ length: count }, (_, index) => ({
		row: index + 1,
		record: { user_id: `u${index + 1}`, email: `u${index + 1}@example.com` }
	}));
}

async function chunksOf(count: number, rowsPerChunk = 10): Promise<BuiltChunk[]> {
	const chunks: BuiltChunk[] = [];
	for await (const chunk of buildChunks(rows(count), { rowsPerChunk, bytesPerChunk: 1 << 20 })) {
		chunks.push(chunk);
	}
	return chunks;
}

type Reply = 'ok' | Error | ((options?: CallOptions) => Promise<ChunkResponse>);

/** An import API in memory: applies each seq once, replays it afterwards, like the real one. */
class FakeApi implements ChunkSender {
	readonly sends: { seq: number; key: string; body: Uint8Array }[] = [];
	readonly applied = new Map<number, { key: string; rows: number[] }>();
	completed = 0;
	/** Per send, in order: what to do (default 'ok'). */
	script: Reply[] = [];
	statusOf: (row: number) => RowStatus = () => 'imported';
	beforeSend: (seq: number) => void = () => {};

	constructor(readonly outbox: MemoryOutbox) {}

	async putChunk(
		sourceId: string,
		seq: number,
		key: string,
		body: Uint8Array,
		options?: CallOptions
	): Promise<ChunkResponse> {
		this.beforeSend(seq);
		this.sends.push({ seq, key, body });
		const reply = this.script.shift() ?? 'ok';
		if (reply instanceof Error) throw reply;
		if (typeof reply === 'function') return reply(options);
		const stored = (await this.outbox.pending(sourceId)).find((chunk) => chunk.seq === seq);
		if (!stored) throw new Error(`chunk ${seq} was sent before it was stored`);
		const previous = this.applied.get(seq);
		if (previous) {
			return {
				results: previous.rows.map((row) => ({ row, status: this.statusOf(row) })),
				replayed: true
			};
		}
		this.applied.set(seq, { key, rows: stored.rows });
		// Applied, but the caller gave up meanwhile: the answer is lost, as over a real connection.
		if (options?.signal?.aborted) throw new Error('aborted');
		return {
			results: stored.rows.map((row) => ({ row, status: this.statusOf(row) })),
			replayed: false
		};
	}

	async complete(id: string): Promise<SourceView> {
		this.completed++;
		return { id, status: 'complete' } as SourceView;
	}
}

function setup(overrides: Partial<UploaderOptions> = {}) {
	const outbox = new MemoryOutbox();
	const api = new FakeApi(outbox);
	const clock = fakeClock(1_000_000);
	const progress: UploadProgress[] = [];
	const make = (more: Partial<UploaderOptions> = {}) =>
		new Uploader({
			client: api,
			outbox,
			sourceId: SOURCE,
			clock,
			random: () => 0.5,
			retry: { baseMs: 10, capMs: 100 },
			onProgress: (snapshot) => progress.push(snapshot),
			...overrides,
			...more
		});
	return { outbox, api, clock, progress, make };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('Uploader', () => {
	it('stores every chunk before the first send, sends each once, then completes', async () => {
		const { api, outbox, make, progress } = setup();
		const chunks = await chunksOf(45);
		const storedAtFirstSend = outbox.pending(SOURCE);
		let storedAtSend: Promise<unknown[]> | null = null;
		api.beforeSend = () => (storedAtSend ??= outbox.pending(SOURCE));
		const result = await make({ chunks }).run();
		expect(await storedAtFirstSend).toHaveLength(0);
		expect(await storedAtSend).toHaveLength(5);
		expect(api.sends.map((send) => send.seq).sort()).toEqual([0, 1, 2, 3, 4]);
		expect(api.sends.map((send) => send.key)).toEqual(
			[...api.sends].map((send) => chunks[send.seq].key)
		);
		expect(api.completed).toBe(1);
		expect(result.progress).toMatchObject({
			totalChunks: 5,
			totalRows: 45,
			ackedChunks: 5,
			sentRows: 45,
			acceptedRows: 45,
			rejectedRows: 0,
			retries: 0,
			connection: 'online',
			etaMs: 0
		});
		expect(await outbox.pending(SOURCE)).toEqual([]);
		expect(Math.max(...progress.map((p) => p.inFlight))).toBeLessThanOrEqual(2);
	});

	it('counts accepted and rejected rows per status', async () => {
		const { api, make } = setup();
		const statuses: RowStatus[] = ['imported', 'not_found', 'already_connected', 'updated'];
		api.statusOf = (row) => statuses[row % statuses.length];
		const { progress } = await make({ chunks: await chunksOf(20) }).run();
		expect(progress.counts).toMatchObject({
			imported: 5,
			not_found: 5,
			already_connected: 5,
			updated: 5,
			invalid_row: 0
		});
		expect(progress.acceptedRows).toBe(10);
		expect(progress.rejectedRows).toBe(10);
	});

	it('retries with backoff and keeps the same key and body', async () => {
		const { api, clock, make } = setup();
		api.script = [
			new RetryableError('network', 'reset'),
			new RetryableError('http', '429', { status: 429, retryAfterMs: 2000 })
		];
		const { progress } = await make({ chunks: await chunksOf(10), concurrency: 1 }).run();
		expect(api.sends.map((send) => send.seq)).toEqual([0, 0, 0]);
		expect(new Set(api.sends.map((send) => send.key)).size).toBe(1);
		expect(api.sends[2].body).toEqual(api.sends[0].body);
		expect(clock.sleeps).toEqual([5, 2000]);
		expect(progress.retries).toBe(2);
	});

	it('resumes over the same outbox: only unacknowledged chunks, with their stored bytes', async () => {
		const { api, outbox, make } = setup();
		const chunks = await chunksOf(50);
		const first = make({ chunks, concurrency: 1 });
		api.beforeSend = (seq) => {
			if (seq === 2) first.cancel();
		};
		await expect(first.run()).rejects.toMatchObject({ name: 'FerryError', code: 'aborted' });
		const storedBefore = await outbox.pending(SOURCE);
		expect(storedBefore.map((chunk) => chunk.seq)).toEqual([2, 3, 4]);

		api.beforeSend = () => {};
		const sendsBefore = api.sends.length;
		// No chunks passed: the resumed uploader cannot rebuild anything.
		const { progress } = await make().run();
		const resent = api.sends.slice(sendsBefore);
		expect(resent.map((send) => send.seq)).toEqual([2, 3, 4]);
		for (const send of resent) {
			const stored = storedBefore.find((chunk) => chunk.seq === send.seq)!;
			expect(send.key).toBe(stored.key);
			expect(send.body).toEqual(stored.body);
		}
		// Chunk 2 was applied before the cancel lost its answer: the resend is a replay.
		expect(api.applied.size).toBe(5);
		expect(progress).toMatchObject({ sentRows: 50, ackedChunks: 5, totalRows: 50, replays: 1 });
	});

	it('stores the chunks in a few writes, not one a chunk, and sends nothing if one fails', async () => {
		const writes: number[] = [];
		let failAt = -1;
		class CountingOutbox extends MemoryOutbox {
			override async add(...[id, chunks]: Parameters<MemoryOutbox['add']>) {
				writes.push(chunks.length);
				if (writes.length === failAt) throw new OutboxError('the disk is full');
				return super.add(id, chunks);
			}
		}
		const chunks = await chunksOf(1000, 10);
		const outbox = new CountingOutbox();
		const api = new FakeApi(outbox);
		await new Uploader({ client: api, outbox, sourceId: SOURCE, chunks }).run();
		expect(writes).toEqual([32, 32, 32, 4]);
		expect(api.sends).toHaveLength(100);

		writes.length = 0;
		failAt = 2;
		const failing = new CountingOutbox();
		const refused = new FakeApi(failing);
		const run = new Uploader({ client: refused, outbox: failing, sourceId: SOURCE, chunks }).run();
		await expect(run).rejects.toThrow('the disk is full');
		expect(await failing.isSealed(SOURCE)).toBe(false);
		expect(refused.sends).toHaveLength(0);
	});

	it('refuses to run over an outbox that was never completely stored', async () => {
		const { outbox, make } = setup();
		const [chunk] = await chunksOf(10);
		await outbox.add(SOURCE, [chunk]);
		await expect(make().run()).rejects.toBeInstanceOf(OutboxError);
	});

	it('a resumed build with other rows at a stored seq is refused', async () => {
		const { outbox } = setup();
		const [chunk] = await chunksOf(10);
		await outbox.add(SOURCE, [chunk]);
		await expect(outbox.add(SOURCE, [{ ...chunk, key: 'f'.repeat(64) }])).rejects.toThrow(
			/cannot be replaced/
		);
	});

	it('pause holds new requests; resume continues', async () => {
		const { api, make, progress } = setup();
		const uploader = make({ chunks: await chunksOf(30), concurrency: 1 });
		api.beforeSend = (seq) => {
			if (seq === 0) uploader.pause();
		};
		const running = uploader.run();
		await tick();
		expect(api.sends).toHaveLength(1);
		expect(uploader.progress.connection).toBe('paused');
		await tick();
		expect(api.sends).toHaveLength(1);
		uploader.resume();
		await running;
		expect(api.sends.map((send) => send.seq)).toEqual([0, 1, 2]);
		expect(progress.some((p) => p.connection === 'paused')).toBe(true);
	});

	it('cancel aborts the request in flight', async () => {
		const { api, make } = setup();
		const uploader = make({ chunks: await chunksOf(10) });
		let sawAbort = false;
		api.script = [
			(options) =>
				new Promise((_resolve, reject) => {
					options!.signal!.addEventListener('abort', () => {
						sawAbort = true;
						reject(new Error('aborted'));
					});
				})
		];
		const running = uploader.run();
		await tick();
		uploader.cancel();
		await expect(running).rejects.toMatchObject({ code: 'aborted' });
		expect(sawAbort).toBe(true);
	});

	it('stops everything on a conflict and surfaces it', async () => {
		const { api, make } = setup();
		api.script = [new FatalError('chunk_conflict', '409 chunk_conflict: other body', 409)];
		const error = await make({ chunks: await chunksOf(50), concurrency: 1 })
			.run()
			.catch((caught: unknown) => caught);
		expect(error).toMatchObject({ name: 'FatalError', code: 'chunk_conflict', status: 409 });
		expect(api.sends).toHaveLength(1);
		expect(api.completed).toBe(0);
	});

	it('a chunk whose idempotency record expired is done, with unknown outcomes', async () => {
		const { api, outbox, make } = setup();
		api.script = [new FatalError('idempotency_record_expired', '409', 409)];
		const { progress } = await make({ chunks: await chunksOf(20), concurrency: 1 }).run();
		expect(progress.counts.unknown).toBe(10);
		expect(progress.counts.imported).toBe(10);
		expect((await outbox.acked(SOURCE))[0].results[0]).toMatchObject({ row: 1, status: 'unknown' });
	});

	it('refuses an answer for other rows than were sent', async () => {
		const { api, make } = setup();
		api.script = [async () => ({ results: [{ row: 99, status: 'imported' }], replayed: false })];
		await expect(make({ chunks: await chunksOf(10) }).run()).rejects.toMatchObject({
			code: 'invalid_response'
		});
	});

	it('sends nothing while offline, shows it, and goes on when online fires', async () => {
		const host = Object.assign(new EventTarget(), { navigator: { onLine: false } });
		const { api, make } = setup({
			connectivity: browserConnectivity(host as unknown as ConnectivityHost)
		});
		const uploader = make({ chunks: await chunksOf(20) });
		const running = uploader.run();
		await tick();
		expect(api.sends).toHaveLength(0);
		expect(uploader.progress.connection).toBe('offline');
		host.navigator.onLine = true;
		host.dispatchEvent(new Event('online'));
		const { progress } = await running;
		expect(api.sends).toHaveLength(2);
		expect(progress.connection).toBe('online');
	});

	it('reports rows per second and ETA from its clock', async () => {
		const { api, clock, make, progress } = setup();
		api.beforeSend = () => clock.advance(500);
		await make({ chunks: await chunksOf(40), concurrency: 1 }).run();
		// After the first chunk: 10 rows in 0.5 s; 30 rows left.
		const afterFirst = progress.find((p) => p.ackedChunks === 1)!;
		expect(afterFirst.rowsPerSecond).toBe(20);
		expect(afterFirst.etaMs).toBe(1500);
	});
});
