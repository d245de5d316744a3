/**
 * Turns validated, mapped rows into the chunk requests of the import API: the exact JSON text, its
 * Idempotency-Key and its gzip body, computed once so they can be stored before the first send.
 */
import type { ImportLimits } from '../core/protocol/import-api';
import { FIELDS } from '../core/schema/fields';
import { utf8ByteLength } from '../core/sniff/utf8';
import type { CanonicalRecord } from '../core/validate/normalize';
import { gzip, sha256Hex, utf8Bytes } from './encoding';

/** One row to send: its 1-based data-row number in the source file and its mapped values. */
export interface UploadRow {
	row: number;
	record: CanonicalRecord;
}

/** The destination's limits that shape a chunk. */
export type ChunkLimits = Pick<ImportLimits, 'rowsPerChunk' | 'bytesPerChunk'>;

export interface BuiltChunk {
	/** 0, 1, 2, … in the order the rows came. */
	seq: number;
	/** The row numbers the chunk carries, in order. */
	rows: number[];
	/** The exact JSON body `{"rows":[{"row":N,…fields}]}`. */
	text: string;
	/** Lowercase hex SHA-256 of `text`'s UTF-8 bytes: the Idempotency-Key. */
	key: string;
	/** gzip of `text`'s UTF-8 bytes: what is sent. */
	body: Uint8Array<ArrayBuffer>;
}

/** What is stored and sent of a chunk (its text stays where it was built). */
export type ChunkToSend = Omit<BuiltChunk, 'text'>;

/** Rows that cannot be packed as given (a caller's bug, or a row too big for any chunk). */
export class ChunkError extends Error {
	override readonly name = 'ChunkError';
	readonly code = 'invalid_chunk';
}

const CANONICAL = new Set<string>(FIELDS.map((field) => field.name));
const OPENING = '{"rows":[';
const CLOSING = ']}';
const FRAME_BYTES = utf8Bytes(OPENING + CLOSING).length;

function rowJson({ row, record }: UploadRow): string {
	if (!Number.isSafeInteger(row) || row < 1) {
		throw new ChunkError(`Row numbers must be positive integers, not ${String(row)}.`);
	}
	for (const field of Object.keys(record)) {
		if (!CANONICAL.has(field))
			throw new ChunkError(`Row ${row} has a non-canonical field "${field}".`);
	}
	return JSON.stringify({ row, ...record });
}

async function finish(seq: number, rows: number[], parts: string[]): Promise<BuiltChunk> {
	const text = OPENING + parts.join(',') + CLOSING;
	const bytes = utf8Bytes(text);
	const [key, body] = await Promise.all([sha256Hex(bytes), gzip(bytes)]);
	return { seq, rows, text, key, body };
}

/**
 * Packs rows into chunks that never exceed either limit; seq counts from 0.
 *
 * Only what the caller passes is sent: the caller passes only rows without errors, each with only
 * its mapped fields (the builder adds nothing, drops nothing, and refuses a key that is not a
 * canonical field name, so an unmapped column cannot slip through under its original header).
 * A single row too big for `bytesPerChunk` on its own is a ChunkError naming the row.
 */
export async function* buildChunks(
	rows: AsyncIterable<UploadRow> | Iterable<UploadRow>,
	limits: ChunkLimits
): AsyncGenerator<BuiltChunk> {
	if (!(limits.rowsPerChunk >= 1) || !(limits.bytesPerChunk > FRAME_BYTES)) {
		throw new ChunkError(`Chunk limits are too small: ${JSON.stringify(limits)}.`);
	}
	let seq = 0;
	let rowNumbers: number[] = [];
	let parts: string[] = [];
	let bytes = FRAME_BYTES;

	for await (const entry of rows) {
		const json = rowJson(entry);
		// Counted, not encoded: encoding every row only to measure it took a fifth of the builder's time.
		const rowBytes = utf8ByteLength(json);
		if (FRAME_BYTES + rowBytes > limits.bytesPerChunk) {
			throw new ChunkError(
				`Row ${entry.row} alone needs ${FRAME_BYTES + rowBytes} bytes; a chunk may have ${limits.bytesPerChunk}.`
			);
		}
		// A comma separates this row from the previous one.
		const separator = parts.length > 0 ? 1 : 0;
		if (
			parts.length === limits.rowsPerChunk ||
			bytes + separator + rowBytes > limits.bytesPerChunk
		) {
			yield await finish(seq++, rowNumbers, parts);
			rowNumbers = [];
			parts = [];
			bytes = FRAME_BYTES;
		}
		bytes += (parts.length > 0 ? 1 : 0) + rowBytes;
		parts.push(json);
		rowNumbers.push(entry.row);
	}
	if (parts.length > 0) yield await finish(seq, rowNumbers, parts);
}
