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
import { BufferShelf } from '../core/engine/growable';
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
		return await fill(reader, buffer, 0, size, 0, size);
	} finally {
		reading.delete(reader);
		reader.releaseLock();
	}
}

/**
 * `buffer` filled from byte `filled` to byte `length` by BYOB reads of `reader`, whose bytes are
 * those of a Blob of `size` from byte `offset`: a view over the buffer that holds them now (each
 * read moves it). A stream that ends first (its file changed or went away) fails as Chromium's own
 * failed reads, with a NotReadableError, never a short range.
 */
async function fill(
	reader: ReadableStreamBYOBReader,
	buffer: ArrayBuffer,
	filled: number,
	length: number,
	offset: number,
	size: number
): Promise<Uint8Array> {
	while (filled < length) {
		const { done, value } = await reader.read(new Uint8Array(buffer, filled, length - filled));
		if (done || !value)
			throw new DOMException(
				`The file ended at byte ${offset + filled} of ${size}.`,
				'NotReadableError'
			);
		buffer = value.buffer as ArrayBuffer;
		filled += value.byteLength;
	}
	return new Uint8Array(buffer, 0, filled);
}

/**
 * The shelf of BlobRanges' buffers when `ranges` of them are out at once (read, scanned or
 * waiting): one each and a spare; in MiB, so that a buffer serves the next range's slightly
 * longer read.
 */
export function readBuffers(ranges: number): ConstructorParameters<typeof BufferShelf>[0] {
	return { max: ranges + 1, grain: 1 << 20, slack: Infinity };
}

/**
 * Byte ranges of one Blob, read front to back through one stream. Chromium's browser process
 * spends about as much CPU opening a Blob.slice stream as reading 4 MiB through it: a 100 MB file
 * read as 4 MiB slices cost it 2–3 times the CPU of one stream (docs/performance.md). A scan's
 * ranges are asked for in order and each overlaps the next by its read past its end: the last
 * `overlap` bytes read are kept for it. A range that starts before them (one scanned again) is read
 * by a slice of its own; one that starts past the stream (after a range longer than its read)
 * starts a new stream there. Each range is read into a buffer from `buffers`.
 */
export class BlobRanges {
	readonly #blob: Blob;
	readonly #buffers: BufferShelf;
	readonly #tail: Uint8Array;
	/** The stream and the offset of its next byte; the tail's bytes end there. */
	#reader: ReadableStreamBYOBReader | null = null;
	#position = 0;
	#tailLength = 0;
	#queue: Promise<unknown> = Promise.resolve();
	#closed = false;

	constructor(blob: Blob, buffers: BufferShelf, overlap: number) {
		this.#blob = blob;
		this.#buffers = buffers;
		this.#tail = new Uint8Array(overlap);
	}

	/** Bytes [from, to) of the Blob (to at most its size); ranges are read in the order asked. */
	read(from: number, to: number): Promise<Uint8Array> {
		const read = this.#queue.then(() => this.#read(from, Math.min(to, this.#blob.size)));
		this.#queue = read.catch(() => undefined);
		return read;
	}

	/** Ends the stream: the reads asked for afterwards, or still waiting, fail. */
	close(): void {
		this.#closed = true;
		this.#endStream();
	}

	async #read(from: number, to: number): Promise<Uint8Array> {
		if (this.#closed) throw new FerryError('aborted', 'The operation was cancelled.');
		const behind = from < this.#position - this.#tailLength;
		const elsewhere = !behind && (from > this.#position || !this.#reader);
		if (behind || (elsewhere && !this.#startStream(from)))
			return readInto(this.#blob.slice(from, to), this.#buffers.take(to - from));
		const kept = this.#position - this.#tailLength;
		const buffer = this.#buffers.take(to - from);
		// The start of the range, read already: the tail's last bytes.
		const known = Math.min(this.#position, to) - from;
		new Uint8Array(buffer, 0, known).set(this.#tail.subarray(from - kept, from - kept + known));
		if (to <= this.#position) return new Uint8Array(buffer, 0, known);
		let bytes: Uint8Array;
		try {
			bytes = await fill(this.#reader!, buffer, known, to - from, from, this.#blob.size);
		} catch (error) {
			this.#endStream();
			throw error;
		}
		this.#keepTail(bytes);
		this.#position = to;
		if (to === this.#blob.size) this.#endStream();
		return bytes;
	}

	/** Keeps the last bytes read (those `bytes` ends with) for the next range. */
	#keepTail(bytes: Uint8Array): void {
		const kept = bytes.subarray(Math.max(0, bytes.length - this.#tail.length));
		this.#tail.set(kept);
		this.#tailLength = kept.length;
	}

	/** A stream from `from` on; false where the runtime's Blob stream has no BYOB reader. */
	#startStream(from: number): boolean {
		this.#endStream();
		const stream = this.#blob.slice(from).stream() as ReadableStream<Uint8Array>;
		try {
			this.#reader = stream.getReader({ mode: 'byob' });
		} catch {
			return false;
		}
		reading.add(this.#reader);
		this.#position = from;
		this.#tailLength = 0;
		return true;
	}

	#endStream(): void {
		const reader = this.#reader;
		if (!reader) return;
		this.#reader = null;
		reading.delete(reader);
		reader.cancel().catch(() => undefined);
	}
}

/**
 * Bytes a forward source reads at once; a read starting this far past the last one still reads on
 * (the rows between skipped), and this much of the last read is kept for one starting a little
 * before its end.
 */
const FORWARD_WINDOW_BYTES = 4 << 20;
const FORWARD_GAP_BYTES = 1 << 20;

/**
 * Random access to a Blob for reads that mostly move forward through it, as the pages of rows an
 * upload or a conversion reads (runs of valid rows, the invalid ones between them skipped): a read
 * within the bytes last read is answered from them; one that starts in them or a little after reads
 * on through one stream, 4 MiB at a time (BlobRanges); any other (a page of the table far away) is
 * a slice of its own, of its bytes only. A slice per run of rows cost Chromium's browser process
 * about 0.8 ms each: 40 s of its CPU to convert the 100 MB bench export (docs/performance.md).
 */
export function forwardSource(blob: Blob): ByteSource & { close(): void } {
	// Never given back: a read's bytes are views of its buffer, kept by whoever reads them.
	const ranges = new BlobRanges(blob, new BufferShelf({ max: 0 }), FORWARD_GAP_BYTES);
	const slices = blobSource(blob);
	let last: { from: number; bytes: Uint8Array } | null = null;
	return {
		size: blob.size,
		async read(start: number, end: number): Promise<Uint8Array> {
			const stop = Math.min(end, blob.size);
			const from = last?.from ?? start;
			const lastEnd = last ? from + last.bytes.length : start;
			if (last && start >= from && stop <= lastEnd)
				return last.bytes.subarray(start - from, stop - from);
			if (start < from || start > lastEnd + FORWARD_GAP_BYTES) {
				last = { from: start, bytes: await slices.read(start, stop) };
				return last.bytes;
			}
			const at = Math.min(start, lastEnd);
			last = { from: at, bytes: await ranges.read(at, Math.max(stop, at + FORWARD_WINDOW_BYTES)) };
			return last.bytes.subarray(start - at, stop - at);
		},
		close: () => ranges.close()
	};
}

/**
 * A range's source: bytes [from, from + bytes.length) of the working copy answered from `bytes`
 * (read for it whole beforehand), any others read from `source`.
 */
export function rangeSource(source: ByteSource, from: number, bytes: Uint8Array): ByteSource {
	const end = from + bytes.length;
	return {
		size: source.size,
		read(start: number, stop: number): Promise<Uint8Array> {
			if (start < from || stop > end) return source.read(start, stop);
			return Promise.resolve(bytes.subarray(start - from, stop - from));
		}
	};
}
