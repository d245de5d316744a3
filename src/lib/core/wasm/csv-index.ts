/**
 * The JavaScript side of the accelerated CSV path: drives the WebAssembly structural indexer
 * (wasm/assembly/csv.ts) over the UTF-8 working copy and turns its packed output into strings only
 * when asked. It splits records exactly like the reference reader (csv/parser.ts): papaparse's
 * quoting, CR, LF and CRLF (mixed) line breaks, empty lines skipped, physical line numbers.
 */
import { decodeCell } from '../sniff/utf8';
import { align, instantiateModule, reserveMemory, type ModuleExports } from './instance';
import { CsvControl, CsvFieldCount, LayoutHash } from './layout';

/**
 * Where indexing stands between two calls. A plain object (numbers, booleans, an array), so it can
 * be stored or posted to another worker; `index` updates it in place.
 */
export interface CsvIndexState {
	/** Byte offset in the working copy of the next byte to index. */
	position: number;
	machine: number;
	crPending: boolean;
	prevCR: boolean;
	utf8Code: number;
	utf8Left: number;
	/** Byte offset and 1-based line where the open record starts. */
	recordStart: number;
	recordLine: number;
	/** 1-based line of the next byte. */
	line: number;
	/** Byte offset and line of the opening quote of the last quoted field. */
	quoteStart: number;
	quoteLine: number;
	/** Field end offsets of the open record so far. */
	openFieldEnds: number[];
	/** The open record has a misplaced quote so far. */
	malformed: boolean;
}

/**
 * The records completed by one `index` call, packed. Offsets are absolute byte offsets in the
 * working copy. Field k of record r spans [start, fieldEnds[fieldIndex[r] + k]) where start is
 * recordStarts[r] for k = 0 and the previous field end + 1 (after the delimiter) otherwise.
 */
export interface CsvIndex {
	count: number;
	recordStarts: Float64Array;
	/** After the record's line break. */
	recordEnds: Float64Array;
	recordLines: Uint32Array;
	/** count + 1 entries: record r's fields are fieldEnds[fieldIndex[r]] to fieldEnds[fieldIndex[r + 1] - 1]. */
	fieldIndex: Uint32Array;
	fieldEnds: Float64Array;
	/**
	 * The records (indices into this index) with a misplaced quote, one papaparse reads as data:
	 * text after a closing quote, or a quote in an unquoted field (issue malformed_quotes).
	 */
	malformedRecords: number[];
	/** Offset of the end of the text when the call was final, else -1. */
	textEnd: number;
	/** Final call only: a quoted field that is never closed (the reference reader throws). */
	unterminatedQuote: { offset: number; line: number } | null;
}

export interface CsvIndexer {
	/** The module classifies bytes with SIMD128 (else it is the scalar build). */
	readonly simd: boolean;
	/**
	 * Indexes `bytes`, the working copy from `state.position` on, with a one-byte delimiter.
	 * `final` marks the end of the text: the last record needs no line break. With `views`, the
	 * index's arrays are views of the indexer's own storage, valid until its next call (a range
	 * scan reads them at once: no copies a slice).
	 */
	index(
		bytes: Uint8Array,
		delimiter: number,
		state: CsvIndexState,
		final?: boolean,
		views?: boolean
	): CsvIndex;
}

interface CsvExports extends ModuleExports {
	index(control: number, input: number, length: number): number;
	finish(control: number): number;
}

/** Bytes per indexing call: small enough that V8 soon runs the optimised code, not the baseline. */
const INPUT_SIZE = 1 << 20;
const FIELDS_CAPACITY = 1 << 17;
const RECORDS_CAPACITY = 1 << 15;

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/** The smallest module using a SIMD128 instruction (i8x16.splat, i8x16.popcnt). */
const SIMD_PROBE = new Uint8Array([
	0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15,
	253, 98, 11
]);

/** Whether this engine runs WebAssembly SIMD128 (all current browsers and Node do). */
export function simdSupported(): boolean {
	return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/** The state before the first byte at `position` (a record start), on 1-based `line`. */
export function createCsvIndexState(position = 0, line = 1): CsvIndexState {
	return {
		position,
		machine: 0,
		crPending: false,
		prevCR: false,
		utf8Code: 0,
		utf8Left: 0,
		recordStart: position,
		recordLine: line,
		line,
		quoteStart: -1,
		quoteLine: 0,
		openFieldEnds: [],
		malformed: false
	};
}

/** An append-only typed array that doubles its capacity. */
class Packed<T extends Float64Array | Uint32Array> {
	data: T;
	length = 0;

	constructor(private readonly create: (capacity: number) => T) {
		this.data = create(1024);
	}

	reserve(extra: number): void {
		if (this.length + extra <= this.data.length) return;
		let capacity = this.data.length * 2;
		while (capacity < this.length + extra) capacity *= 2;
		const bigger = this.create(capacity);
		bigger.set(this.data.subarray(0, this.length));
		this.data = bigger;
	}

	append(values: T): void {
		this.reserve(values.length);
		this.data.set(values, this.length);
		this.length += values.length;
	}

	toArray(view = false): T {
		return (view ? this.data.subarray(0, this.length) : this.data.slice(0, this.length)) as T;
	}
}

/** Compiles (when given bytes) and instantiates the indexer, one instance per worker. */
export async function instantiateCsvIndexer(
	module: WebAssembly.Module | Uint8Array
): Promise<CsvIndexer> {
	const wasm = await instantiateModule<CsvExports>(module, LayoutHash.CSV, 'CSV indexer');

	// Layout: control block, input, then the output arrays (f64 ones first, for alignment).
	const control = align(wasm.heapBase(), 16);
	const input = control + align(CsvControl.SIZE, 16);
	const fieldsPtr = input + INPUT_SIZE;
	const startsPtr = fieldsPtr + FIELDS_CAPACITY * 8;
	const endsPtr = startsPtr + RECORDS_CAPACITY * 8;
	const linesPtr = endsPtr + RECORDS_CAPACITY * 8;
	const countsPtr = linesPtr + RECORDS_CAPACITY * 4;
	// Memory never grows again, so these views stay valid.
	const buffer = reserveMemory(wasm, countsPtr + RECORDS_CAPACITY * 4);
	const bytes = new Uint8Array(buffer);
	const view = new DataView(buffer, control, CsvControl.SIZE);
	view.setUint32(CsvControl.FIELDS_PTR, fieldsPtr, true);
	view.setUint32(CsvControl.FIELDS_CAP, FIELDS_CAPACITY, true);
	view.setUint32(CsvControl.STARTS_PTR, startsPtr, true);
	view.setUint32(CsvControl.ENDS_PTR, endsPtr, true);
	view.setUint32(CsvControl.LINES_PTR, linesPtr, true);
	view.setUint32(CsvControl.COUNTS_PTR, countsPtr, true);
	view.setUint32(CsvControl.RECORDS_CAP, RECORDS_CAPACITY, true);

	function writeState(state: CsvIndexState, delimiter: number): void {
		view.setUint32(CsvControl.DELIMITER, delimiter, true);
		view.setUint32(CsvControl.MACHINE, state.machine, true);
		view.setUint32(CsvControl.CR_PENDING, state.crPending ? 1 : 0, true);
		view.setUint32(CsvControl.PREV_CR, state.prevCR ? 1 : 0, true);
		const count = state.openFieldEnds.length;
		const malformed = state.malformed ? CsvFieldCount.MALFORMED : 0;
		view.setUint32(CsvControl.FIELD_COUNT, (count | malformed) >>> 0, true);
		view.setUint32(CsvControl.UTF8_CODE, state.utf8Code, true);
		view.setUint32(CsvControl.UTF8_LEFT, state.utf8Left, true);
		view.setFloat64(CsvControl.POSITION, state.position, true);
		view.setFloat64(CsvControl.RECORD_START, state.recordStart, true);
		view.setFloat64(CsvControl.RECORD_LINE, state.recordLine, true);
		view.setFloat64(CsvControl.LINE, state.line, true);
		view.setFloat64(CsvControl.QUOTE_START, state.quoteStart, true);
		view.setFloat64(CsvControl.QUOTE_LINE, state.quoteLine, true);
	}

	function readState(state: CsvIndexState): void {
		state.machine = view.getUint32(CsvControl.MACHINE, true);
		state.malformed =
			(view.getUint32(CsvControl.FIELD_COUNT, true) & CsvFieldCount.MALFORMED) !== 0;
		state.crPending = view.getUint32(CsvControl.CR_PENDING, true) !== 0;
		state.prevCR = view.getUint32(CsvControl.PREV_CR, true) !== 0;
		state.utf8Code = view.getUint32(CsvControl.UTF8_CODE, true);
		state.utf8Left = view.getUint32(CsvControl.UTF8_LEFT, true);
		state.position = view.getFloat64(CsvControl.POSITION, true);
		state.recordStart = view.getFloat64(CsvControl.RECORD_START, true);
		state.recordLine = view.getFloat64(CsvControl.RECORD_LINE, true);
		state.line = view.getFloat64(CsvControl.LINE, true);
		state.quoteStart = view.getFloat64(CsvControl.QUOTE_START, true);
		state.quoteLine = view.getFloat64(CsvControl.QUOTE_LINE, true);
	}

	const fieldEnds = new Packed((n) => new Float64Array(n));
	const recordStarts = new Packed((n) => new Float64Array(n));
	const recordEnds = new Packed((n) => new Float64Array(n));
	const recordLines = new Packed((n) => new Uint32Array(n));
	const fieldCounts = new Packed((n) => new Uint32Array(n));

	/** Moves what the last wasm call wrote out of its memory. */
	function collect(): void {
		const fields = view.getUint32(CsvControl.FIELDS_LEN, true);
		const records = view.getUint32(CsvControl.RECORDS_LEN, true);
		fieldEnds.append(new Float64Array(buffer, fieldsPtr, fields));
		recordStarts.append(new Float64Array(buffer, startsPtr, records));
		recordEnds.append(new Float64Array(buffer, endsPtr, records));
		recordLines.append(new Uint32Array(buffer, linesPtr, records));
		fieldCounts.append(new Uint32Array(buffer, countsPtr, records));
		view.setUint32(CsvControl.FIELDS_LEN, 0, true);
		view.setUint32(CsvControl.RECORDS_LEN, 0, true);
	}

	function index(
		text: Uint8Array,
		delimiter: number,
		state: CsvIndexState,
		final = false,
		views = false
	): CsvIndex {
		if (
			!Number.isInteger(delimiter) ||
			delimiter <= 0 ||
			delimiter >= 0x80 ||
			delimiter === QUOTE ||
			delimiter === CR ||
			delimiter === LF
		) {
			throw new RangeError(`Unusable CSV delimiter code ${delimiter}.`);
		}
		for (const packed of [fieldEnds, recordStarts, recordEnds, recordLines, fieldCounts]) {
			packed.length = 0;
		}
		fieldEnds.append(Float64Array.from(state.openFieldEnds));
		writeState(state, delimiter);
		view.setUint32(CsvControl.FIELDS_LEN, 0, true);
		view.setUint32(CsvControl.RECORDS_LEN, 0, true);

		for (let offset = 0; offset < text.length;) {
			const size = Math.min(INPUT_SIZE, text.length - offset);
			bytes.set(text.subarray(offset, offset + size), input);
			for (let done = 0; done < size;) {
				done += wasm.index(control, input + done, size - done);
				collect();
			}
			offset += size;
		}
		let unterminatedQuote: CsvIndex['unterminatedQuote'] = null;
		if (final) {
			if (wasm.finish(control) !== 0) {
				unterminatedQuote = {
					offset: view.getFloat64(CsvControl.QUOTE_START, true),
					line: view.getFloat64(CsvControl.QUOTE_LINE, true)
				};
			}
			collect();
		}
		readState(state);

		const count = fieldCounts.length;
		const fieldIndex = new Uint32Array(count + 1);
		const counts = fieldCounts.data;
		const malformedRecords: number[] = [];
		for (let r = 0; r < count; r++) {
			let fields = counts[r];
			if (fields >= CsvFieldCount.MALFORMED) {
				fields -= CsvFieldCount.MALFORMED;
				malformedRecords.push(r);
			}
			fieldIndex[r + 1] = fieldIndex[r] + fields;
		}
		const closed = fieldIndex[count];
		state.openFieldEnds = Array.from(fieldEnds.data.subarray(closed, fieldEnds.length));
		return {
			count,
			recordStarts: recordStarts.toArray(views),
			recordEnds: recordEnds.toArray(views),
			recordLines: recordLines.toArray(views),
			fieldIndex,
			fieldEnds: views ? fieldEnds.data.subarray(0, closed) : fieldEnds.data.slice(0, closed),
			malformedRecords,
			textEnd: final ? state.position : -1,
			unterminatedQuote
		};
	}

	return { simd: wasm.SIMD.value !== 0, index };
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * A field's value from its text as written, the way papaparse reads it: a quoted field loses its
 * quotes (and any whitespace after the closing one, also at the end of the text, where papaparse
 * itself would keep `b" `) and `""` becomes `"`. A quoted field that never closes (at the end of
 * the text, something but whitespace after its last quote) is taken raw after the opening quote
 * (papaparse's "missing quotes" recovery).
 */
export function unquote(written: string, atTextEnd: boolean): string {
	if (written.charCodeAt(0) !== QUOTE) return written;
	const close = written.lastIndexOf('"');
	if (close === 0 || (atTextEnd && written.slice(close + 1).trim() !== '')) return written.slice(1);
	const value = written.slice(1, close);
	return value.includes('""') ? value.replaceAll('""', '"') : value;
}

/** The value of the field at bytes [start, end); `textEnd` is where the text ends, if known. */
export function fieldValue(bytes: Uint8Array, start: number, end: number, textEnd = -1): string {
	return unquote(decodeCell(decoder, bytes, start, end), end === textEnd);
}

/**
 * The fields of records [from, to) of `index` as strings. `bytes` holds the working copy (valid
 * UTF-8) from byte offset `bytesOffset` on and must cover those records. Each record is decoded
 * once and its fields are slices of that text (so a kept value holds one record, not a chunk).
 */
export function readRecords(
	index: CsvIndex,
	bytes: Uint8Array,
	bytesOffset = 0,
	from = 0,
	to = index.count
): string[][] {
	const { fieldIndex, fieldEnds, recordStarts } = index;
	const textEnd = index.textEnd - bytesOffset;
	const rows: string[][] = [];
	for (let r = from; r < to; r++) {
		const first = fieldIndex[r];
		const last = fieldIndex[r + 1];
		const recordStart = recordStarts[r] - bytesOffset;
		const text = decoder.decode(bytes.subarray(recordStart, fieldEnds[last - 1] - bytesOffset));
		const ascii = text.length === fieldEnds[last - 1] - bytesOffset - recordStart;
		// UTF-16 offset in `text` of each field end: a continuation byte adds no code unit, the lead
		// byte of a 4-byte character two (a surrogate pair), any other byte one.
		let byte = recordStart;
		let unit = 0;
		let start = 0;
		const fields: string[] = [];
		for (let f = first; f < last; f++) {
			const endByte = fieldEnds[f] - bytesOffset;
			if (ascii) unit = endByte - recordStart;
			else {
				while (byte < endByte) {
					const value = bytes[byte++];
					if ((value & 0xc0) !== 0x80) unit += value >= 0xf0 ? 2 : 1;
				}
			}
			fields.push(unquote(text.slice(start, unit), endByte === textEnd));
			start = unit + 1;
		}
		rows.push(fields);
	}
	return rows;
}
