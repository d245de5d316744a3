import Dexie from 'dexie';
import { headerSignature } from '../core/mapping/automap';
import { readReportHeader } from '../core/report/format';
import { getDatabase, type FerryDatabase } from './db';
import {
	isQuotaError,
	requestPersistence,
	storageState,
	StorageFullError,
	type DeletionCandidate
} from './quota';
import type {
	ChunkRowResult,
	EditStepRecord,
	StoredRowChange,
	FileRecord,
	OutboxChunkRecord,
	PreviewRecord,
	ReportRecord,
	ResultRecord,
	SourceCounts,
	SourceRecord,
	SourceStep,
	StoredMapping,
	StoredPreview,
	StoredReadOptions,
	StoredSending
} from './schema';

/*
 * The repository the UI and the uploader use. Reads never write, so each read function can be
 * wrapped in Dexie's liveQuery (and then re-runs when another tab changes what it read). Every
 * write that stores user data turns a quota failure into a StorageFullError; IndexedDB rolls the
 * whole transaction back, so nothing is left half-written and the same call can simply be retried
 * once space is freed.
 */

/** A dropped file to store as a source on this device. */
export interface NewLocalSource {
	/** Shown in the list; defaults to the file name. */
	name?: string;
	fileName: string;
	/** The original bytes as dropped. */
	file: Blob;
	preview: StoredPreview;
	mapping: StoredMapping;
	readOptions: StoredReadOptions;
	step?: SourceStep;
	/** The hash config, role mapping and organization chosen before the source was stored. */
	sending?: StoredSending;
}

export type SourcePatch = Partial<Omit<SourceRecord, 'id' | 'createdAt' | 'updatedAt'>>;

export interface OutboxProgress {
	pending: number;
	sent: number;
	acked: number;
}

/** Everything needed to return to a source's last step without reading the file from disk again. */
export interface LoadedSource {
	source: SourceRecord;
	file: FileRecord;
	preview: StoredPreview;
	hasReport: boolean;
	outbox: OutboxProgress;
}

/**
 * The array itself when it owns its whole buffer, else a right-sized copy: IndexedDB clones the
 * entire underlying ArrayBuffer, so a view into a larger buffer would store the slack too.
 */
function ownBuffer<T extends Uint32Array | Uint8Array>(array: T): T {
	return array.byteOffset === 0 && array.byteLength === array.buffer.byteLength
		? array
		: (array.slice() as T);
}

export interface NewChunk {
	seq: number;
	/** Idempotency-Key: sha256 of the body. */
	key: string;
	body: Blob | Uint8Array;
	rows: Uint32Array;
}

/** How many sources to name in a StorageFullError. */
const DELETION_CANDIDATES = 3;

/** Runs a write; a quota failure becomes a StorageFullError that says what to delete. */
async function guardQuota<T>(what: string, write: () => Promise<T>): Promise<T> {
	try {
		return await write();
	} catch (error) {
		if (!isQuotaError(error)) throw error;
		const [{ estimate }, candidates] = await Promise.all([
			storageState(),
			largestSources().catch(() => [])
		]);
		throw new StorageFullError(what, estimate, candidates, { cause: error });
	}
}

async function largestSources(): Promise<DeletionCandidate[]> {
	const sources = await getDatabase().sources.toArray();
	return sources
		.filter((source) => !source.followUp)
		.map((source) => ({ id: source.id, name: source.name, bytes: source.fileBytes }))
		.sort((a, b) => b.bytes - a.bytes)
		.slice(0, DELETION_CANDIDATES);
}

/** Stores a dropped file as a new source: the source, its bytes and its preview in one transaction. */
export async function createSource(input: NewLocalSource): Promise<SourceRecord> {
	const db = getDatabase();
	const now = Date.now();
	const source: SourceRecord = {
		id: crypto.randomUUID(),
		name: input.name ?? input.fileName,
		createdAt: now,
		updatedAt: now,
		status: 'draft',
		step: input.step ?? 'mapping',
		fileName: input.fileName,
		fileBytes: input.file.size,
		headerSignature: headerSignature(input.preview.layout.keys),
		mapping: input.mapping,
		readOptions: input.readOptions,
		counts: null,
		resultCounts: {},
		destination: null,
		...(input.sending ? { sending: input.sending } : {})
	};
	const file: FileRecord = {
		sourceId: source.id,
		original: input.file,
		name: input.fileName,
		type: input.file.type,
		lastModified: 'lastModified' in input.file ? (input.file as File).lastModified : now
	};
	const preview: PreviewRecord = { sourceId: source.id, preview: input.preview };

	const first = await guardQuota(`the file “${input.fileName}”`, () =>
		db.transaction('rw', [db.sources, db.files, db.previews], async () => {
			const isFirst = (await db.sources.count()) === 0;
			await db.sources.add(source);
			await db.files.add(file);
			await db.previews.add(preview);
			return isFirst;
		})
	);
	// Not awaited: Firefox answers only after the admin responds to its prompt.
	if (first) void requestPersistence();
	return source;
}

/** Changes a source; false when it no longer exists (e.g. deleted in another tab). */
export async function updateSource(id: string, patch: SourcePatch): Promise<boolean> {
	const db = getDatabase();
	const changed = await guardQuota('the source’s changes', () =>
		db.sources.update(id, { ...patch, updatedAt: Date.now() })
	);
	return changed > 0;
}

/**
 * Stores a scan's counts on the source; `patch` (the mapping and read options the scan used, the
 * step) is applied in the same transaction, so no reader sees counts beside the mapping of another
 * scan.
 */
export async function saveScanCounts(
	id: string,
	counts: SourceCounts,
	/**
	 * Changes to the source, written with the counts; as a function, decided from the stored source
	 * inside the same transaction (compare-and-set): null writes nothing and returns false.
	 */
	patch: SourcePatch | ((current: SourceRecord) => SourcePatch | null) = {}
): Promise<boolean> {
	const db = getDatabase();
	return guardQuota('the validation results', () =>
		db.transaction('rw', [db.sources], async () => {
			let changes: SourcePatch = {};
			if (typeof patch === 'function') {
				const current = await db.sources.get(id);
				const decided = current ? patch(current) : {};
				if (decided === null) return false;
				changes = decided;
			} else {
				changes = patch;
			}
			const stored: SourceCounts = {
				rows: counts.rows,
				valid: counts.valid,
				invalid: counts.invalid,
				warnings: counts.warnings
			};
			const update = { ...changes, counts: stored, updatedAt: Date.now() };
			if ((await db.sources.update(id, update)) === 0) {
				throw new Error(`Source ${id} does not exist: its counts were not saved.`);
			}
			return true;
		})
	);
}

export async function loadSource(id: string): Promise<LoadedSource | null> {
	const db = getDatabase();
	return db.transaction(
		'r',
		[db.sources, db.files, db.previews, db.reports, db.outbox],
		async () => {
			const [source, file, preview, reportCount, outbox] = await Promise.all([
				db.sources.get(id),
				db.files.get(id),
				db.previews.get(id),
				db.reports.where('sourceId').equals(id).count(),
				outboxProgress(id)
			]);
			if (!source || !file || !preview) return null;
			return {
				source,
				file,
				preview: preview.preview,
				hasReport: reportCount > 0,
				outbox
			};
		}
	);
}

/** Newest first; follow-up runs (follow-ups.ts) are listed under their source, not here. */
export async function listSources(): Promise<SourceRecord[]> {
	const all = await getDatabase().sources.orderBy('updatedAt').reverse().toArray();
	return all.filter((source) => !source.followUp);
}

/** Ids of the sources that have an encrypted report stored (keys only: no report is read). */
export async function reportedSourceIds(): Promise<string[]> {
	return getDatabase().reports.toCollection().primaryKeys();
}

/** Removes a source, its follow-up runs and everything stored for them, in one transaction. */
export async function deleteSource(id: string): Promise<void> {
	const db = getDatabase();
	await db.transaction('rw', sourceTables(db), async () => {
		const all = await db.sources.toArray();
		const followUps = all.filter((source) => source.followUp?.parentId === id);
		for (const followUp of followUps) await removeSourceRows(db, followUp.id);
		await removeSourceRows(db, id);
	});
}

/** Every table that holds something of a source. */
function sourceTables(db: FerryDatabase) {
	return [db.sources, db.files, db.previews, db.results, db.reports, db.outbox, db.edits];
}

/** Inside a transaction over sourceTables: deletes the source's rows in every table. */
async function removeSourceRows(db: FerryDatabase, id: string): Promise<void> {
	await Promise.all([
		db.sources.delete(id),
		db.files.delete(id),
		db.previews.delete(id),
		db.reports.delete(id),
		db.results.where('sourceId').equals(id).delete(),
		db.outbox.where('sourceId').equals(id).delete(),
		db.edits.where('sourceId').equals(id).delete()
	]);
}

/**
 * Names a source (the list shows it and the destination gets it when the upload starts); an empty
 * name gives the file's name back. False when the source no longer exists.
 */
export async function renameSource(id: string, name: string): Promise<boolean> {
	const db = getDatabase();
	return guardQuota('the source’s name', () =>
		db.transaction('rw', [db.sources], async () => {
			const source = await db.sources.get(id);
			if (!source) return false;
			const named = name.trim() || source.fileName;
			if (named !== source.name)
				await db.sources.update(id, { name: named, updatedAt: Date.now() });
			return true;
		})
	);
}

/** How long a draft nobody took further is kept. */
export const STALE_DRAFT_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes the drafts left untouched: sources only dropped (no validation finished, no upload,
 * no report) and not changed for `maxAgeMs` before `now`. Returns the ids deleted.
 */
export async function purgeStaleDrafts(now: number, maxAgeMs = STALE_DRAFT_MS): Promise<string[]> {
	const db = getDatabase();
	return db.transaction('rw', sourceTables(db), async () => {
		const drafts = await db.sources.where('status').equals('draft').toArray();
		const stale: string[] = [];
		for (const source of drafts) {
			if (source.counts !== null || source.upload || source.updatedAt > now - maxAgeMs) continue;
			if ((await db.reports.where('sourceId').equals(source.id).count()) > 0) continue;
			stale.push(source.id);
		}
		await Promise.all(stale.map((id) => removeSourceRows(db, id)));
		return stale;
	});
}

/** Remembers a mapping for an export layout (signature: headerSignature of its keys). */
export async function saveProfile(signature: string, mapping: StoredMapping): Promise<void> {
	const db = getDatabase();
	await guardQuota('the mapping profile', () =>
		db.profiles.put({ signature, mapping, updatedAt: Date.now() })
	);
}

export async function findProfile(signature: string): Promise<StoredMapping | null> {
	return (await getDatabase().profiles.get(signature))?.mapping ?? null;
}

/** What is known of a stored report without reading its bytes. */
export interface ReportInfo {
	sourceId: string;
	/** The source's name, for the download's file name. */
	sourceName: string;
	createdAt: number;
	/** Encrypted size in bytes. */
	size: number;
	/** Rows listed; null for a report stored without the count. */
	rows: number | null;
	basis: string | null;
}

/**
 * Stores a source's failure report, replacing the previous one. Only an encrypted Ferry report is
 * accepted (its header is checked), so a plaintext CSV can never end up on disk by mistake.
 */
export async function saveReport(
	sourceId: string,
	bytes: Uint8Array | Blob,
	details: { rows?: number; basis?: string } = {}
): Promise<void> {
	const db = getDatabase();
	const blob = bytes instanceof Blob ? bytes : new Blob([bytes as Uint8Array<ArrayBuffer>]);
	// The largest possible header (255 recipients) is under 29 KB.
	readReportHeader(new Uint8Array(await blob.slice(0, 32 * 1024).arrayBuffer()));
	const record: ReportRecord = { sourceId, bytes: blob, createdAt: Date.now(), ...details };
	await guardQuota('the encrypted report', () =>
		db.transaction('rw', [db.sources, db.reports], async () => {
			if ((await db.sources.update(sourceId, { updatedAt: record.createdAt })) === 0) {
				throw new Error(`Source ${sourceId} does not exist: its report was not saved.`);
			}
			await db.reports.put(record);
		})
	);
}

/** The encrypted report, or null. */
export async function loadReport(sourceId: string): Promise<Blob | null> {
	return (await getDatabase().reports.get(sourceId))?.bytes ?? null;
}

/** The stored report's facts, or null when the source has none (or no longer exists). */
export async function reportInfo(sourceId: string): Promise<ReportInfo | null> {
	const db = getDatabase();
	return db.transaction('r', [db.sources, db.reports], async () => {
		const [source, report] = await Promise.all([
			db.sources.get(sourceId),
			db.reports.get(sourceId)
		]);
		if (!source || !report) return null;
		return {
			sourceId,
			sourceName: source.name,
			createdAt: report.createdAt,
			size: report.bytes.size,
			rows: report.rows ?? null,
			basis: report.basis ?? null
		};
	});
}

/** One source's record (no file or preview), or null. */
export async function getSource(id: string): Promise<SourceRecord | null> {
	return (await getDatabase().sources.get(id)) ?? null;
}

/**
 * Writes chunks to the outbox before their first send. A chunk already there with the same key is
 * left as it is (a resumed build); one with another key is refused: a chunk is never rebuilt.
 * Returns how many chunks were added.
 */
export async function putChunks(sourceId: string, chunks: NewChunk[]): Promise<number> {
	const db = getDatabase();
	return guardQuota('the upload queue', () =>
		db.transaction('rw', [db.outbox], async () => {
			const existing = await db.outbox.bulkGet(chunks.map((chunk) => [sourceId, chunk.seq]));
			const added: OutboxChunkRecord[] = [];
			chunks.forEach((chunk, i) => {
				const stored = existing[i];
				if (stored && stored.key !== chunk.key) {
					throw new Error(
						`Chunk ${chunk.seq} of source ${sourceId} is already queued with another body; ` +
							'a queued chunk is never rebuilt.'
					);
				}
				if (stored) return;
				added.push({
					sourceId,
					seq: chunk.seq,
					key: chunk.key,
					body: chunk.body instanceof Blob ? chunk.body : ownBuffer(chunk.body),
					rows: ownBuffer(chunk.rows),
					state: 'pending',
					attempts: 0,
					sentAt: null,
					ackedAt: null
				});
			});
			await db.outbox.bulkAdd(added);
			return added.length;
		})
	);
}

/** Chunks not yet acknowledged (pending or sent without an answer), by seq. */
export async function pendingChunks(sourceId: string): Promise<OutboxChunkRecord[]> {
	const chunks = await getDatabase()
		.outbox.where('[sourceId+state]')
		.anyOf([
			[sourceId, 'pending'],
			[sourceId, 'sent']
		])
		.toArray();
	return chunks.sort((a, b) => a.seq - b.seq);
}

/** Records a send attempt before the request goes out. */
export async function markChunkSent(sourceId: string, seq: number): Promise<void> {
	const db = getDatabase();
	await guardQuota('the upload state', () =>
		db.transaction('rw', [db.outbox], async () => {
			const chunk = await db.outbox.get([sourceId, seq]);
			if (!chunk || chunk.state === 'acked') return;
			await db.outbox.update([sourceId, seq], {
				state: 'sent',
				attempts: chunk.attempts + 1,
				sentAt: Date.now()
			});
		})
	);
}

/**
 * Stores the destination's answer for a chunk, marks it acknowledged and frees its body, all in one
 * transaction with strict durability. Acknowledging a chunk again changes nothing; returns whether
 * this call acknowledged it.
 */
export async function ackChunk(
	sourceId: string,
	seq: number,
	results: ChunkRowResult[]
): Promise<boolean> {
	const db = getDatabase();
	return guardQuota('the import results', () =>
		db.transaction('rw', [db.outbox, db.results, db.sources], async () => {
			const chunk = await db.outbox.get([sourceId, seq]);
			if (!chunk) throw new Error(`Chunk ${seq} of source ${sourceId} is not in the outbox.`);
			if (chunk.state === 'acked') return false;
			const now = Date.now();
			await db.results.put({ sourceId, seq, results, receivedAt: now });
			await db.outbox.update([sourceId, seq], { state: 'acked', ackedAt: now, body: null });
			const source = await db.sources.get(sourceId);
			if (source) {
				const resultCounts = { ...source.resultCounts };
				for (const { status } of results) resultCounts[status] = (resultCounts[status] ?? 0) + 1;
				await db.sources.update(sourceId, { resultCounts, updatedAt: now });
			}
			return true;
		})
	);
}

export async function outboxProgress(sourceId: string): Promise<OutboxProgress> {
	const outbox = getDatabase().outbox;
	const count = (state: OutboxChunkRecord['state']) =>
		outbox.where('[sourceId+state]').equals([sourceId, state]).count();
	const [pending, sent, acked] = await Promise.all([
		count('pending'),
		count('sent'),
		count('acked')
	]);
	return { pending, sent, acked };
}

/** Chunks' answers read per transaction by resultsByChunk. */
const RESULT_CHUNKS_PER_READ = 16;

/**
 * Every acknowledged chunk's row results, in chunk order. Read a few chunks at a time, each read a
 * task of its own: a hundred thousand answers read at once kept the page busy for 140–200 ms as an
 * upload completed.
 */
export async function resultsByChunk(sourceId: string): Promise<ChunkRowResult[][]> {
	const chunks: ChunkRowResult[][] = [];
	let after: number | null = null;
	for (;;) {
		const records: ResultRecord[] = await getDatabase()
			.results.where('[sourceId+seq]')
			.between([sourceId, after ?? Dexie.minKey], [sourceId, Dexie.maxKey], after === null, true)
			.limit(RESULT_CHUNKS_PER_READ)
			.toArray();
		for (const record of records) chunks.push(record.results);
		if (records.length < RESULT_CHUNKS_PER_READ) return chunks;
		after = records[records.length - 1].seq;
	}
}

/** A source's edit steps, oldest first: the overlay is their sum. */
export async function loadEditSteps(sourceId: string): Promise<EditStepRecord[]> {
	return getDatabase()
		.edits.where('[sourceId+seq]')
		.between([sourceId, Dexie.minKey], [sourceId, Dexie.maxKey])
		.toArray();
}

/** Stores one edit step after the source's others; answers its seq. */
export async function saveEditStep(
	sourceId: string,
	step: { label: string; changes: StoredRowChange[] }
): Promise<number> {
	const db = getDatabase();
	return guardQuota('the edit', () =>
		db.transaction('rw', [db.edits], async () => {
			const last = await db.edits
				.where('[sourceId+seq]')
				.between([sourceId, Dexie.minKey], [sourceId, Dexie.maxKey])
				.last();
			const seq = last ? last.seq + 1 : 0;
			await db.edits.add({ sourceId, seq, ...step, createdAt: Date.now() });
			return seq;
		})
	);
}

/** Removes one edit step (an undo). */
export async function deleteEditStep(sourceId: string, seq: number): Promise<void> {
	await getDatabase().edits.delete([sourceId, seq]);
}

/** Removes every edit step of a source (undo all). */
export async function clearEditSteps(sourceId: string): Promise<void> {
	await getDatabase().edits.where('sourceId').equals(sourceId).delete();
}
