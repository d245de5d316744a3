import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deleteAllLocalData, getDatabase } from '../../../src/lib/storage/db';
import type { ChunkRowResult } from '../../../src/lib/storage/schema';
import {
	ackChunk,
	createSource,
	loadSource,
	markChunkSent,
	outboxProgress,
	pendingChunks,
	putChunks,
	resultsByChunk,
	type NewChunk
} from '../../../src/lib/storage/sources';
import { blobBytes, bytesOf, sampleSource } from './helpers';

let sourceId: string;

beforeEach(async () => {
	await deleteAllLocalData();
	sourceId = (await createSource(sampleSource())).id;
});

afterEach(() => {
	vi.restoreAllMocks();
});

function chunk(
	seq: number,
	rows: number[],
	body: Blob | Uint8Array = bytesOf(`gz-${seq}`)
): NewChunk {
	return { seq, key: `key-${seq}`, body, rows: new Uint32Array(rows) };
}

const imported = (rows: number[]): ChunkRowResult[] =>
	rows.map((row) => ({ row, status: 'imported' }));

describe('putChunks / pendingChunks', () => {
	it('returns the queued chunks in seq order, bodies and rows intact', async () => {
		const blobBody = new Blob([bytesOf('gzip as blob')]);
		expect(
			await putChunks(sourceId, [chunk(2, [5, 6]), chunk(0, [1, 2]), chunk(1, [3, 4], blobBody)])
		).toBe(3);

		const pending = await pendingChunks(sourceId);
		expect(pending.map((c) => [c.seq, c.key, c.state, c.attempts, [...c.rows]])).toEqual([
			[0, 'key-0', 'pending', 0, [1, 2]],
			[1, 'key-1', 'pending', 0, [3, 4]],
			[2, 'key-2', 'pending', 0, [5, 6]]
		]);
		expect(pending[0].body).toEqual(bytesOf('gz-0'));
		expect(pending[0].rows).toBeInstanceOf(Uint32Array);
		expect(await blobBytes(pending[1].body as Blob)).toEqual(bytesOf('gzip as blob'));
	});

	it('keeps a queued chunk as it is when the same chunk is queued again', async () => {
		await putChunks(sourceId, [chunk(0, [1])]);
		await markChunkSent(sourceId, 0);
		expect(await putChunks(sourceId, [chunk(0, [1]), chunk(1, [2])])).toBe(1);

		const pending = await pendingChunks(sourceId);
		expect(pending.map((c) => [c.seq, c.state, c.attempts])).toEqual([
			[0, 'sent', 1],
			[1, 'pending', 0]
		]);
	});

	it('refuses a chunk rebuilt with another body and queues none of the batch', async () => {
		await putChunks(sourceId, [chunk(0, [1])]);
		const rebuilt = { ...chunk(0, [1]), key: 'another-key' };
		await expect(putChunks(sourceId, [chunk(1, [2]), rebuilt])).rejects.toThrow(/never rebuilt/);
		expect((await pendingChunks(sourceId)).map((c) => [c.seq, c.key])).toEqual([[0, 'key-0']]);
	});

	it('keeps each source’s chunks apart', async () => {
		const other = (await createSource(sampleSource())).id;
		await putChunks(sourceId, [chunk(0, [1])]);
		await putChunks(other, [chunk(0, [9]), chunk(1, [10])]);
		expect((await pendingChunks(sourceId)).map((c) => [...c.rows])).toEqual([[1]]);
		expect((await pendingChunks(other)).map((c) => [...c.rows])).toEqual([[9], [10]]);
	});
});

describe('markChunkSent', () => {
	it('counts attempts and leaves an acknowledged chunk alone', async () => {
		await putChunks(sourceId, [chunk(0, [1]), chunk(1, [2])]);
		await markChunkSent(sourceId, 0);
		await markChunkSent(sourceId, 0);
		await markChunkSent(sourceId, 1);
		await ackChunk(sourceId, 1, imported([2]));
		await markChunkSent(sourceId, 1);

		const stored = await getDatabase().outbox.where('sourceId').equals(sourceId).sortBy('seq');
		expect(stored.map((c) => [c.seq, c.state, c.attempts])).toEqual([
			[0, 'sent', 2],
			[1, 'acked', 1]
		]);
		expect(stored[0].sentAt).toEqual(expect.any(Number));
	});
});

describe('ackChunk', () => {
	it('acknowledges in any order; pending keeps seq order without the acknowledged', async () => {
		await putChunks(sourceId, [chunk(0, [1, 2]), chunk(1, [3]), chunk(2, [4])]);
		await ackChunk(sourceId, 2, imported([4]));
		await ackChunk(sourceId, 0, [
			{ row: 1, status: 'imported' },
			{ row: 2, status: 'not_found', reason: 'no account has this email' }
		]);

		expect((await pendingChunks(sourceId)).map((c) => c.seq)).toEqual([1]);
		expect(await resultsByChunk(sourceId)).toEqual([
			[
				{ row: 1, status: 'imported' },
				{ row: 2, status: 'not_found', reason: 'no account has this email' }
			],
			[{ row: 4, status: 'imported' }]
		]);
		expect(await outboxProgress(sourceId)).toEqual({ pending: 1, sent: 0, acked: 2 });
		expect((await loadSource(sourceId))?.source.resultCounts).toEqual({
			imported: 2,
			not_found: 1
		});
	});

	it("reads back every chunk's answers in order, past the chunks one read takes", async () => {
		const seqs = Array.from({ length: 40 }, (_, seq) => seq);
		await putChunks(
			sourceId,
			seqs.map((seq) => chunk(seq, [seq * 2, seq * 2 + 1]))
		);
		for (const seq of [...seqs].reverse())
			await ackChunk(sourceId, seq, imported([seq * 2, seq * 2 + 1]));
		expect(await resultsByChunk(sourceId)).toEqual(
			seqs.map((seq) => imported([seq * 2, seq * 2 + 1]))
		);
	});

	it('frees the body of an acknowledged chunk and stamps the time', async () => {
		await putChunks(sourceId, [chunk(0, [1])]);
		await ackChunk(sourceId, 0, imported([1]));
		const stored = await getDatabase().outbox.get([sourceId, 0]);
		expect(stored).toMatchObject({ state: 'acked', body: null, ackedAt: expect.any(Number) });
		expect([...stored!.rows]).toEqual([1]);
	});

	it('is harmless the second time: the first answer and the counts stay', async () => {
		await putChunks(sourceId, [chunk(0, [1])]);
		expect(await ackChunk(sourceId, 0, imported([1]))).toBe(true);
		const first = await getDatabase().outbox.get([sourceId, 0]);
		expect(await ackChunk(sourceId, 0, [{ row: 1, status: 'invalid_row' }])).toBe(false);

		expect(await resultsByChunk(sourceId)).toEqual([imported([1])]);
		expect((await loadSource(sourceId))?.source.resultCounts).toEqual({ imported: 1 });
		expect((await getDatabase().outbox.get([sourceId, 0]))?.ackedAt).toBe(first?.ackedAt);
	});

	it('refuses an answer for a chunk that was never queued', async () => {
		await expect(ackChunk(sourceId, 7, imported([1]))).rejects.toThrow(/not in the outbox/);
		expect(await resultsByChunk(sourceId)).toEqual([]);
	});

	it('writes the outbox and the results with strict durability, other tables with the default', async () => {
		const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction');
		// The spy must be in place when Dexie binds IDBDatabase.transaction at open.
		await deleteAllLocalData();
		const { id } = await createSource(sampleSource());
		await putChunks(id, [chunk(0, [1])]);
		await ackChunk(id, 0, imported([1]));

		const writes = transaction.mock.calls
			.filter(([, mode]) => mode === 'readwrite')
			.map(([stores, , options]) => ({
				stores: [...(typeof stores === 'string' ? [stores] : stores)].sort().join(','),
				durability: options?.durability ?? 'default'
			}));
		expect(writes).toEqual([
			{ stores: 'files,previews,sources', durability: 'default' },
			{ stores: 'outbox', durability: 'strict' },
			{ stores: 'outbox,results,sources', durability: 'strict' }
		]);
	});
});
