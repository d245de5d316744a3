import type { RowStatus } from '../core/protocol/import-api';
import type { DateOrder, Mapping } from '../core/types';
import type { Preview, ScanSummary } from '../pipeline/session';

/*
 * The on-device database, version by version. A schema constant is never edited once released:
 * a change is a new constant (SCHEMA_V2 = { ...SCHEMA_V1, … }), a new `version(n)` in db.ts with
 * its named upgrade function, and a migration test that opens a database written at n - 1.
 *
 * Index strings follow Dexie: the first entry is the primary key, `[a+b]` a compound key.
 */
export const SCHEMA_V1 = {
	/** One row per import run; listed newest first. */
	sources: 'id, updatedAt, status',
	/** The dropped file and its UTF-8 working copy, apart from `sources` so listing stays light. */
	files: 'sourceId',
	previews: 'sourceId',
	verdicts: 'sourceId',
	/** Mappings remembered per export layout (automap's headerSignature). */
	profiles: 'signature, updatedAt',
	/** The destination's per-row answers, one record per acknowledged chunk. */
	results: '[sourceId+seq], sourceId',
	reports: 'sourceId',
	outbox: '[sourceId+seq], sourceId, [sourceId+state]'
} as const;

export type TableName = keyof typeof SCHEMA_V1;

/** Lifecycle of a source. */
export type SourceStatus =
	/** Stored, not (yet) sent anywhere. */
	| 'draft'
	/** Chunks are in the outbox and not all acknowledged. */
	| 'uploading'
	/** Every chunk acknowledged and the destination told the source is complete. */
	| 'imported'
	/** Stopped by the admin before every chunk was acknowledged; the unsent chunks were dropped. */
	| 'cancelled'
	/** Removed again from the destination (DELETE /api/v1/sources/:id). */
	| 'rolled_back';

/** The screen the admin returns to when reopening the source. */
export type SourceStep = 'mapping' | 'review' | 'upload' | 'results';

/**
 * What is stored per row: the import API's status, or 'unknown' when the destination had applied the chunk
 * so long ago that it no longer had its answer (409 idempotency_record_expired).
 */
export type ResultStatus = RowStatus | 'unknown';

export interface ChunkRowResult {
	/** The row number sent in the chunk. */
	row: number;
	status: ResultStatus;
	reason?: string;
}

export interface SourceCounts {
	rows: number;
	valid: number;
	invalid: number;
	warnings: number;
}

export interface Destination {
	/** Base URL of the import API. */
	url: string;
	mode: 'link' | 'create';
	upsert: boolean;
	/** The id the destination gave the source (POST /api/v1/sources), once created. */
	remoteId: string | null;
}

/** How the file was read and validated, so reopening reproduces the same verdicts. */
export interface ReadOptions {
	/** An encoding chosen by the user, or null when detected. */
	encoding: string | null;
	dateOrder: DateOrder;
	defaultRegion: string;
}

export interface SourceRecord {
	/** crypto.randomUUID(). */
	id: string;
	name: string;
	/** Epoch milliseconds. */
	createdAt: number;
	updatedAt: number;
	status: SourceStatus;
	step: SourceStep;
	fileName: string;
	/** Bytes of the original file plus the stored working copy: what deleting the source frees. */
	fileBytes: number;
	/** headerSignature(layout.keys): finds this layout's mapping profile. */
	headerSignature: string;
	/** Per column the field it maps to (null: not imported). */
	mapping: Mapping;
	readOptions: ReadOptions;
	/** The latest scan's counts; null before the first scan. */
	counts: SourceCounts | null;
	/** Acknowledged rows per destination status. */
	resultCounts: Partial<Record<ResultStatus, number>>;
	destination: Destination | null;
	/**
	 * The upload to the destination, once started (absent on sources stored before uploads existed:
	 * a property that is not indexed needs no new schema version).
	 */
	upload?: UploadRecord | null;
}

/** How a source's upload was set up and how far it got. */
export interface UploadRecord {
	/**
	 * How many chunks the outbox holds once every one is built and stored (the outbox is sealed);
	 * null while they are still being built.
	 */
	chunkCount: number | null;
	/** Rows to send: the valid rows when the upload started. */
	rows: number;
	rowsPerChunk: number;
	bytesPerChunk: number;
	/** Epoch ms. */
	startedAt: number;
	/** The destination confirmed completion (POST …/complete). */
	completedAt: number | null;
	cancelledAt: number | null;
	rolledBackAt: number | null;
	/** What the destination's rollback removed. */
	rollback: { removedAccounts: number; removedLinks: number; keptUpdates: number } | null;
}

export interface FileRecord {
	sourceId: string;
	/** The original bytes as dropped (gzip and legacy encodings included). */
	original: Blob;
	/**
	 * The UTF-8 working copy without BOM every byte offset refers to; null when the original is
	 * plain UTF-8 and therefore is its own working copy (stored once).
	 */
	working: Blob | null;
	/** Kept apart because a structured clone of a File may come back as a plain Blob. */
	name: string;
	type: string;
	lastModified: number;
}

export interface PreviewRecord {
	sourceId: string;
	/** What the first 64 KiB gave: layout, first rows, proposed mapping, encoding. */
	preview: Preview;
}

/** The scan's per-row arrays, packed (never a million objects). */
export interface PackedVerdicts {
	/** Per row, a bitmask of ISSUE_CODES. */
	rowIssues: Uint32Array;
	/** Byte range of row i in the working copy: [rowStarts[i], rowEnds[i]). */
	rowStarts: Float64Array;
	rowEnds: Float64Array;
	/** 1-based physical line where row i starts. */
	rowLines: Uint32Array;
	/** Pairs [row, firstRow, row, firstRow, …]: row repeats firstRow's user_id or email. */
	duplicateOf: Uint32Array;
}

export interface VerdictsRecord extends PackedVerdicts {
	sourceId: string;
	summary: ScanSummary;
	/** The mapping these verdicts were computed with (stale when the source's mapping differs). */
	mapping: Mapping;
	scannedAt: number;
}

export interface ProfileRecord {
	signature: string;
	mapping: Mapping;
	updatedAt: number;
}

export interface ResultRecord {
	sourceId: string;
	seq: number;
	results: ChunkRowResult[];
	receivedAt: number;
}

export interface ReportRecord {
	sourceId: string;
	/** An encrypted Ferry report (FERRYRPT …), never plaintext. */
	bytes: Blob;
	createdAt: number;
	/** How many rows the report lists (not an index: no schema change; absent on older records). */
	rows?: number;
	/**
	 * What the report was written from (the mapping and read options, as the writer keys them), so
	 * the page can tell that the source was validated differently since.
	 */
	basis?: string;
}

export type ChunkState = 'pending' | 'sent' | 'acked';

export interface OutboxChunk {
	sourceId: string;
	seq: number;
	/** Idempotency-Key header: sha256 of the body. */
	key: string;
	/** The gzip body exactly as first sent; null once acknowledged (it is never sent again). */
	body: Blob | Uint8Array | null;
	/** Row numbers the chunk carries, in order. */
	rows: Uint32Array;
	state: ChunkState;
	attempts: number;
	/** Epoch ms of the latest send, or null. */
	sentAt: number | null;
	ackedAt: number | null;
}
