import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deleteAllLocalData, getDatabase } from '../../../src/lib/storage/db';
import {
	DexieOutbox,
	cancelUpload,
	finishUpload,
	markRolledBack,
	rejectedRows,
	resultsPage,
	setRemoteId,
	startUpload,
	uploadSnapshot,
	type UploadStart
} from '../../../src/lib/storage/outbox-store';
import { createSource, loadSource, pendingChunks } from '../../../src/lib/storage/sources';
import { buildChunks, type BuiltChunk } from '../../../src/lib/upload/chunks';
import type { SourceView } from '../../../src/lib/core/protocol/import-api';
import type { CallOptions, ChunkResponse } from '../../../src/lib/upload/client';
import { OutboxError, type NewOutboxChunk } from '../../../src/lib/upload/outbox';
import { Uploader, type ChunkSender } from '../../../src/lib/upload/uploader';
import { bytesOf, sampleSource } from './helpers';

const START: UploadStart = {
	destination: { url: 'http://127.0.0.1:8787/api/v1', mode: 'link', upsert: false },
	rows: 6,
	rowsPerChunk: 2,
	bytesPerChunk: 1 << 20
};

let sourceId: string;
let outbox: DexieOutbox;

beforeEach(async () => {
	await deleteAllLocalData();
	sourceId = (await createSource(sampleSource())).id;
	outbox = new DexieOutbox();
});

afterEach(() => {
	vi.restoreAllMocks();
});

function chunk(seq: number, rows: number[], key = `key-${seq}`): NewOutboxChunk {
	return { seq, rows, key, body: bytesOf(`gzip of chunk ${seq}`) };
}

async function staged(count = 3): Promise<void> {
	await startUpload(sourceId, START);
	for (let seq = 0; seq < count; seq++)
		await outbox.add(sourceId, [chunk(seq, [2 * seq + 1, 2 * seq + 2])]);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
	return promise.then(
		() => {
			throw new Error('expected a rejection');
		},
		(error: unknown) => error
	);
}

describe('DexieOutbox: add, seal, pending', () => {
	it('hands back every added chunk in seq order with its exact key, body and rows', async () => {
		await startUpload(sourceId, START);
		await outbox.add(sourceId, [chunk(1, [3, 4])]);
		await outbox.add(sourceId, [chunk(0, [1, 2])]);
		const pending = await outbox.pending(sourceId);
		expect(pending).toEqual([
			{ seq: 0, rows: [1, 2], key: 'key-0', body: bytesOf('gzip of chunk 0'), sends: 0 },
			{ seq: 1, rows: [3, 4], key: 'key-1', body: bytesOf('gzip of chunk 1'), sends: 0 }
		]);
		expect(pending[0].body).toBeInstanceOf(Uint8Array);
	});

	it('ignores the same chunk added again and refuses it rebuilt with other rows', async () => {
		await staged(1);
		await outbox.add(sourceId, [chunk(0, [1, 2])]);
		const error = await rejection(outbox.add(sourceId, [chunk(0, [1, 2], 'another-key')]));
		expect(error).toBeInstanceOf(OutboxError);
		expect((await outbox.pending(sourceId)).map((c) => c.key)).toEqual(['key-0']);
	});

	it('stores a batch all or none: a rebuilt chunk in it keeps the others out', async () => {
		await staged(1);
		const batch = [chunk(1, [3, 4]), chunk(0, [1, 2], 'another-key'), chunk(2, [5])];
		expect(await rejection(outbox.add(sourceId, batch))).toBeInstanceOf(OutboxError);
		expect((await outbox.pending(sourceId)).map((c) => c.seq)).toEqual([0]);
		await outbox.add(sourceId, [chunk(1, [3, 4]), chunk(0, [1, 2]), chunk(2, [5])]);
		expect((await outbox.pending(sourceId)).map((c) => c.seq)).toEqual([0, 1, 2]);
	});

	it('refuses chunks for a source without an upload, or no longer on the device', async () => {
		expect(await rejection(outbox.add(sourceId, [chunk(0, [1])]))).toBeInstanceOf(OutboxError);
		expect(await rejection(outbox.add('gone', [chunk(0, [1])]))).toBeInstanceOf(OutboxError);
		expect(await pendingChunks(sourceId)).toEqual([]);
	});

	it('seals only with the number of chunks stored; sealed, it takes no new chunk', async () => {
		await staged(3);
		expect(await outbox.isSealed(sourceId)).toBe(false);
		expect(await rejection(outbox.seal(sourceId, 4))).toBeInstanceOf(OutboxError);
		expect(await outbox.isSealed(sourceId)).toBe(false);
		await outbox.seal(sourceId, 3);
		expect(await outbox.isSealed(sourceId)).toBe(true);
		expect((await loadSource(sourceId))?.source.upload?.chunkCount).toBe(3);
		// A resumed build offering the same chunk is harmless; a new one is refused.
		await outbox.add(sourceId, [chunk(2, [5, 6])]);
		expect(await rejection(outbox.add(sourceId, [chunk(3, [7])]))).toBeInstanceOf(OutboxError);
		await outbox.seal(sourceId, 3);
	});
});

describe('DexieOutbox: markSent, ack, acked', () => {
	it('counts sends, moves an answered chunk to acked with its results, keeps the first answer', async () => {
		await staged(3);
		await outbox.markSent(sourceId, 1);
		await outbox.markSent(sourceId, 1);
		expect((await outbox.pending(sourceId)).map((c) => [c.seq, c.sends])).toEqual([
			[0, 0],
			[1, 2],
			[2, 0]
		]);

		await outbox.ack(sourceId, 1, [
			{ row: 3, status: 'imported' },
			{ row: 4, status: 'not_found', reason: 'no account has this email' }
		]);
		await outbox.ack(sourceId, 1, [
			{ row: 3, status: 'invalid_row' },
			{ row: 4, status: 'invalid_row' }
		]);
		await outbox.ack(sourceId, 0, [
			{ row: 1, status: 'unknown', reason: 'applied earlier' },
			{ row: 2, status: 'updated' }
		]);

		expect((await outbox.pending(sourceId)).map((c) => c.seq)).toEqual([2]);
		expect(await outbox.acked(sourceId)).toEqual([
			{
				seq: 0,
				rows: [1, 2],
				results: [
					{ row: 1, status: 'unknown', reason: 'applied earlier' },
					{ row: 2, status: 'updated' }
				]
			},
			{
				seq: 1,
				rows: [3, 4],
				results: [
					{ row: 3, status: 'imported' },
					{ row: 4, status: 'not_found', reason: 'no account has this email' }
				]
			}
		]);
		expect((await loadSource(sourceId))?.source.resultCounts).toEqual({
			imported: 1,
			not_found: 1,
			unknown: 1,
			updated: 1
		});
	});

	it('refuses an answer for a chunk it never stored', async () => {
		await staged(1);
		expect(
			await rejection(outbox.ack(sourceId, 9, [{ row: 1, status: 'imported' }]))
		).toBeInstanceOf(OutboxError);
	});

	it('writes every outbox change with strict durability', async () => {
		const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction');
		await deleteAllLocalData();
		sourceId = (await createSource(sampleSource())).id;
		transaction.mockClear();
		await staged(1);
		await outbox.seal(sourceId, 1);
		await outbox.markSent(sourceId, 0);
		await outbox.ack(sourceId, 0, [{ row: 1, status: 'imported' }]);
		const writes = transaction.mock.calls.filter(([, mode]) => mode === 'readwrite');
		expect(writes.length).toBeGreaterThanOrEqual(4);
		for (const [, , options] of writes) expect(options?.durability).toBe('strict');
	});
});

/** An import API in memory: applies each seq once and answers a repeat from its record. */
class FakeApi implements ChunkSender {
	readonly applied = new Map<number, { key: string; body: Uint8Array; rows: number[] }>();
	readonly sends: { seq: number; key: string; body: Uint8Array }[] = [];
	replays = 0;
	completed = 0;
	/** Applies this seq, then never answers (until the caller gives up): a lost answer. */
	loseAnswerOf: number | null = null;
	/** Called once the lost answer's chunk is applied. */
	onAnswerLost = () => {};

	async putChunk(
		_sourceId: string,
		seq: number,
		key: string,
		body: Uint8Array,
		options?: CallOptions
	): Promise<ChunkResponse> {
		this.sends.push({ seq, key, body: body.slice() });
		const text = await new Response(
			new Blob([body as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'))
		).text();
		const rows = (JSON.parse(text) as { rows: { row: number }[] }).rows.map((r) => r.row);
		const previous = this.applied.get(seq);
		if (previous) {
			if (previous.key !== key) throw new Error(`seq ${seq} came back with another key`);
			this.replays++;
		} else this.applied.set(seq, { key, body: body.slice(), rows });
		if (seq === this.loseAnswerOf) {
			this.loseAnswerOf = null;
			await new Promise((_, reject) => {
				options?.signal?.addEventListener('abort', () => reject(new Error('aborted')));
				this.onAnswerLost();
			});
		}
		return {
			results: rows.map((row) => ({ row, status: row % 5 === 0 ? 'not_found' : 'imported' })),
			replayed: previous !== undefined
		};
	}

	async complete(): Promise<SourceView> {
		this.completed++;
		return { id: 'remote', status: 'complete' } as SourceView;
	}
}

async function chunksFor(rows: number): Promise<BuiltChunk[]> {
	const all: BuiltChunk[] = [];
	const input = Array.from({ length: rows }, (_, i) => ({
		row: i + 1,
		record: { user_id: `u${i + 1}`, email: `u${i + 1}@example.com` }
	}));
	for await (const built of buildChunks(input, { rowsPerChunk: 10, bytesPerChunk: 1 << 20 }))
		all.push(built);
	return all;
}

describe('an Uploader over DexieOutbox', () => {
	it('resumes after an interruption from what is stored: nothing missing, nothing applied twice', async () => {
		await startUpload(sourceId, { ...START, rows: 95, rowsPerChunk: 10 });
		const api = new FakeApi();
		api.loseAnswerOf = 4;
		const first = new Uploader({
			client: api,
			outbox,
			sourceId,
			chunks: await chunksFor(95),
			concurrency: 1
		});
		// The answer of chunk 4 is lost, like a tab closed while it was in flight.
		api.onAnswerLost = () => first.cancel();
		const error = await rejection(first.run());
		expect(error).toMatchObject({ code: 'aborted' });
		expect(api.applied.size).toBe(5);
		expect(api.completed).toBe(0);

		// "Reload": a new connection, a new store, a new Uploader given no chunks.
		getDatabase().close({ disableAutoOpen: false });
		await getDatabase().open();
		const resumed = new Uploader({ client: api, outbox: new DexieOutbox(), sourceId });
		const result = await resumed.run();

		expect(api.completed).toBe(1);
		expect(api.replays).toBe(1);
		const sendsOf4 = api.sends.filter((send) => send.seq === 4);
		expect(sendsOf4).toHaveLength(2);
		expect(sendsOf4[1]).toEqual(sendsOf4[0]);
		// Chunks 0–3 were never sent again.
		expect(api.sends.map((send) => send.seq).filter((seq) => seq < 4)).toEqual([0, 1, 2, 3]);
		const sentRows = [...api.applied.values()].flatMap((applied) => applied.rows);
		expect(sentRows.sort((a, b) => a - b)).toEqual(Array.from({ length: 95 }, (_, i) => i + 1));
		expect(result.progress).toMatchObject({ totalRows: 95, sentRows: 95, rejectedRows: 19 });
		expect(await outbox.pending(sourceId)).toEqual([]);
		expect((await loadSource(sourceId))?.source.resultCounts).toEqual({
			imported: 76,
			not_found: 19
		});
	});
});

describe('upload bookkeeping', () => {
	it('snapshots, pages and filters the results, and lists the rejected rows', async () => {
		await staged(3);
		await outbox.seal(sourceId, 3);
		await setRemoteId(sourceId, 'remote-1');
		await outbox.ack(sourceId, 0, [
			{ row: 1, status: 'imported' },
			{ row: 2, status: 'already_connected', reason: 'connected by an earlier source' }
		]);
		await outbox.ack(sourceId, 1, [
			{ row: 3, status: 'updated' },
			{ row: 4, status: 'not_found', reason: 'no account has this email' }
		]);

		const snapshot = await uploadSnapshot(sourceId);
		expect(snapshot).toMatchObject({
			chunks: 3,
			ackedChunks: 2,
			answeredRows: 4,
			acceptedRows: 2,
			rejectedRows: 2,
			upload: { rows: 6, chunkCount: 3, rowsPerChunk: 2 }
		});
		expect(snapshot?.source).toMatchObject({
			status: 'uploading',
			step: 'upload',
			destination: { mode: 'link', remoteId: 'remote-1' }
		});

		expect(await resultsPage(sourceId, null, 1, 2)).toEqual({
			total: 4,
			rows: [
				{ row: 2, status: 'already_connected', reason: 'connected by an earlier source' },
				{ row: 3, status: 'updated' }
			]
		});
		expect(await resultsPage(sourceId, 'not_found', 0, 10)).toEqual({
			total: 1,
			rows: [{ row: 4, status: 'not_found', reason: 'no account has this email' }]
		});
		expect((await rejectedRows(sourceId)).map((r) => [r.row, r.status])).toEqual([
			[2, 'already_connected'],
			[4, 'not_found']
		]);
	});

	it('finishes, cancels and rolls back; a new start clears the earlier upload', async () => {
		expect(await uploadSnapshot(sourceId)).toBeNull();
		await staged(3);
		await outbox.ack(sourceId, 0, [
			{ row: 1, status: 'imported' },
			{ row: 2, status: 'imported' }
		]);
		await cancelUpload(sourceId);
		let source = (await loadSource(sourceId))!.source;
		expect(source).toMatchObject({ status: 'cancelled', step: 'results' });
		expect(source.upload?.cancelledAt).toEqual(expect.any(Number));
		expect(await outbox.pending(sourceId)).toEqual([]);
		expect((await outbox.acked(sourceId)).map((c) => c.seq)).toEqual([0]);

		await markRolledBack(sourceId, { removedAccounts: 2, removedLinks: 0, keptUpdates: 0 });
		source = (await loadSource(sourceId))!.source;
		expect(source.status).toBe('rolled_back');
		expect(source.upload?.rollback).toEqual({
			removedAccounts: 2,
			removedLinks: 0,
			keptUpdates: 0
		});

		await staged(1);
		source = (await loadSource(sourceId))!.source;
		expect(source).toMatchObject({ status: 'uploading', resultCounts: {} });
		expect(source.upload).toMatchObject({ chunkCount: null, rollback: null, rolledBackAt: null });
		expect(await resultsPage(sourceId, null, 0, 10)).toEqual({ total: 0, rows: [] });
		await outbox.seal(sourceId, 1);
		await outbox.ack(sourceId, 0, [{ row: 1, status: 'imported' }]);
		await finishUpload(sourceId);
		source = (await loadSource(sourceId))!.source;
		expect(source).toMatchObject({ status: 'imported', step: 'results' });
		expect(source.upload?.completedAt).toEqual(expect.any(Number));
	});
});
