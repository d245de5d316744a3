import Dexie from 'dexie';
import { isApplied } from '../core/protocol/import-api';
import {
	OutboxError,
	type AckedChunk,
	type NewOutboxChunk,
	type OutboxChunk,
	type OutboxStore,
	type UploadRowResult
} from '../upload/outbox';
import { getDatabase } from './db';
import { followUpsOf, latestRejectedRows } from './follow-ups';
import type {
	ChunkRowResult,
	Destination,
	ResultStatus,
	SourceRecord,
	StoredRowSelection,
	UploadPart,
	UploadRecord
} from './schema';
import { ackChunk, markChunkSent, outboxProgress, pendingChunks, putChunks } from './sources';

/*
 * The uploader's outbox (src/lib/upload/outbox.ts) in IndexedDB, over the chunk functions of
 * sources.ts, plus the upload's own bookkeeping on the source: when it started, whether every chunk
 * is stored (sealed), its end (complete, cancelled, rolled back). Outbox and result writes run with
 * strict durability (db.ts), so an acknowledged chunk stays acknowledged after a power cut.
 */

function outboxError(error: unknown): OutboxError {
	if (error instanceof OutboxError) return error;
	const wrapped = new OutboxError(error instanceof Error ? error.message : String(error));
	wrapped.cause = error;
	return wrapped;
}

async function bodyBytes(body: Blob | Uint8Array | null): Promise<Uint8Array<ArrayBuffer>> {
	if (body === null) throw new OutboxError('A pending chunk has no body.');
	if (body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
	return body as Uint8Array<ArrayBuffer>;
}

/** OutboxStore over the Dexie database: what lets a reload or another tab resume an upload. */
export class DexieOutbox implements OutboxStore {
	async add(sourceId: string, chunks: readonly NewOutboxChunk[]): Promise<void> {
		const source = await getDatabase().sources.get(sourceId);
		if (!source) throw new OutboxError(`Source ${sourceId} is not on this device.`);
		if (!source.upload) throw new OutboxError(`Source ${sourceId} has no upload started.`);
		if (source.upload.chunkCount !== null) {
			// A sealed outbox takes nothing new; the same chunks again are a resumed build (no-op).
			const stored = await getDatabase().outbox.bulkGet(
				chunks.map((chunk) => [sourceId, chunk.seq])
			);
			if (chunks.every((chunk, i) => stored[i]?.key === chunk.key)) return;
			throw new OutboxError(`Source ${sourceId} is sealed: no chunk can be added.`);
		}
		try {
			await putChunks(
				sourceId,
				chunks.map((chunk) => ({
					seq: chunk.seq,
					key: chunk.key,
					body: chunk.body,
					rows: Uint32Array.from(chunk.rows)
				}))
			);
		} catch (error) {
			throw outboxError(error);
		}
	}

	async seal(sourceId: string, chunkCount: number): Promise<void> {
		const db = getDatabase();
		await db.transaction('rw', [db.sources, db.outbox], async () => {
			const source = await db.sources.get(sourceId);
			if (!source?.upload) throw new OutboxError(`Source ${sourceId} has no upload to seal.`);
			const stored = await db.outbox.where('sourceId').equals(sourceId).count();
			if (stored !== chunkCount) {
				throw new OutboxError(`Source ${sourceId} has ${stored} chunks stored, not ${chunkCount}.`);
			}
			if (source.upload.chunkCount === chunkCount) return;
			await db.sources.update(sourceId, {
				upload: { ...source.upload, chunkCount },
				updatedAt: Date.now()
			});
		});
	}

	async isSealed(sourceId: string): Promise<boolean> {
		const source = await getDatabase().sources.get(sourceId);
		return source?.upload?.chunkCount != null;
	}

	async pending(sourceId: string): Promise<OutboxChunk[]> {
		const chunks = await pendingChunks(sourceId);
		return Promise.all(
			chunks.map(async (chunk) => ({
				seq: chunk.seq,
				rows: Array.from(chunk.rows),
				key: chunk.key,
				body: await bodyBytes(chunk.body),
				sends: chunk.attempts
			}))
		);
	}

	async acked(sourceId: string): Promise<AckedChunk[]> {
		const db = getDatabase();
		return db.transaction('r', [db.outbox, db.results], async () => {
			const [chunks, results] = await Promise.all([
				db.outbox.where('[sourceId+state]').equals([sourceId, 'acked']).toArray(),
				db.results.where('sourceId').equals(sourceId).toArray()
			]);
			const bySeq = new Map(results.map((record) => [record.seq, record.results]));
			return chunks
				.sort((a, b) => a.seq - b.seq)
				.map((chunk) => ({
					seq: chunk.seq,
					rows: Array.from(chunk.rows),
					results: bySeq.get(chunk.seq) ?? []
				}));
		});
	}

	async markSent(sourceId: string, seq: number): Promise<void> {
		await markChunkSent(sourceId, seq);
	}

	async ack(sourceId: string, seq: number, results: UploadRowResult[]): Promise<void> {
		try {
			await ackChunk(sourceId, seq, results);
		} catch (error) {
			throw outboxError(error);
		}
	}
}

export interface UploadStart {
	destination: Omit<Destination, 'remoteId'>;
	/** Valid rows to send. */
	rows: number;
	rowsPerChunk: number;
	bytesPerChunk: number;
	/** Which valid rows are sent, when not all of them (the rest after a sample). */
	selection?: StoredRowSelection;
	/** The imports the rows are sent as, when more than the destination takes in one. */
	parts?: UploadPart[];
}

/**
 * Records that the source's upload begins: its destination and limits, status 'uploading' and step
 * 'upload' (so reopening the source resumes it). Starting again after a cancel or a rollback
 * begins afresh: earlier chunks and results of the source are removed. False when the source no
 * longer exists.
 */
export async function startUpload(sourceId: string, start: UploadStart): Promise<boolean> {
	const db = getDatabase();
	return db.transaction('rw', [db.sources, db.outbox, db.results], async () => {
		const source = await db.sources.get(sourceId);
		if (!source) return false;
		await db.outbox.where('sourceId').equals(sourceId).delete();
		await db.results.where('sourceId').equals(sourceId).delete();
		const now = Date.now();
		const upload: UploadRecord = {
			chunkCount: null,
			rows: start.rows,
			rowsPerChunk: start.rowsPerChunk,
			bytesPerChunk: start.bytesPerChunk,
			startedAt: now,
			completedAt: null,
			cancelledAt: null,
			rolledBackAt: null,
			rollback: null,
			...(start.selection ? { selection: start.selection } : {}),
			...(start.parts ? { parts: start.parts } : {})
		};
		await db.sources.update(sourceId, {
			status: 'uploading',
			step: 'upload',
			destination: { ...start.destination, remoteId: null },
			upload,
			resultCounts: {},
			updatedAt: now
		});
		return true;
	});
}

/** The destination gave the source its id (POST /sources): stored before any chunk is sent. */
export async function setRemoteId(sourceId: string, remoteId: string): Promise<void> {
	await patchUpload(sourceId, (source) => {
		if (!source.destination) throw new OutboxError(`Source ${sourceId} has no destination.`);
		return { destination: { ...source.destination, remoteId } };
	});
}

/** The destination gave one of the imports its id; the first one is also the destination's remoteId. */
export async function setPartRemoteId(
	sourceId: string,
	part: number,
	remoteId: string
): Promise<void> {
	await patchUpload(sourceId, (source) => {
		const parts = source.upload.parts;
		if (!parts?.[part] || !source.destination)
			throw new OutboxError(`Source ${sourceId} has no import ${part + 1}.`);
		const updated = parts.map((entry, i) => (i === part ? { ...entry, remoteId } : entry));
		return {
			upload: { ...source.upload, parts: updated },
			...(part === 0 ? { destination: { ...source.destination, remoteId } } : {})
		};
	});
}

/** Every chunk acknowledged and the destination completed the source. */
export function finishUpload(sourceId: string): Promise<void> {
	return patchUpload(sourceId, (source) => ({
		status: 'imported',
		step: 'results',
		upload: { ...source.upload!, completedAt: Date.now() }
	}));
}

/**
 * The admin stopped the upload: chunks not yet acknowledged leave the outbox (they are never sent),
 * the results received so far stay. The rows already applied stay in the destination until rolled
 * back.
 */
export async function cancelUpload(sourceId: string): Promise<void> {
	const db = getDatabase();
	await db.transaction('rw', [db.sources, db.outbox], async () => {
		await db.outbox
			.where('[sourceId+state]')
			.anyOf([
				[sourceId, 'pending'],
				[sourceId, 'sent']
			])
			.delete();
		const source = await db.sources.get(sourceId);
		if (!source?.upload) return;
		await db.sources.update(sourceId, {
			status: 'cancelled',
			step: 'results',
			upload: { ...source.upload, cancelledAt: Date.now() },
			updatedAt: Date.now()
		});
	});
}

/** The destination removed what the source created (DELETE /sources/:id). */
export function markRolledBack(
	sourceId: string,
	rollback: UploadRecord['rollback']
): Promise<void> {
	return patchUpload(sourceId, (source) => ({
		status: 'rolled_back',
		step: 'results',
		upload: { ...source.upload!, rolledBackAt: Date.now(), rollback }
	}));
}

async function patchUpload(
	sourceId: string,
	patch: (source: SourceRecord & { upload: UploadRecord }) => Partial<SourceRecord>
): Promise<void> {
	const db = getDatabase();
	await db.transaction('rw', [db.sources], async () => {
		const source = await db.sources.get(sourceId);
		if (!source?.upload) throw new OutboxError(`Source ${sourceId} has no upload.`);
		await db.sources.update(sourceId, {
			...patch(source as SourceRecord & { upload: UploadRecord }),
			updatedAt: Date.now()
		});
	});
}

/** What a page shows of an upload, from the database alone: the same in every tab. */
export interface UploadSnapshot {
	source: SourceRecord;
	upload: UploadRecord;
	/** Chunks stored so far (all of them once sealed). */
	chunks: number;
	ackedChunks: number;
	/** Rows the destination answered, per status and in all. */
	answeredRows: number;
	acceptedRows: number;
	rejectedRows: number;
}

/**
 * A source's upload as stored, or null when it has none. Reads only (meant for Dexie's liveQuery,
 * which re-runs it when this tab or another one acknowledges a chunk).
 */
export async function uploadSnapshot(sourceId: string): Promise<UploadSnapshot | null> {
	const db = getDatabase();
	return db.transaction('r', [db.sources, db.outbox], async () => {
		const [source, progress] = await Promise.all([
			db.sources.get(sourceId),
			outboxProgress(sourceId)
		]);
		if (!source?.upload) return null;
		let answeredRows = 0;
		let acceptedRows = 0;
		for (const [status, count] of Object.entries(source.resultCounts) as [ResultStatus, number][]) {
			answeredRows += count;
			if (isApplied(status)) acceptedRows += count;
		}
		return {
			source,
			upload: source.upload,
			chunks: progress.pending + progress.sent + progress.acked,
			ackedChunks: progress.acked,
			answeredRows,
			acceptedRows,
			rejectedRows: answeredRows - acceptedRows
		};
	});
}

export interface ResultsPage {
	/** Rows matching the filter, in all. */
	total: number;
	rows: ChunkRowResult[];
}

/**
 * The destination's per-row answers in chunk order, filtered by status (null: all), paged. The total
 * comes from the source's counts, and reading stops once the page is full: a page costs what lies
 * before it, never the whole upload (it is re-read as chunks are acknowledged).
 */
export async function resultsPage(
	sourceId: string,
	status: ResultStatus | null,
	offset: number,
	count: number
): Promise<ResultsPage> {
	const db = getDatabase();
	return db.transaction('r', [db.sources, db.results], async () => {
		const source = await db.sources.get(sourceId);
		const counts = source?.resultCounts ?? {};
		const total =
			status === null
				? Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0)
				: (counts[status] ?? 0);
		const rows: ChunkRowResult[] = [];
		let seen = 0;
		await db.results
			.where('[sourceId+seq]')
			.between([sourceId, Dexie.minKey], [sourceId, Dexie.maxKey])
			.until(() => rows.length >= count)
			.each((record) => {
				for (const result of record.results) {
					if (status !== null && result.status !== status) continue;
					if (seen++ >= offset && rows.length < count) rows.push(result);
				}
			});
		return { total, rows };
	});
}

/** The uploads of a source's follow-up runs as stored, oldest first (meant for a liveQuery too). */
export async function followUpSnapshots(parentId: string): Promise<UploadSnapshot[]> {
	const snapshots: UploadSnapshot[] = [];
	for (const source of await followUpsOf(parentId)) {
		const snapshot = await uploadSnapshot(source.id);
		if (snapshot) snapshots.push(snapshot);
	}
	return snapshots;
}

/**
 * Every row the destination did not apply (any status but imported and updated), with its status
 * and reason, in chunk order: the input of the failure report. Row numbers are the 1-based data-row
 * numbers of the source file, as everywhere else. A source with samples or retries lists each row
 * by its latest answer over those runs (follow-ups.ts), in row order.
 */
export async function rejectedRows(sourceId: string): Promise<ChunkRowResult[]> {
	if ((await followUpsOf(sourceId)).length > 0) return latestRejectedRows(sourceId);
	const rejected: ChunkRowResult[] = [];
	await getDatabase()
		.results.where('[sourceId+seq]')
		.between([sourceId, Dexie.minKey], [sourceId, Dexie.maxKey])
		.each((record) => {
			for (const result of record.results) if (!isApplied(result.status)) rejected.push(result);
		});
	return rejected;
}
