import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { deleteAllLocalData, getDatabase } from '../../../src/lib/storage/db';
import {
	followUpsOf,
	listFollowUps,
	refusedRows,
	startFollowUp,
	type NewFollowUp
} from '../../../src/lib/storage/follow-ups';
import {
	DexieOutbox,
	followUpSnapshots,
	markRolledBack,
	rejectedRows,
	startUpload
} from '../../../src/lib/storage/outbox-store';
import type {
	ChunkRowResult,
	FollowUpKind,
	StoredRowSelection
} from '../../../src/lib/storage/schema';
import { createSource, deleteSource, listSources } from '../../../src/lib/storage/sources';
import type { RowSelection } from '../../../src/lib/upload/selection';
import { bytesOf, sampleSource } from './helpers';

let sourceId: string;

beforeEach(async () => {
	await deleteAllLocalData();
	sourceId = (await createSource(sampleSource())).id;
});

const destination = { url: 'http://127.0.0.1:8787', mode: 'link' as const, upsert: false };

function run(kind: FollowUpKind, selection: StoredRowSelection, rows: number): NewFollowUp {
	return {
		kind,
		name: `users.csv — ${kind}`,
		destination,
		selection,
		rows,
		rowsPerChunk: 10,
		bytesPerChunk: 10_000
	};
}

/** Sends one chunk of the run's results through the outbox, as the uploader does. */
async function answer(runId: string, results: ChunkRowResult[]): Promise<void> {
	const outbox = new DexieOutbox();
	const seq = (await outbox.acked(runId)).length + (await outbox.pending(runId)).length;
	await outbox.add(runId, [
		{ seq, rows: results.map((r) => r.row), key: `k${runId}${seq}`, body: bytesOf('gz') }
	]);
	await outbox.ack(runId, seq, results);
}

describe('follow-up runs', () => {
	it("store the row selection in the upload's own shape", () => {
		// The stored type mirrors the upload's own: a change to either must be a decision.
		expectTypeOf<StoredRowSelection>().toEqualTypeOf<RowSelection>();
	});

	it('are uploads of their own, listed under their source and not among the sources', async () => {
		const dry = await startFollowUp(sourceId, run('dry_run', { kind: 'all' }, 3));
		expect(dry).not.toBeNull();
		expect((await listSources()).map((source) => source.id)).toEqual([sourceId]);
		expect((await listFollowUps()).map((source) => source.id)).toEqual([dry]);
		const [snapshot] = await followUpSnapshots(sourceId);
		expect(snapshot.source).toMatchObject({
			status: 'uploading',
			followUp: { parentId: sourceId, kind: 'dry_run' },
			destination: { ...destination, remoteId: null }
		});
		expect(snapshot.upload).toMatchObject({
			rows: 3,
			selection: { kind: 'all' },
			chunkCount: null
		});
		expect(await startFollowUp('gone', run('sample', { kind: 'first', count: 1 }, 1))).toBeNull();
	});

	it('the rows to retry are refused by their latest answer over the runs; dry runs do not count', async () => {
		await startUpload(sourceId, { destination, rows: 3, rowsPerChunk: 10, bytesPerChunk: 10_000 });
		await answer(sourceId, [
			{ row: 1, status: 'imported' },
			{ row: 2, status: 'not_found', reason: 'no account has this email' },
			{ row: 3, status: 'not_found', reason: 'no account has this email' }
		]);
		const dry = (await startFollowUp(sourceId, run('dry_run', { kind: 'all' }, 3)))!;
		await answer(dry, [{ row: 1, status: 'not_found' }]);
		expect(await refusedRows(sourceId)).toEqual([2, 3]);

		const retry = (await startFollowUp(sourceId, run('retry', { kind: 'rows', rows: [2, 3] }, 2)))!;
		await answer(retry, [
			{ row: 2, status: 'imported' },
			{ row: 3, status: 'already_exists', reason: 'an account with this email exists' }
		]);
		expect(await refusedRows(sourceId)).toEqual([3]);
		// The failure report lists each row by its latest answer.
		expect(await rejectedRows(sourceId)).toEqual([
			{ row: 3, status: 'already_exists', reason: 'an account with this email exists' }
		]);
		// A rolled-back retry's answers no longer hold.
		await markRolledBack(retry, { removedAccounts: 1, removedLinks: 0, keptUpdates: 0 });
		expect(await refusedRows(sourceId)).toEqual([2, 3]);
	});

	it("the source's own upload after a sample stores the rest as its selection", async () => {
		await startUpload(sourceId, {
			destination,
			rows: 1,
			rowsPerChunk: 10,
			bytesPerChunk: 10_000,
			selection: { kind: 'after', count: 2 }
		});
		const [source] = await listSources();
		expect(source.upload?.selection).toEqual({ kind: 'after', count: 2 });
		// Starting again without a sample sends every row: the selection does not linger.
		await startUpload(sourceId, { destination, rows: 3, rowsPerChunk: 10, bytesPerChunk: 10_000 });
		expect((await listSources())[0].upload?.selection).toBeUndefined();
	});

	it('go with their source when it is deleted', async () => {
		const sample = (await startFollowUp(sourceId, run('sample', { kind: 'first', count: 2 }, 2)))!;
		await answer(sample, [{ row: 1, status: 'imported' }]);
		await deleteSource(sourceId);
		expect(await followUpsOf(sourceId)).toEqual([]);
		expect(await getDatabase().results.where('sourceId').equals(sample).count()).toBe(0);
		expect(await getDatabase().outbox.where('sourceId').equals(sample).count()).toBe(0);
	});
});
