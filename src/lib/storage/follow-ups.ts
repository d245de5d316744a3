import { isApplied } from '../core/protocol/import-api';
import { latestAnswers, rowsToRetry } from '../upload/selection';
import { getDatabase } from './db';
import { resultsByChunk } from './sources';
import type {
	ChunkRowResult,
	Destination,
	FollowUpKind,
	SourceRecord,
	StoredRowSelection,
	UploadRecord
} from './schema';

/*
 * Follow-up runs of a source: a dry run, a sample sent first, a retry of the refused rows. Each is
 * a source record of its own (`followUp` names the source it belongs to), so the outbox, the
 * uploader, the results and the rollback work on it exactly as on the source itself; it has no
 * file: its chunks are built from the source's.
 */

export interface NewFollowUp {
	kind: FollowUpKind;
	name: string;
	destination: Omit<Destination, 'remoteId'>;
	selection: StoredRowSelection;
	/** Rows the selection sends. */
	rows: number;
	rowsPerChunk: number;
	bytesPerChunk: number;
}

/** Records a follow-up run of `parentId`, uploading from the start; null when the source is gone. */
export async function startFollowUp(parentId: string, run: NewFollowUp): Promise<string | null> {
	const db = getDatabase();
	return db.transaction('rw', [db.sources], async () => {
		const parent = await db.sources.get(parentId);
		if (!parent) return null;
		const now = Date.now();
		const upload: UploadRecord = {
			chunkCount: null,
			rows: run.rows,
			rowsPerChunk: run.rowsPerChunk,
			bytesPerChunk: run.bytesPerChunk,
			startedAt: now,
			completedAt: null,
			cancelledAt: null,
			rolledBackAt: null,
			rollback: null,
			selection: run.selection
		};
		const followUp: SourceRecord = {
			id: crypto.randomUUID(),
			name: run.name,
			createdAt: now,
			updatedAt: now,
			status: 'uploading',
			step: 'upload',
			fileName: parent.fileName,
			fileBytes: 0,
			headerSignature: parent.headerSignature,
			mapping: parent.mapping,
			readOptions: parent.readOptions,
			counts: parent.counts,
			resultCounts: {},
			destination: { ...run.destination, remoteId: null },
			upload,
			followUp: { parentId, kind: run.kind }
		};
		await db.sources.add(followUp);
		return followUp.id;
	});
}

/** Every follow-up run on this device, oldest first (sources are few: no index needed). */
export async function listFollowUps(): Promise<SourceRecord[]> {
	const all = await getDatabase().sources.toArray();
	return all.filter((source) => source.followUp).sort((a, b) => a.createdAt - b.createdAt);
}

/** The follow-ups of one source, oldest first. */
export async function followUpsOf(parentId: string): Promise<SourceRecord[]> {
	return (await listFollowUps()).filter((source) => source.followUp?.parentId === parentId);
}

/**
 * The runs whose answers stand for the source's rows, oldest first: its own upload and its samples
 * and retries; dry runs changed nothing, and a rolled-back run's answers no longer hold.
 */
async function answeringRuns(parentId: string): Promise<string[]> {
	const parent = await getDatabase().sources.get(parentId);
	const runs = [parent, ...(await followUpsOf(parentId))];
	return runs
		.filter(
			(run): run is SourceRecord =>
				run !== undefined && run.followUp?.kind !== 'dry_run' && run.status !== 'rolled_back'
		)
		.map((run) => run.id);
}

/** The answers of the source's answering runs, chunk by chunk, oldest run first. */
async function answersOf(parentId: string): Promise<ChunkRowResult[][]> {
	const chunks: ChunkRowResult[][] = [];
	for (const id of await answeringRuns(parentId))
		for (const chunk of await resultsByChunk(id)) chunks.push(chunk);
	return chunks;
}

/** The rows a retry sends again: the latest answer refused them (upload/selection.ts). */
export async function refusedRows(parentId: string): Promise<number[]> {
	return rowsToRetry(await answersOf(parentId));
}

/**
 * Every row the destination did not apply, by its latest answer over the source's runs, in row
 * order: what the failure report lists once samples or retries were sent.
 */
export async function latestRejectedRows(parentId: string): Promise<ChunkRowResult[]> {
	const latest = latestAnswers(await answersOf(parentId));
	return [...latest.values()]
		.filter((result) => !isApplied(result.status))
		.sort((a, b) => a.row - b.row);
}
