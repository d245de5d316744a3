import type { FirebaseHashConfig } from '../core/identity/firebase';
import type { ImportMode, RowStatus } from '../core/protocol/import-api';
import type { DateOrder, FieldName, MappingMethod } from '../core/types';

/*
 * The on-device database, version by version. A schema constant is never edited once released:
 * a change is a new constant (SCHEMA_V2 = { ...SCHEMA_V1, … }), a new `version(n)` in db.ts with
 * its named upgrade function, and a migration test that opens a database written at n - 1.
 *
 * Index strings follow Dexie: the first entry is the primary key, `[a+b]` a compound key; a table
 * set to null is deleted by that version.
 *
 * The records below are types of their own, not the pipeline's or the upload's: what IndexedDB
 * holds changes only here, on purpose, with a new version when it must.
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

/**
 * Scans no longer store their packed verdicts: a reopened source is validated again, so nothing
 * ever read them. Files no longer carry a working copy (db.ts, upgradeToV2).
 */
export const SCHEMA_V2 = { ...SCHEMA_V1, verdicts: null } as const;

/**
 * The admin's fixes (core/edits): one record per undoable step of a source, in order, so an edit
 * writes one small record and an undo deletes the last one; the overlay is their sum.
 */
export const SCHEMA_V3 = { ...SCHEMA_V2, edits: '[sourceId+seq], sourceId' } as const;

/**
 * The export log: one record per export of users out of the destination (its filters, time, rows
 * and status), which also keeps the position an unfinished export resumes from.
 */
export const SCHEMA_V4 = { ...SCHEMA_V3, exports: 'id, startedAt' } as const;

/**
 * Secrets kept encrypted at rest (the destination token, which version 4 left in localStorage) and
 * the device key they are encrypted with: one non-extractable AES-GCM CryptoKey per browser.
 */
export const SCHEMA_V5 = { ...SCHEMA_V4, keys: 'name', secrets: 'name' } as const;

/** The tables of the current schema. */
export type TableName = {
	[Name in keyof typeof SCHEMA_V5]: (typeof SCHEMA_V5)[Name] extends string ? Name : never;
}[keyof typeof SCHEMA_V5];

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
 * What is stored per row: the import API's status (protocol v1), or 'unknown' when the destination
 * had applied the chunk so long ago that it no longer had its answer (409
 * idempotency_record_expired).
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
	mode: ImportMode;
	upsert: boolean;
	/** The id the destination gave the source (POST /api/v1/sources), once created. */
	remoteId: string | null;
}

/** Per column the field it maps to (null: not imported). */
export type StoredMapping = (FieldName | null)[];

/** How the file was read and validated, so reopening reproduces the same verdicts. */
export interface StoredReadOptions {
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
	/** Bytes of the stored original file: what deleting the source frees. */
	fileBytes: number;
	/** headerSignature(layout.keys): finds this layout's mapping profile. */
	headerSignature: string;
	mapping: StoredMapping;
	readOptions: StoredReadOptions;
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
	/**
	 * When the raw file and the preview rows were deleted (retention.ts), keeping the rest; absent
	 * or null while they are stored (not indexed: no new schema version).
	 */
	fileForgottenAt?: number | null;
	/**
	 * Set on a run that belongs to another source (a dry run, a sample sent first, a retry of the
	 * refused rows): it has no file of its own and is listed under that source (not indexed: no
	 * new schema version). Absent on the sources the admin dropped.
	 */
	followUp?: FollowUpOf | null;
	/** What the admin decided for the rows sent (absent: nothing decided; not indexed). */
	sending?: StoredSending;
}

/**
 * The Firebase project's password hash config (identity/firebase.ts). A secret: stored only here,
 * with the source, never in localStorage, never logged.
 */
export type StoredHashConfig = FirebaseHashConfig;

/** The choices of the mapping step that shape what is sent, kept with the source. */
export interface StoredSending {
	hashConfig: StoredHashConfig | null;
	/** A role as found in the file to the destination's role name. */
	roleMap: Record<string, string>;
	/** Assigned to every row that has no organization ('' for none). */
	organization: string;
}

/** One of the imports a file over the destination's rows-per-import limit is sent as. */
export interface UploadPart {
	/** 1-based data row of the import's first row: chunks from there on belong to it. */
	firstRow: number;
	rows: number;
	/** The destination's id of this import's source, once created. */
	remoteId: string | null;
}

/** What a follow-up run is to its source. */
export interface FollowUpOf {
	parentId: string;
	kind: FollowUpKind;
}

export type FollowUpKind =
	/** Every valid row sent to a dry-run source: what would happen, nothing applied. */
	| 'dry_run'
	/** The first N valid rows sent as their own source before the rest. */
	| 'sample'
	/** The rows the destination refused, sent again. */
	| 'retry';

/** Which valid rows a run sends (the upload's RowSelection, as stored). */
export type StoredRowSelection =
	| { kind: 'all' }
	| { kind: 'first'; count: number }
	| { kind: 'after'; count: number }
	| { kind: 'rows'; rows: number[] };

/** How a source's upload was set up and how far it got. */
export interface UploadRecord {
	/**
	 * How many chunks the outbox holds once every one is built and stored (the outbox is sealed);
	 * null while they are still being built.
	 */
	chunkCount: number | null;
	/** Rows to send: the valid rows (those `selection` keeps) when the upload started. */
	rows: number;
	/** Which valid rows are sent; absent: all of them (not indexed: no new schema version). */
	selection?: StoredRowSelection;
	rowsPerChunk: number;
	bytesPerChunk: number;
	/** Epoch ms. */
	startedAt: number;
	/** The destination confirmed completion (POST …/complete). */
	completedAt: number | null;
	cancelledAt: number | null;
	rolledBackAt: number | null;
	/** What the destination's rollback removed. */
	rollback: StoredRollback | null;
	/**
	 * The imports the rows are sent as when they exceed the destination's rows-per-import limit
	 * (absent: one import, the destination's remoteId; not indexed).
	 */
	parts?: UploadPart[];
}

/** What the destination's rollback (DELETE /api/v1/sources/:id) removed, as it answered. */
export interface StoredRollback {
	removedAccounts: number;
	removedLinks: number;
	keptUpdates: number;
}

export interface FileRecord {
	sourceId: string;
	/** The original bytes as dropped (gzip and legacy encodings included). */
	original: Blob;
	/** Kept apart because a structured clone of a File may come back as a plain Blob. */
	name: string;
	type: string;
	lastModified: number;
}

/** What the first 64 KiB of the file gave, as the import page showed it right after the drop. */
export interface StoredPreview {
	fileName: string;
	size: number;
	info: { compression: 'gzip' | null; encoding: string; bom: boolean; overridden: boolean };
	layout: StoredLayout;
	/** The first data rows: 0-based row, 1-based physical line, fields aligned to the columns. */
	rows: { row: number; line: number; fields: string[] }[];
	proposals: {
		column: number;
		field: FieldName | null;
		confidence: number;
		method: MappingMethod;
	}[];
	notices: string[];
}

/** How the records of the file are read (see the core's Layout). */
export interface StoredLayout {
	format: 'csv' | 'json' | 'ndjson';
	delimiter: string | null;
	sepLine: boolean;
	header: boolean;
	columns: string[];
	keys: string[];
	duplicateHeaders: string[];
	dataStart: number;
	preset: string | null;
	jsonRoot: string | null;
}

export interface PreviewRecord {
	sourceId: string;
	preview: StoredPreview;
}

export interface ProfileRecord {
	signature: string;
	mapping: StoredMapping;
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

/** A chunk as the outbox table holds it (the uploader's view of it: upload/outbox.ts). */
export interface OutboxChunkRecord {
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

/** One row's edit as stored: replaced cells by column index, and the dropped flag. */
export interface StoredRowEdit {
	values: Record<number, string>;
	dropped: boolean;
}

export interface StoredRowChange {
	row: number;
	before: StoredRowEdit | null;
	after: StoredRowEdit | null;
}

/** One undoable edit step of a source (an edited cell, a replace in a column, dropped rows). */
export interface EditStepRecord {
	sourceId: string;
	/** 0, 1, 2…: the order the steps were made in. */
	seq: number;
	label: string;
	changes: StoredRowChange[];
	createdAt: number;
}

/** An export's state: under way, stopped by a dropped connection (resumable), done, or refused. */
export type ExportStatus = 'running' | 'interrupted' | 'complete' | 'failed';

/** One export of users out of the destination (GET /users), and where it resumes. */
export interface ExportRecord {
	id: string;
	/** The destination's API base URL. */
	destination: string;
	filters: {
		organization?: string;
		role?: string;
		created_after?: string;
		created_before?: string;
		blocked?: boolean;
	};
	format: 'json' | 'csv';
	/** Exported fields in order, and the name each is written under. */
	fields: string[];
	names: string[];
	/** Only a sample of the first users. */
	sample: boolean;
	status: ExportStatus;
	rows: number;
	/** How much of the file is written and good: a resumed export continues from here. */
	bytes: number;
	/** The next page's cursor; null before the first page and once complete. */
	cursor: string | null;
	/** The file written: one the admin picked, or a working file in the origin's private storage. */
	file: FileSystemFileHandle;
	target: 'picked' | 'private';
	fileName: string;
	/** Why it stopped, for the admin (interrupted or failed). */
	message: string | null;
	startedAt: number;
	updatedAt: number;
	endedAt: number | null;
}

/**
 * A key of this browser. Non-extractable: IndexedDB stores it by structured clone, and no script
 * (this app's included) can read its bytes back.
 */
export interface KeyRecord {
	name: string;
	key: CryptoKey;
}

/** A secret as stored: AES-GCM ciphertext under the device key, never the plaintext. */
export interface SecretRecord {
	name: string;
	/** The 12-byte nonce this ciphertext was encrypted with. */
	iv: Uint8Array<ArrayBuffer>;
	ciphertext: ArrayBuffer;
}
