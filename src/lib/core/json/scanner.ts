import { FerryError } from '../errors';
import { MAX_RECORD_BYTES } from '../limits';
import { MAX_JSON_DEPTH } from './parse';

/**
 * Where records sit between the scanner's start and its end:
 * - `array`: elements of a top-level array (the start is just inside `[`); only whitespace may follow `]`;
 * - `root`: elements of an array under a top-level key; reading stops at its `]`;
 * - `sequence`: NDJSON, objects separated by whitespace (blank lines are fine);
 * - `range`: a slice cut at record boundaries for paging: objects separated by whitespace or commas.
 */
export type JsonScanMode = 'array' | 'root' | 'sequence' | 'range';

/**
 * One record found by the scanner: its raw bytes and where it sits in the working copy. A record
 * longer than the scanner's maxRecordBytes has no bytes (they were let go as they passed).
 */
export interface ScannedRecord {
	bytes: Uint8Array;
	tooLarge?: boolean;
	start: number;
	end: number;
	line: number;
	column: number;
}

export interface Position {
	offset: number;
	line: number;
	column: number;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

// Between records in array modes.
const EXPECT_FIRST = 0; // just inside '[': a record or ']'
const EXPECT_RECORD = 1; // after ',': a record
const EXPECT_SEPARATOR = 2; // after a record: ',' or ']'
const CLOSED = 3; // after ']'

function isSpace(byte: number): boolean {
	return byte === 0x20 || byte === LF || byte === CR || byte === 0x09;
}

function invalid(message: string, at: Position): FerryError {
	const { line, column, offset } = at;
	return new FerryError('invalid_json', `${message} (line ${line}, column ${column}).`, {
		line,
		column,
		offset
	});
}

function quoted(byte: number): string {
	return `"${String.fromCharCode(byte)}"`;
}

/**
 * The errors met between and around records, by kind, given the byte at fault and where it is.
 * The WebAssembly splitter (wasm/assembly/json.ts) reports the same kinds, so both paths say the
 * same thing.
 */
export const structureErrors = {
	tooDeep: (_byte: number, at: Position) =>
		invalid(`Values are nested more than ${MAX_JSON_DEPTH} deep`, at),
	unexpectedCloser: (byte: number, at: Position) => invalid(`Unexpected ${quoted(byte)}`, at),
	dataAfterArray: (_byte: number, at: Position) =>
		invalid('Unexpected data after the end of the JSON array', at),
	separatorExpected: (byte: number, at: Position) =>
		invalid(`Unexpected ${quoted(byte)} where "," or "]" belongs`, at),
	notAnObject: (byte: number, at: Position) =>
		invalid(
			'Each record must be a JSON object ({…}); found ' +
				(byte < 0x80 ? quoted(byte) : 'a non-ASCII byte'),
			at
		)
};

export type StructureError = keyof typeof structureErrors;

/**
 * What the end of the data leaves wrong, if anything: a record still open (it started on
 * `recordLine`), or an array never closed; `at` is where the data ends.
 */
export function endOfDataError(
	mode: JsonScanMode,
	inRecord: boolean,
	arrayClosed: boolean,
	recordLine: number,
	at: Position
): FerryError | null {
	if (inRecord)
		return invalid(`The JSON ends inside the record that starts on line ${recordLine}`, at);
	if ((mode === 'array' || mode === 'root') && !arrayClosed)
		return invalid('The JSON array is never closed', at);
	return null;
}

function concat(parts: Uint8Array[]): Uint8Array {
	if (parts.length === 1) return parts[0];
	const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
	let at = 0;
	for (const part of parts) {
		joined.set(part, at);
		at += part.length;
	}
	return joined;
}

/**
 * Finds each record's byte range by tracking strings, escapes and bracket nesting over raw bytes,
 * chunk by chunk, without parsing the values: a record is then parsed on its own. Structure
 * between records is checked here; the inside of a record is checked by its parser.
 */
export class JsonRecordScanner {
	readonly #mode: JsonScanMode;
	#between = EXPECT_FIRST;
	#offset: number;
	#line: number;
	#column: number;
	#previousWasCR = false;

	/** Closing bytes expected, innermost last; depth 0 is between records. */
	#closers = new Uint8Array(MAX_JSON_DEPTH + 1);
	#depth = 0;
	#inString = false;
	#escaped = false;

	#record: Position = { offset: 0, line: 0, column: 0 };
	/** The open record's bytes so far; none once it is too large to keep. */
	#parts: Uint8Array[] = [];
	readonly #maxRecordBytes: number;

	constructor(mode: JsonScanMode, start: Position, maxRecordBytes = MAX_RECORD_BYTES) {
		this.#mode = mode;
		this.#maxRecordBytes = maxRecordBytes;
		this.#offset = start.offset;
		this.#line = start.line;
		this.#column = start.column;
	}

	/** Nothing more to read: the array under the root key was closed (the rest is not read). */
	get done(): boolean {
		return this.#mode === 'root' && this.#between === CLOSED;
	}

	push(bytes: Uint8Array): ScannedRecord[] {
		const records: ScannedRecord[] = [];
		const base = this.#offset;
		let line = this.#line;
		let column = this.#column;
		let previousWasCR = this.#previousWasCR;
		let depth = this.#depth;
		let inString = this.#inString;
		let escaped = this.#escaped;
		let recordStart = depth > 0 ? 0 : -1;
		let i = 0;

		for (; i < bytes.length; i++) {
			const byte = bytes[i];
			if (depth > 0) {
				if (inString) {
					if (escaped) escaped = false;
					else if (byte === BACKSLASH) escaped = true;
					else if (byte === QUOTE) inString = false;
				} else if (byte === QUOTE) inString = true;
				else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
					if (depth === MAX_JSON_DEPTH)
						throw structureErrors.tooDeep(byte, { offset: base + i, line, column });
					this.#closers[++depth] = byte === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
				} else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
					if (byte !== this.#closers[depth])
						throw structureErrors.unexpectedCloser(byte, { offset: base + i, line, column });
					if (--depth === 0) {
						const end = base + i + 1;
						const tooLarge = end - this.#record.offset > this.#maxRecordBytes;
						if (!tooLarge) this.#parts.push(bytes.subarray(recordStart, i + 1));
						records.push({
							bytes: tooLarge ? new Uint8Array(0) : concat(this.#parts),
							start: this.#record.offset,
							end,
							line: this.#record.line,
							column: this.#record.column,
							...(tooLarge && { tooLarge })
						});
						this.#parts = [];
						this.#between = EXPECT_SEPARATOR;
					}
				}
			} else if (!isSpace(byte)) {
				if (this.#between === CLOSED) {
					if (this.#mode === 'root') break;
					throw structureErrors.dataAfterArray(byte, { offset: base + i, line, column });
				}
				if (
					byte === OPEN_BRACE &&
					(this.#between !== EXPECT_SEPARATOR || (this.#mode !== 'array' && this.#mode !== 'root'))
				) {
					depth = 1;
					this.#closers[1] = CLOSE_BRACE;
					recordStart = i;
					this.#record = { offset: base + i, line, column };
				} else this.#between = this.#separator(byte, { offset: base + i, line, column });
			}

			if (byte === CR) {
				line++;
				column = 1;
				previousWasCR = true;
			} else {
				if (byte === LF) {
					if (!previousWasCR) line++;
					column = 1;
				} else if ((byte & 0xc0) !== 0x80) column++;
				previousWasCR = false;
			}
		}

		if (depth > 0) this.#parts.push(recordStart > 0 ? bytes.subarray(recordStart) : bytes);
		// The open record is already too large: it will never be parsed, so its bytes are not kept.
		if (depth > 0 && base + i - this.#record.offset > this.#maxRecordBytes) this.#parts = [];
		this.#offset = base + i;
		this.#line = line;
		this.#column = column;
		this.#previousWasCR = previousWasCR;
		this.#depth = depth;
		this.#inString = inString;
		this.#escaped = escaped;
		return records;
	}

	/** The state after a byte between records that does not start one. */
	#separator(byte: number, at: Position): number {
		const between = this.#between;
		const arrayMode = this.#mode === 'array' || this.#mode === 'root';
		if (byte === COMMA && (this.#mode === 'range' || (arrayMode && between === EXPECT_SEPARATOR)))
			return EXPECT_RECORD;
		if (byte === CLOSE_BRACKET && this.#mode === 'range') return CLOSED;
		if (byte === CLOSE_BRACKET && arrayMode && between !== EXPECT_RECORD) return CLOSED;
		if (arrayMode && between === EXPECT_SEPARATOR)
			throw structureErrors.separatorExpected(byte, at);
		throw structureErrors.notAnObject(byte, at);
	}

	/** The end of the data: a record or an array left open is an error. */
	finish(): void {
		const error = endOfDataError(
			this.#mode,
			this.#depth > 0,
			this.#between === CLOSED,
			this.#record.line,
			{ offset: this.#offset, line: this.#line, column: this.#column }
		);
		if (error) throw error;
	}
}
