/**
 * How the readers (csv/, json/) and the engines read records. Its own module, importing none of
 * them, so that they and read.ts share these types without importing one another.
 */
import type { AbortSignalLike } from './errors';

/** Bytes read per step unless ReadOptions.chunkSize says otherwise. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

export interface ReadOptions {
	signal?: AbortSignalLike;
	/** Bytes read per step (default 1 MiB); each step yields one batch of records. */
	chunkSize?: number;
	/** Absolute offset in the working copy up to which bytes have been read. */
	onProgress?: (bytesRead: number) => void;
	/** A record longer than this many bytes is skipped unread (default MAX_RECORD_BYTES; tests set less). */
	maxRecordBytes?: number;
}

/** A preset's reshaping of a JSON record before flattening (Hanko: primary entry of `emails` → email, email_verified). */
export type TransformRecord = (
	preset: string | null,
	record: Record<string, unknown>
) => Record<string, unknown>;

export interface RecordReadOptions extends ReadOptions {
	/** JSON only: a preset's reshaping of each record before flattening. */
	transform: TransformRecord;
	/** JSON only: called for every flattened key of a record that is not a column of the layout. */
	onExtraKey?: (key: string) => void;
}
