/**
 * The outbox: where a source's chunks wait between being built and being acknowledged. A chunk's
 * key and body are stored before its first send and never rebuilt, so every retry, and every
 * resume after a reload, sends the very same bytes under the very same Idempotency-Key.
 *
 * The browser implementation lives in IndexedDB (src/lib/storage); MemoryOutbox serves Node and
 * tests. Implementations must keep each method atomic for one chunk.
 */
import type { RowStatus } from '../core/protocol/import-api';

/** 'unknown': the server applied the chunk long ago and no longer has its answer. */
export type UploadRowStatus = RowStatus | 'unknown';

export interface UploadRowResult {
	row: number;
	status: UploadRowStatus;
	reason?: string;
}

export interface NewOutboxChunk {
	seq: number;
	/** Row numbers the chunk carries, in order. */
	rows: number[];
	/** Idempotency-Key: lowercase hex SHA-256 of the uncompressed JSON text. */
	key: string;
	/** gzip of the JSON text: the bytes sent. */
	body: Uint8Array<ArrayBuffer>;
}

export interface OutboxChunk extends NewOutboxChunk {
	/** Sends started (markSent). More than 0: the server may already have applied it. */
	sends: number;
}

export interface AckedChunk {
	seq: number;
	rows: number[];
	results: UploadRowResult[];
}

export interface OutboxStore {
	/**
	 * Stores built chunks, all or none (one write: a database commits each write to disk). Adding
	 * the same seq with the same key again does nothing (a resumed build); the same seq with another
	 * key is an error (the rows changed since).
	 */
	add(sourceId: string, chunks: readonly NewOutboxChunk[]): Promise<void>;
	/** Every chunk of the source is stored; `chunkCount` must match what was added. */
	seal(sourceId: string, chunkCount: number): Promise<void>;
	isSealed(sourceId: string): Promise<boolean>;
	/** Chunks not yet acknowledged, by seq, with their stored key and body. */
	pending(sourceId: string): Promise<OutboxChunk[]>;
	/** Acknowledged chunks with their row results (no bodies), by seq. */
	acked(sourceId: string): Promise<AckedChunk[]>;
	/** Called before every send of a chunk. */
	markSent(sourceId: string, seq: number): Promise<void>;
	/** The server answered the chunk; it will not be sent again. Acking twice keeps the first. */
	ack(sourceId: string, seq: number, results: UploadRowResult[]): Promise<void>;
}

export class OutboxError extends Error {
	override readonly name = 'OutboxError';
}
