import { throwIfAborted } from '../errors';
import { decodeRecord, fieldAligner, parseRecordText, scanModeOf } from '../json/records';
import { MAX_RECORD_BYTES, MAX_ROWS_PER_FILE, tooManyRows } from '../limits';
import { DEFAULT_CHUNK_SIZE } from '../read-options';
import { positionAt } from '../sniff/utf8';
import { Validator } from '../validate/validator';
import {
	createJsonSplitState,
	type JsonSplit,
	type JsonSplitState,
	type JsonSplitter
} from '../wasm/json-split';
import { Growable } from './growable';
import type { ScanRequest, ScanResult } from './types';

export interface WasmJsonScanOptions {
	/**
	 * Bytes given to the splitter per call (default: the reference reader's 1 MiB chunk). Reading
	 * and parsing still go by the reference's chunks, so results and errors are the same whatever
	 * this is; tests use tiny slices to put records across call boundaries.
	 */
	sliceSize?: number;
}

/** One record of a chunk, parsed and aligned (unless too large: then unread), waiting for the Validator. */
interface ParsedRecord {
	fields: string[];
	start: number;
	end: number;
	line: number;
	tooLarge: boolean;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The JSON/NDJSON scan of the accelerated engine: the WebAssembly splitter finds the records of
 * each chunk, then each one is parsed (json/parse), reshaped, flattened and validated one by one,
 * with the reference reader's own functions. It takes the reference path's steps (1 MiB chunks,
 * the chunk's structure checked before its records are parsed, maxRows looked at only when a
 * record comes), so results, progress reports and errors are the reference engine's.
 */
export function createWasmJsonScan(
	splitter: JsonSplitter,
	engineName: string,
	options: WasmJsonScanOptions = {}
): (request: ScanRequest) => Promise<ScanResult> {
	const sliceSize = Math.max(1, options.sliceSize ?? DEFAULT_CHUNK_SIZE);
	return (request) => new WasmJsonScan(splitter, engineName, sliceSize, request).run();
}

/**
 * Decoded bytes whose pieces are taken by byte offsets (character boundaries, in ascending order):
 * byte offsets are UTF-16 offsets when the text is ASCII, else a cursor that only moves forward
 * turns them into ones.
 */
class DecodedBytes {
	readonly #ascii: boolean;
	#cursorByte = 0;
	#cursorUnit = 0;

	constructor(
		readonly bytes: Uint8Array,
		readonly text: string
	) {
		this.#ascii = text.length === bytes.length;
	}

	/** The text of bytes [from, to). */
	slice(from: number, to: number): string {
		return this.text.substring(this.#unit(from), this.#unit(to));
	}

	#unit(byte: number): number {
		if (this.#ascii) return byte;
		const bytes = this.bytes;
		let at = this.#cursorByte;
		let unit = this.#cursorUnit;
		while (at < byte) {
			const value = bytes[at++];
			// A continuation byte adds no code unit, a 4-byte character's lead two (a surrogate pair).
			if ((value & 0xc0) !== 0x80) unit += value >= 0xf0 ? 2 : 1;
		}
		this.#cursorByte = at;
		this.#cursorUnit = unit;
		return unit;
	}
}

class WasmJsonScan {
	readonly #splitter: JsonSplitter;
	readonly #engine: string;
	readonly #sliceSize: number;
	readonly #request: ScanRequest;
	readonly #validator: Validator;
	readonly #extraKeys = new Set<string>();
	readonly #fieldsOf: (record: Record<string, unknown>) => string[];
	readonly #maxRecordBytes: number;

	readonly #rowStarts = new Growable((n) => new Float64Array(n));
	readonly #rowEnds = new Growable((n) => new Float64Array(n));
	readonly #rowLines = new Growable((n) => new Uint32Array(n));

	/** The bytes of the open record read in earlier chunks, from its start. */
	#carried: Uint8Array[] = [];

	constructor(splitter: JsonSplitter, engine: string, sliceSize: number, request: ScanRequest) {
		const { layout, mapping, profile, options } = request;
		this.#splitter = splitter;
		this.#engine = engine;
		this.#sliceSize = sliceSize;
		this.#request = request;
		this.#maxRecordBytes = request.maxRecordBytes ?? MAX_RECORD_BYTES;
		this.#validator = new Validator({ profile, mapping, columns: layout.columns, options });
		this.#fieldsOf = fieldAligner(layout, request.transformRecord, (key) =>
			this.#extraKeys.add(key)
		);
	}

	async run(): Promise<ScanResult> {
		const { source, layout, signal, onProgress } = this.#request;
		const maxRows = this.#request.maxRows ?? Infinity;
		const start = await positionAt(source, layout.dataStart);
		const state = createJsonSplitState(scanModeOf(layout), { offset: layout.dataStart, ...start });
		let position = layout.dataStart;
		let rowsLimited = false;

		reading: while (position < source.size && !state.done) {
			throwIfAborted(signal);
			const chunkStart = position;
			const bytes = await source.read(
				position,
				Math.min(source.size, position + DEFAULT_CHUNK_SIZE)
			);
			if (bytes.length === 0) break;
			position += bytes.length;
			const records = this.#parse(this.#split(bytes, state), bytes, chunkStart);
			this.#carry(bytes, chunkStart, state.depth > 0 ? state.recordStart : -1);
			if (records.length === 0) continue;
			throwIfAborted(signal);
			for (const record of records) {
				if (this.#rowStarts.length >= maxRows) {
					rowsLimited = true;
					break reading;
				}
				if (this.#rowStarts.length >= MAX_ROWS_PER_FILE) throw tooManyRows();
				if (record.tooLarge) this.#validator.addTooLarge();
				else this.#validator.add(record.fields, record.fields.length);
				this.#rowStarts.push(record.start);
				this.#rowEnds.push(record.end);
				this.#rowLines.push(record.line);
			}
			onProgress?.({ bytes: position, total: source.size, rows: this.#rowStarts.length });
		}
		// Like the reference reader, whose end is not reached when maxRows stops the reading.
		if (!rowsLimited) this.#splitter.finish(state);

		const validator = this.#validator;
		const summary = validator.finish();
		onProgress?.({ bytes: source.size, total: source.size, rows: summary.rows });
		return {
			...summary,
			engine: this.#engine,
			rowStarts: this.#rowStarts.toArray(),
			rowEnds: this.#rowEnds.toArray(),
			rowLines: this.#rowLines.toArray(),
			extraKeys: [...this.#extraKeys],
			roleValues: validator.roleValues(),
			firstRowOfKey: (key, value) => validator.firstRowOfKey(key, value),
			explain: (row, fields, fieldCount) => validator.explain(row, fields, fieldCount)
		};
	}

	/** The records of one chunk, given to the splitter `sliceSize` bytes at a time. */
	#split(bytes: Uint8Array, state: JsonSplitState): JsonSplit {
		const parts: JsonSplit[] = [];
		for (let at = 0; at < bytes.length && !state.done; at += this.#sliceSize)
			parts.push(this.#splitter.split(bytes.subarray(at, at + this.#sliceSize), state));
		return joinSplits(parts);
	}

	/**
	 * Parses the records of a chunk in order. Their bytes (with the whitespace and commas between
	 * them) are decoded at once when they are valid UTF-8; otherwise record by record, so the first
	 * bad record, or an earlier one that does not parse, fails as it does on the reference path.
	 * A record longer than maxRecordBytes is neither decoded nor parsed.
	 */
	#parse(found: JsonSplit, bytes: Uint8Array, chunkStart: number): ParsedRecord[] {
		const { count, starts, ends, lines, columns } = found;
		if (count === 0) return [];
		const tooLarge = (r: number) => ends[r] - starts[r] > this.#maxRecordBytes;
		// A first record too large may have begun in an earlier chunk whose bytes were let go.
		const firstRead = tooLarge(0) ? 1 : 0;
		const regionStart = starts[Math.min(firstRead, count - 1)];
		const region =
			firstRead === count
				? new Uint8Array(0)
				: this.#region(regionStart, ends[count - 1], bytes, chunkStart);
		let decoded: DecodedBytes | null;
		try {
			decoded = new DecodedBytes(region, textDecoder.decode(region));
		} catch {
			decoded = null;
		}
		const records: ParsedRecord[] = [];
		for (let r = 0; r < count; r++) {
			if (tooLarge(r)) {
				const fields: string[] = [];
				records.push({ fields, start: starts[r], end: ends[r], line: lines[r], tooLarge: true });
				continue;
			}
			const from = starts[r] - regionStart;
			const to = ends[r] - regionStart;
			const recordText = decoded
				? decoded.slice(from, to)
				: decodeRecord(region.subarray(from, to), starts[r]);
			const record = { start: starts[r], line: lines[r], column: columns[r] };
			records.push({
				fields: this.#fieldsOf(parseRecordText(recordText, record)),
				start: starts[r],
				end: ends[r],
				line: lines[r],
				tooLarge: false
			});
		}
		return records;
	}

	/** The bytes [start, end) of the working copy; `bytes` (from `chunkStart`) holds `end`. */
	#region(start: number, end: number, bytes: Uint8Array, chunkStart: number): Uint8Array {
		if (start >= chunkStart) return bytes.subarray(start - chunkStart, end - chunkStart);
		const parts = [...this.#carried, bytes.subarray(0, end - chunkStart)];
		const joined = new Uint8Array(end - start);
		let at = 0;
		for (const part of parts) {
			joined.set(part, at);
			at += part.length;
		}
		return joined;
	}

	/**
	 * Keeps the bytes of the record left open at the end of the chunk (none: `openStart` -1), unless
	 * it is already too large to be parsed.
	 */
	#carry(bytes: Uint8Array, chunkStart: number, openStart: number): void {
		const tooLarge = chunkStart + bytes.length - openStart > this.#maxRecordBytes;
		if (openStart < 0 || tooLarge) this.#carried = [];
		else if (openStart >= chunkStart) this.#carried = [bytes.subarray(openStart - chunkStart)];
		else this.#carried.push(bytes);
	}
}

function joinSplits(parts: JsonSplit[]): JsonSplit {
	if (parts.length === 1) return parts[0];
	const count = parts.reduce((sum, part) => sum + part.count, 0);
	const joined: JsonSplit = {
		count,
		starts: new Float64Array(count),
		ends: new Float64Array(count),
		lines: new Uint32Array(count),
		columns: new Float64Array(count)
	};
	let at = 0;
	for (const part of parts) {
		joined.starts.set(part.starts, at);
		joined.ends.set(part.ends, at);
		joined.lines.set(part.lines, at);
		joined.columns.set(part.columns, at);
		at += part.count;
	}
	return joined;
}
