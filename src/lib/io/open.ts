import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { FerryError, isFerryError, throwIfAborted, type AbortSignalLike } from '../core/errors';
import {
	DEFAULT_DECOMPRESSION_LIMITS,
	RATIO_CHECKED_AFTER,
	formatBytes,
	type DecompressionLimits
} from '../core/limits';
import { requireReadableContainer } from '../core/sniff/container';
import {
	bomLengthFor,
	canonicalEncoding,
	createTextDecoder,
	detectEncoding
} from '../core/sniff/encoding';
import type { BufferShelf } from '../core/engine/growable';
import type { ByteSource, EncodingInfo } from '../core/types';

/** How much of a file the preview reads first (after decompression). */
export const HEAD_BYTES = 64 * 1024;
/** The most the preview reads, doubling from HEAD_BYTES, to find the header and a first record. */
export const MAX_HEAD_BYTES = 4 * 1024 * 1024;

export interface Head {
	info: EncodingInfo;
	/** The decoded head without BOM and without a character cut by its end. */
	text: string;
	/** The head is the whole (decompressed) file. */
	complete: boolean;
}

function damagedGzip(error: unknown): FerryError {
	const reason = error instanceof Error ? ` (${error.message})` : '';
	return new FerryError(
		'binary_file',
		`This gzip file is damaged or incomplete${reason}. Compress it again or drop the uncompressed file.`
	);
}

/** How much compressed input the decompressor is given at a time. */
export const GZIP_PIECE_BYTES = 64 * 1024;

/**
 * `file` decompressed, its compressed bytes handed to the decompressor a piece at a time and only
 * once everything given before has come out and been read: what `onFed` has seen is what the
 * output so far was made from. Piping `file.stream()` in instead lets Node's DecompressionStream
 * queue thousands of chunks (the whole file) before any output is read, so a ratio judged against
 * the input read would only stop a bomb at 100 times its whole size.
 */
function gunzip(file: Blob, onFed?: (piece: Uint8Array) => void): ReadableStream<Uint8Array> {
	const decompressor = new DecompressionStream('gzip');
	const writer = decompressor.writable.getWriter();
	const reader = decompressor.readable.getReader() as ReadableStreamDefaultReader<Uint8Array>;
	let fed = 0;
	let allFed = false;
	// Settles once the last piece is taken: its output queued (Chromium) or read (Node).
	let feeding: Promise<void> = Promise.resolve();
	async function feed(): Promise<void> {
		const end = Math.min(fed + GZIP_PIECE_BYTES, file.size);
		const piece = new Uint8Array(await file.slice(fed, end).arrayBuffer());
		fed = end;
		onFed?.(piece);
		await writer.write(piece);
		if (fed < file.size) return;
		allFed = true;
		await writer.close();
	}
	return new ReadableStream<Uint8Array>(
		{
			async pull(controller) {
				let arrived = false;
				const read = reader.read();
				read.then(
					() => (arrived = true),
					() => (arrived = true)
				);
				// Node settles a write only once its output is read: wait for whichever comes first.
				for (;;) {
					await Promise.race([feeding, read]);
					if (arrived || allFed) break;
					feeding = feed();
				}
				const { done, value } = await read;
				if (done) controller.close();
				else controller.enqueue(value);
			},
			cancel(reason) {
				reader.cancel(reason).catch(() => undefined);
				writer.abort(reason).catch(() => undefined);
			}
		},
		{ highWaterMark: 0 }
	);
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
	const joined = new Uint8Array(length);
	let at = 0;
	for (const part of parts) {
		joined.set(part.subarray(0, length - at), at);
		at += Math.min(part.length, length - at);
		if (at === length) break;
	}
	return joined;
}

/** The first `limit` decompressed bytes; stops decompressing (and reading the file) right there. */
async function gunzipHead(
	file: Blob,
	limit: number
): Promise<{ bytes: Uint8Array; complete: boolean }> {
	const reader = gunzip(file).getReader();
	const parts: Uint8Array[] = [];
	let total = 0;
	let complete = false;
	try {
		while (total <= limit) {
			const { done, value } = await reader.read();
			if (done) {
				complete = true;
				break;
			}
			parts.push(value);
			total += value.length;
		}
	} catch (error) {
		throw damagedGzip(error);
	} finally {
		if (!complete) reader.cancel().catch(() => undefined);
	}
	return { bytes: concat(parts, Math.min(total, limit)), complete };
}

/**
 * Reads only the head of a file (gzip: decompressed only that far), detects its container and
 * encoding (or takes the user's `encoding` label), and decodes it.
 */
export async function openHead(
	file: Blob,
	options: { encoding?: string; headBytes?: number } = {}
): Promise<Head> {
	const limit = options.headBytes ?? HEAD_BYTES;
	if (file.size === 0) throw new FerryError('empty_file', 'The file is empty.');
	let bytes: Uint8Array = new Uint8Array(await file.slice(0, limit).arrayBuffer());
	let complete = file.size <= limit;
	const gzip = requireReadableContainer(bytes);
	if (gzip) ({ bytes, complete } = await gunzipHead(file, limit));
	if (bytes.length === 0) throw new FerryError('empty_file', 'The file is empty.');

	let encoding: string;
	let bomLength: number;
	if (options.encoding) {
		encoding = canonicalEncoding(options.encoding);
		bomLength = bomLengthFor(bytes, encoding);
	} else ({ encoding, bomLength } = detectEncoding(bytes));

	// stream: a character cut by the end of an incomplete head is held back, not garbled.
	const text = createTextDecoder(encoding, { ignoreBOM: true }).decode(bytes.subarray(bomLength), {
		stream: !complete
	});
	return {
		info: {
			compression: gzip ? 'gzip' : null,
			encoding,
			bom: bomLength > 0,
			overridden: Boolean(options.encoding)
		},
		text,
		complete
	};
}

function bomBytes(info: EncodingInfo): number {
	if (!info.bom) return 0;
	return info.encoding === 'utf-8' ? 3 : 2;
}

/** Where a working copy's bytes go as they are made: memory (memorySink) or a file (the CLI). */
export interface WorkingCopySink {
	write(chunk: Uint8Array): void | Promise<void>;
	/** All bytes are written: the copy, readable at random. */
	finish(): Promise<Blob>;
	/** The copy is no longer needed (also after a failed or unfinished write). */
	discard(): void | Promise<void>;
}

/** The browser's sink: the copy is a Blob of the chunks (the browser may page it to disk). */
export function memorySink(): WorkingCopySink {
	let parts: Uint8Array[] = [];
	return {
		write: (chunk) => void parts.push(chunk),
		finish: async () => new Blob(parts as BlobPart[]),
		discard: () => void (parts = [])
	};
}

export interface WorkingCopy {
	blob: Blob;
	/** False when it is only the first records (`prefixBytes`), ending at a line break. */
	complete: boolean;
	/** Frees it (removes its file); the blob is not read afterwards. */
	discard(): void | Promise<void>;
}

const LF = 0x0a;

function decompressionLimitError(limits: DecompressionLimits, by: 'size' | 'ratio'): FerryError {
	const message =
		by === 'size'
			? `This gzip file expands to more than ${formatBytes(limits.maxBytes)}, the decompressed-size limit, so Ferry stopped reading it.`
			: `This gzip file expands to more than ${limits.maxRatio} times its compressed size, the compression-ratio limit (${limits.maxRatio}:1), so Ferry stopped reading it: real exports compress far less, this looks like a decompression bomb.`;
	return new FerryError('decompression_limit', message);
}

/**
 * The UTF-8 working copy without BOM that every byte offset refers to. Plain UTF-8 is the file
 * itself (a slice, no copy); gzip and other encodings are decompressed and transcoded once, as a
 * stream, into `sink` (memory by default). Decompression stops with `decompression_limit` past
 * `limits`. With `prefixBytes`, writing stops at the first line break past that many bytes (enough
 * for the first rows: --max-rows). `onRead` sees each chunk of the original file as that stream
 * reads it (never called for plain UTF-8, which is not read).
 */
export async function workingCopy(
	file: Blob,
	info: EncodingInfo,
	options: {
		signal?: AbortSignalLike;
		onProgress?(bytes: number): void;
		onRead?(chunk: Uint8Array): void;
		limits?: DecompressionLimits;
		sink?: WorkingCopySink;
		prefixBytes?: number;
	} = {}
): Promise<WorkingCopy> {
	const { signal, onProgress, onRead, prefixBytes = Infinity } = options;
	const limits = options.limits ?? DEFAULT_DECOMPRESSION_LIMITS;
	const bom = bomBytes(info);
	if (!info.compression && info.encoding === 'utf-8') {
		onProgress?.(file.size);
		return { blob: file.slice(bom), complete: true, discard: () => undefined };
	}

	let read = 0;
	const count = (chunk: Uint8Array) => {
		read += chunk.length;
		onRead?.(chunk);
	};
	const stream = info.compression
		? gunzip(file, count)
		: file.stream().pipeThrough(
				new TransformStream<Uint8Array, Uint8Array>({
					transform(chunk, controller) {
						count(chunk);
						controller.enqueue(chunk);
					}
				})
			);
	const reader = stream.getReader();
	const decoder =
		info.encoding === 'utf-8' ? null : createTextDecoder(info.encoding, { ignoreBOM: true });
	const encoder = new TextEncoder();
	const sink = options.sink ?? memorySink();
	let skip = bom;
	let decompressed = 0;
	let written = 0;
	let complete = true;
	try {
		for (;;) {
			if (signal?.aborted) throw new FerryError('aborted', 'The operation was cancelled.');
			const { done, value } = await reader.read();
			if (done) break;
			if (info.compression) {
				decompressed += value.length;
				if (decompressed > limits.maxBytes) throw decompressionLimitError(limits, 'size');
				if (decompressed > RATIO_CHECKED_AFTER && decompressed > read * limits.maxRatio)
					throw decompressionLimitError(limits, 'ratio');
			}
			let chunk = value;
			if (skip > 0) {
				const skipped = Math.min(skip, chunk.length);
				chunk = chunk.subarray(skipped);
				skip -= skipped;
			}
			if (decoder) chunk = encoder.encode(decoder.decode(chunk, { stream: true }));
			if (written + chunk.length >= prefixBytes) {
				const lineEnd = chunk.lastIndexOf(LF);
				if (lineEnd >= 0) {
					await sink.write(chunk.subarray(0, lineEnd + 1));
					complete = false;
					break;
				}
			}
			await sink.write(chunk);
			written += chunk.length;
			onProgress?.(read);
		}
		if (complete && decoder) await sink.write(encoder.encode(decoder.decode()));
		if (!complete) reader.cancel().catch(() => undefined);
		const blob = await sink.finish();
		return { blob, complete, discard: () => sink.discard() };
	} catch (error) {
		reader.cancel().catch(() => undefined);
		await sink.discard();
		if (isFerryError(error)) throw error;
		throw damagedGzip(error);
	}
}

/** An incremental SHA-256 of the bytes given to `update`, in lowercase hex once done. */
export function sha256Stream(): { update(chunk: Uint8Array): void; hex(): string } {
	const hash = sha256.create();
	return {
		update: (chunk) => void hash.update(chunk),
		hex: () => bytesToHex(hash.digest())
	};
}

/** Lowercase hex SHA-256 of a Blob's bytes, streamed: the Blob is never held in memory whole. */
export async function sha256OfBlob(blob: Blob, signal?: AbortSignalLike): Promise<string> {
	const hash = sha256Stream();
	const reader = (blob.stream() as ReadableStream<Uint8Array>).getReader();
	try {
		for (;;) {
			throwIfAborted(signal);
			const { done, value } = await reader.read();
			if (done) return hash.hex();
			hash.update(value);
		}
	} finally {
		reader.releaseLock();
	}
}

/** Random access to a Blob's bytes. */
export function blobSource(blob: Blob): ByteSource {
	return {
		size: blob.size,
		async read(start: number, end: number): Promise<Uint8Array> {
			return new Uint8Array(await blob.slice(start, end).arrayBuffer());
		}
	};
}

/**
 * Readers being read: Chromium collects a Blob stream that only its pending read's promise chain
 * holds, and that read then never answers (docs/performance.md, "Reading into two reused buffers").
 */
const reading = new Set<ReadableStreamBYOBReader>();

/**
 * The bytes of `blob` in `buffer` (at least blob.size bytes long), through a BYOB reader; where
 * the runtime's Blob stream has none, in a buffer of their own (Blob.arrayBuffer). Each BYOB read
 * moves the buffer: the answer's view is over the buffer that holds the bytes now.
 */
export async function readInto(blob: Blob, buffer: ArrayBuffer): Promise<Uint8Array> {
	const size = blob.size;
	if (size === 0) return new Uint8Array(buffer, 0, 0);
	let reader: ReadableStreamBYOBReader;
	try {
		reader = (blob.stream() as ReadableStream<Uint8Array>).getReader({ mode: 'byob' });
	} catch {
		return new Uint8Array(await blob.arrayBuffer());
	}
	reading.add(reader);
	try {
		let filled = 0;
		while (filled < size) {
			const { done, value } = await reader.read(new Uint8Array(buffer, filled, size - filled));
			// A stream that ends before the Blob's size (its file changed or went away): as
			// Chromium's own failed reads, a NotReadableError, never a short range.
			if (done || !value)
				throw new DOMException(`The file ended at byte ${filled} of ${size}.`, 'NotReadableError');
			buffer = value.buffer as ArrayBuffer;
			filled += value.byteLength;
		}
		return new Uint8Array(buffer, 0, filled);
	} finally {
		reading.delete(reader);
		reader.releaseLock();
	}
}

/**
 * The shelf of a range worker's read buffers: the range being scanned and the next one read ahead,
 * and one spare; in MiB, so that a buffer serves the next range's slightly longer read.
 */
export const READ_BUFFERS = { max: 3, grain: 1 << 20, slack: Infinity };

/** A ByteSource whose range read ahead is in a reused buffer: release() gives the buffer back. */
export interface ReleasableByteSource extends ByteSource {
	/** The source is done with: no view of its bytes may be used afterwards. */
	release(): void;
}

/**
 * blobSource with bytes [from, to) asked for at once; reads within them are answered from those
 * bytes. A range worker is given its next range while it scans the one before: the next range is
 * then read meanwhile, in one Blob.slice, not slice by slice when its scan starts. The range is
 * read into one of `buffers`, given back by release().
 */
export function blobSourceReadingAhead(
	blob: Blob,
	from: number,
	to: number,
	buffers: BufferShelf
): ReleasableByteSource {
	const source = blobSource(blob);
	const end = Math.min(to, blob.size);
	const ahead = readInto(blob.slice(from, end), buffers.take(end - from));
	// A failed read shows where its bytes are used; unused, it must not go unhandled.
	ahead.catch(() => undefined);
	let released = false;
	return {
		size: source.size,
		async read(start: number, stop: number): Promise<Uint8Array> {
			if (start < from || stop > end) return source.read(start, stop);
			return (await ahead).subarray(start - from, stop - from);
		},
		release() {
			if (released) return;
			released = true;
			ahead.then((bytes) => buffers.give([bytes.buffer as ArrayBuffer])).catch(() => undefined);
		}
	};
}
