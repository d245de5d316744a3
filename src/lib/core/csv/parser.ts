import Papa from 'papaparse';
import { FerryError } from '../errors';
import { MAX_RECORD_BYTES } from '../limits';
import { invalidUtf8Error } from '../sniff/utf8';
import type { RecordSpan } from '../types';

/** papaparse's low-level parser (`Papa.Parser`), the one its own ChunkStreamer drives. */
interface LowLevelParser {
	parse(input: string, baseIndex: number, ignoreLastRow: boolean): { data: string[][] };
}
type LowLevelParserClass = new (config: {
	delimiter: string;
	newline: string;
	quoteChar: string;
}) => LowLevelParser;
const PapaParser = (Papa as unknown as { Parser: LowLevelParserClass }).Parser;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

// Scanner states. They follow papaparse's rules, so both split records alike: a field is quoted
// only when it starts with a quote; inside, `""` is an escaped quote, and a quote closes the field
// only when whitespace* then a delimiter, a line break or the end follows (any other quote is data
// and the field stays open).
const OUTSIDE = 0;
const QUOTED = 1;
const QUOTE_SEEN = 2;
const AFTER_QUOTE_SPACE = 3;

/** How a record ended. papaparse splits one kind of line break per call. */
const END_OF_DATA = 0;
const TERMINATOR_LF = 1;
const TERMINATOR_CRLF = 2;
const TERMINATOR_CR = 3;
const NEWLINES = ['\n', '\n', '\r\n', '\r'];
const TERMINATOR_BYTES = [0, 1, 2, 1];

/** Bytes of the UTF-8 sequence a lead byte starts. */
function sequenceLength(lead: number): number {
	return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

/** Byte length of the whitespace character at `i` as String.prototype.trim sees it (0: none). */
function spaceLength(bytes: Uint8Array, i: number): number {
	const b = bytes[i];
	if (b === 0x20 || b === 0x09 || b === 0x0b || b === 0x0c) return 1;
	if (b < 0xc2) return 0;
	const b1 = bytes[i + 1];
	const b2 = bytes[i + 2];
	if (b === 0xc2) return b1 === 0xa0 ? 2 : 0; // U+00A0
	if (b === 0xe1) return b1 === 0x9a && b2 === 0x80 ? 3 : 0; // U+1680
	if (b === 0xe2 && b1 === 0x80)
		return (b2 >= 0x80 && b2 <= 0x8a) || b2 === 0xa8 || b2 === 0xa9 || b2 === 0xaf ? 3 : 0;
	if (b === 0xe2) return b1 === 0x81 && b2 === 0x9f ? 3 : 0; // U+205F
	if (b === 0xe3) return b1 === 0x80 && b2 === 0x80 ? 3 : 0; // U+3000
	if (b === 0xef) return b1 === 0xbb && b2 === 0xbf ? 3 : 0; // U+FEFF
	return 0;
}

/** Records whose end the scanner found in one push, as parallel arrays (no object per record). */
interface Ended {
	starts: number[];
	ends: number[];
	lines: number[];
	terminators: number[];
	/** The few records with malformed quoting: their index here and their first misplaced quote. */
	malformed: { at: number; offset: number; line: number; quoted: boolean }[];
	/** Where the last record's text ends when whitespace after a closing quote ends the data. */
	textEnd?: number;
}

export interface CsvRecordParserOptions {
	delimiter: string;
	/** Fields are padded with '' up to this many columns (0: left as read). */
	columns: number;
	/** Byte offset (in the UTF-8 working copy) and 1-based line of the first byte pushed. */
	offset: number;
	line: number;
	/** A record longer than this many bytes is skipped unread (default MAX_RECORD_BYTES). */
	maxRecordBytes?: number;
}

/**
 * A quoted field opened at `line` (byte `offset`) and never closed before the end of the text;
 * `misplaced`: its record has a misplaced quote, most likely the one meant to close it.
 */
export function unterminatedQuoteError(
	line: number,
	offset: number,
	misplaced: boolean
): FerryError {
	const hint = misplaced
		? ' A quote in that row is followed by text (or sits inside an unquoted field), so it did not close a field: quotes inside a quoted field must be doubled ("").'
		: '';
	return new FerryError(
		'unterminated_quote',
		`A quoted field starting on line ${line} is never closed.${hint}`,
		{
			line,
			offset
		}
	);
}

/**
 * Incremental CSV record reader over consecutive chunks of UTF-8 bytes. A linear scanner finds
 * where each record ends (exact byte range and physical line, respecting quotes and CR, LF and CRLF,
 * also mixed in one file); only complete records are decoded (strict UTF-8) and handed to
 * papaparse's low-level parser for their fields. So however many chunks a record spans, nothing
 * is scanned twice and no character is ever split. Empty lines are skipped. A record longer than
 * maxRecordBytes is only scanned for its end: its bytes are let go as they pass, and it comes out
 * as a tooLarge record without fields.
 */
export class CsvRecordParser {
	readonly #delimiter: string;
	readonly #delimiterCode: number;
	readonly #columns: number;
	readonly #maxRecordBytes: number;
	readonly #parsers = new Map<number, LowLevelParser>();
	readonly #decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

	#state = OUTSIDE;
	/** A CR outside quotes ended the chunk: an LF first in the next one makes it CRLF. */
	#crPending = false;
	#previousWasCR = false;
	#lastByte = -1;
	#offset: number;
	#line: number;
	#recordStart: number;
	#recordLine: number;
	#quoteLine = 0;
	#quoteOffset = 0;
	/** The last quote that may close the open quoted field (QUOTE_SEEN, AFTER_QUOTE_SPACE). */
	#closeOffset = 0;
	#closeLine = 0;
	/** The first misplaced quote of the open record (offset -1: none). */
	#malformedOffset = -1;
	#malformedLine = 0;
	#malformedQuoted = false;
	/** Bytes of the unfinished record, from #recordStart; none once it is too large to keep. */
	#carry: Uint8Array[] = [];
	/** A character cut by the end of the last chunk right after a closing quote (is it a space?). */
	#held: Uint8Array | null = null;

	constructor(options: CsvRecordParserOptions) {
		this.#delimiter = options.delimiter;
		this.#delimiterCode = options.delimiter.charCodeAt(0);
		this.#columns = options.columns;
		this.#maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
		this.#offset = options.offset;
		this.#line = options.line;
		this.#recordStart = options.offset;
		this.#recordLine = options.line;
	}

	/** Records completed by these bytes (the next bytes of the working copy). */
	push(chunk: Uint8Array): RecordSpan[] {
		let bytes = chunk;
		if (this.#held) {
			bytes = new Uint8Array(this.#held.length + chunk.length);
			bytes.set(this.#held);
			bytes.set(chunk, this.#held.length);
			this.#held = null;
		}
		return this.#scan(bytes, false);
	}

	/** Scans bytes that follow #offset; at the end of the data (`final`) nothing is held back. */
	#scan(bytes: Uint8Array, final: boolean): RecordSpan[] {
		const base = this.#offset;
		const length = bytes.length;
		const delimiter = this.#delimiterCode;
		const ended: Ended = { starts: [], ends: [], lines: [], terminators: [], malformed: [] };
		const carryStart = this.#carry.length > 0 ? this.#recordStart : base;
		let state = this.#state;
		let line = this.#line;
		let previousWasCR = this.#previousWasCR;
		let recordStart = this.#recordStart;
		let recordLine = this.#recordLine;
		let quoteLine = this.#quoteLine;
		let quoteOffset = this.#quoteOffset;
		let closeOffset = this.#closeOffset;
		let closeLine = this.#closeLine;
		let malformedOffset = this.#malformedOffset;
		let malformedLine = this.#malformedLine;
		let malformedQuoted = this.#malformedQuoted;
		let crPending = this.#crPending;
		let i = 0;

		// A quote papaparse reads as data: text after a closing quote, or a quote in an unquoted field.
		const misplaced = (offset: number, quoteLine: number, quoted: boolean): void => {
			if (malformedOffset >= 0) return;
			malformedOffset = offset;
			malformedLine = quoteLine;
			malformedQuoted = quoted;
		};
		const end = (recordEnd: number, terminator: number): void => {
			if (malformedOffset >= 0) {
				const at = ended.ends.length;
				ended.malformed.push({
					at,
					offset: malformedOffset,
					line: malformedLine,
					quoted: malformedQuoted
				});
				malformedOffset = -1;
			}
			ended.starts.push(recordStart);
			ended.ends.push(recordEnd);
			ended.lines.push(recordLine);
			ended.terminators.push(terminator);
			recordStart = recordEnd;
			recordLine = line;
		};

		if (crPending && length > 0) {
			crPending = false;
			const crlf = bytes[0] === LF;
			if (crlf) {
				i = 1;
				previousWasCR = false;
			}
			end(base + i, crlf ? TERMINATOR_CRLF : TERMINATOR_CR);
		}

		// Next positions of each byte of interest at or after i (-1: none left in this chunk).
		let nextLF = -2;
		let nextCR = -2;
		let nextQuote = -2;
		while (i < length) {
			let lineBreak: number;
			if (state === QUOTED) {
				if (nextQuote !== -1 && nextQuote < i) nextQuote = bytes.indexOf(QUOTE, i);
				if (nextLF !== -1 && nextLF < i) nextLF = bytes.indexOf(LF, i);
				if (nextCR !== -1 && nextCR < i) nextCR = bytes.indexOf(CR, i);
				const stop = nextQuote === -1 ? length : nextQuote;
				const firstBreak = Math.min(
					nextLF === -1 ? length : nextLF,
					nextCR === -1 ? length : nextCR
				);
				// Line breaks inside the quoted field.
				if (firstBreak < stop) {
					if (firstBreak > i) previousWasCR = false;
					for (let k = firstBreak; k < stop; k++) {
						const byte = bytes[k];
						if (byte === CR) {
							line++;
							previousWasCR = true;
						} else {
							if (byte === LF && !previousWasCR) line++;
							previousWasCR = false;
						}
					}
				} else if (stop > i) previousWasCR = false;
				if (nextQuote === -1) {
					i = length;
					break;
				}
				i = nextQuote + 1;
				state = QUOTE_SEEN;
				closeOffset = base + nextQuote;
				closeLine = line;
				previousWasCR = false;
				continue;
			}
			if (state !== OUTSIDE) {
				// QUOTE_SEEN or AFTER_QUOTE_SPACE: is the quote before a closing one?
				const byte = bytes[i];
				if (byte === QUOTE) {
					if (state === QUOTE_SEEN) state = QUOTED;
					else {
						// Whitespace, then a quote: the earlier quote did not close the field.
						misplaced(closeOffset, closeLine, true);
						state = QUOTE_SEEN;
						closeOffset = base + i;
						closeLine = line;
					}
					i++;
					continue;
				}
				if (byte === delimiter) {
					state = OUTSIDE;
					i++;
					continue;
				}
				if (byte !== LF && byte !== CR) {
					if (!final && byte >= 0xc0 && i + sequenceLength(byte) > length) {
						this.#held = bytes.slice(i);
						break;
					}
					const space = spaceLength(bytes, i);
					if (space === 0) misplaced(closeOffset, closeLine, true);
					state = space > 0 ? AFTER_QUOTE_SPACE : QUOTED;
					i += space;
					continue;
				}
				lineBreak = i;
			} else {
				if (nextQuote !== -1 && nextQuote < i) nextQuote = bytes.indexOf(QUOTE, i);
				if (nextLF !== -1 && nextLF < i) nextLF = bytes.indexOf(LF, i);
				if (nextCR !== -1 && nextCR < i) nextCR = bytes.indexOf(CR, i);
				const next = Math.min(
					nextLF === -1 ? length : nextLF,
					nextCR === -1 ? length : nextCR,
					nextQuote === -1 ? length : nextQuote
				);
				if (next === length) {
					i = length;
					break;
				}
				if (next === nextQuote) {
					// Only a quote that starts a field opens a quoted field.
					const previous = next > 0 ? bytes[next - 1] : this.#lastByte;
					if (base + next === recordStart || previous === delimiter) {
						state = QUOTED;
						quoteLine = line;
						quoteOffset = base + next;
					} else misplaced(base + next, line, false);
					i = next + 1;
					continue;
				}
				lineBreak = next;
			}

			// A line break outside quotes ends the record.
			state = OUTSIDE;
			line++;
			if (bytes[lineBreak] === LF) {
				previousWasCR = false;
				i = lineBreak + 1;
				end(base + i, TERMINATOR_LF);
			} else if (lineBreak + 1 < length) {
				previousWasCR = false;
				const crlf = bytes[lineBreak + 1] === LF;
				i = lineBreak + (crlf ? 2 : 1);
				end(base + i, crlf ? TERMINATOR_CRLF : TERMINATOR_CR);
			} else {
				previousWasCR = true;
				crPending = true;
				i = length;
			}
		}

		// Everything is consumed unless a cut character is held for the next chunk.
		const consumed = this.#held ? i : length;
		if (consumed > 0) this.#lastByte = bytes[consumed - 1];
		this.#state = state;
		this.#line = line;
		this.#previousWasCR = previousWasCR;
		this.#recordStart = recordStart;
		this.#recordLine = recordLine;
		this.#quoteLine = quoteLine;
		this.#quoteOffset = quoteOffset;
		this.#closeOffset = closeOffset;
		this.#closeLine = closeLine;
		this.#malformedOffset = malformedOffset;
		this.#malformedLine = malformedLine;
		this.#malformedQuoted = malformedQuoted;
		this.#crPending = crPending;
		this.#offset = base + consumed;

		const scanned = bytes.subarray(0, consumed);
		const segments = [...this.#carry, scanned];
		if (ended.ends.length === 0) {
			if (consumed > 0) this.#carry.push(scanned);
		} else
			this.#carry = recordStart < base + consumed ? [scanned.subarray(recordStart - base)] : [];
		// The open record is already too large: it will never be read, so its bytes are not kept.
		if (base + consumed - recordStart > this.#maxRecordBytes) this.#carry = [];
		return ended.ends.length === 0 ? [] : this.#records(segments, carryStart, ended);
	}

	/** The end of the data: the last record needs no line break. An open quoted field is an error. */
	finish(): RecordSpan[] {
		const held = this.#held;
		this.#held = null;
		const records = held ? this.#scan(held, true) : [];
		return records.length > 0 ? [...records, ...this.#finishLast()] : this.#finishLast();
	}

	#finishLast(): RecordSpan[] {
		if (this.#state === QUOTED) {
			throw unterminatedQuoteError(this.#quoteLine, this.#quoteOffset, this.#malformedOffset >= 0);
		}
		if (!this.#crPending && this.#offset === this.#recordStart) return [];
		const malformed = this.#malformedOffset;
		const ended: Ended = {
			starts: [this.#recordStart],
			ends: [this.#offset],
			lines: [this.#recordLine],
			terminators: [this.#crPending ? TERMINATOR_CR : END_OF_DATA],
			malformed:
				malformed < 0
					? []
					: [
							{ at: 0, offset: malformed, line: this.#malformedLine, quoted: this.#malformedQuoted }
						],
			// The closing quote's whitespace is no part of the value (papaparse would keep it raw).
			textEnd: this.#state === AFTER_QUOTE_SPACE ? this.#closeOffset + 1 : undefined
		};
		this.#malformedOffset = -1;
		const segments = this.#carry;
		const segmentsStart = segments.length > 0 ? this.#recordStart : this.#offset;
		this.#carry = [];
		this.#crPending = false;
		this.#state = OUTSIDE;
		this.#recordStart = this.#offset;
		this.#recordLine = this.#line;
		return this.#records(segments, segmentsStart, ended);
	}

	/** Fields for the ended records: one papaparse call per run of records with the same line break. */
	#records(segments: Uint8Array[], segmentsStart: number, ended: Ended): RecordSpan[] {
		const { starts, ends, lines, terminators, malformed } = ended;
		const records: RecordSpan[] = [];
		let nextMalformed = 0;
		let first = 0;
		const tooLarge = (k: number) => ends[k] - starts[k] > this.#maxRecordBytes;
		while (first < ends.length) {
			if (tooLarge(first)) {
				// Never decoded (its bytes may be gone): its line and byte range are all it has.
				records.push({
					fields: new Array<string>(this.#columns).fill(''),
					fieldCount: 0,
					start: starts[first],
					end: ends[first],
					line: lines[first],
					tooLarge: true
				});
				if (malformed[nextMalformed]?.at === first) nextMalformed++;
				first++;
				continue;
			}
			const terminator = terminators[first];
			let last = first + 1;
			while (
				last < ends.length &&
				!tooLarge(last) &&
				(terminators[last] === terminator || terminators[last] === END_OF_DATA)
			)
				last++;
			const rows = this.#rowsOfRun(segments, segmentsStart, ended, first, last);
			for (let k = first; k < last; k++) {
				if (ends[k] - starts[k] === TERMINATOR_BYTES[terminators[k]]) continue; // an empty line
				const fields = rows[k - first];
				const fieldCount = fields.length;
				while (fields.length < this.#columns) fields.push('');
				const record: RecordSpan = {
					fields,
					fieldCount,
					start: starts[k],
					end: ends[k],
					line: lines[k]
				};
				if (malformed[nextMalformed]?.at === k) {
					const { offset, line, quoted } = malformed[nextMalformed++];
					const field = this.#fieldAt(segments, segmentsStart, starts[k], offset);
					record.malformedQuote = { field, line, offset, quoted };
				}
				records.push(record);
			}
			first = last;
		}
		return records;
	}

	#parser(terminator: number): LowLevelParser {
		let parser = this.#parsers.get(terminator);
		if (!parser) {
			parser = new PapaParser({
				delimiter: this.#delimiter,
				newline: NEWLINES[terminator],
				quoteChar: '"'
			});
			this.#parsers.set(terminator, parser);
		}
		return parser;
	}

	/** One row of fields per record of ended[first..last). */
	#rowsOfRun(
		segments: Uint8Array[],
		segmentsStart: number,
		ended: Ended,
		first: number,
		last: number
	): string[][] {
		const { starts, ends, terminators } = ended;
		const textEnd = (k: number) => (k === ends.length - 1 ? (ended.textEnd ?? ends[k]) : ends[k]);
		const text = this.#decode(segments, segmentsStart, starts[first], textEnd(last - 1));
		const rows = this.#parser(terminators[first]).parse(text, 0, false).data;
		// papaparse adds an empty row after a final line break.
		const expected = last - first + (terminators[last - 1] === END_OF_DATA ? 0 : 1);
		if (rows.length === expected) return rows;
		// The scanner and papaparse disagree on where records end (malformed quoting only): the
		// scanner's boundaries win, and papaparse splits each record on its own.
		const perRecord: string[][] = [];
		for (let k = first; k < last; k++) {
			const recordText = this.#decode(segments, segmentsStart, starts[k], textEnd(k));
			const recordRows = this.#parser(terminators[k]).parse(recordText, 0, false).data;
			if (terminators[k] !== END_OF_DATA && recordRows.length > 1) recordRows.pop();
			perRecord.push(recordRows.flat());
		}
		return perRecord;
	}

	/**
	 * The 0-based field of the record at `start` that holds the misplaced quote at `offset`: its
	 * delimiters outside quotes before it. Up to the first misplaced quote every quote opens,
	 * closes or is one of an escaped pair, so counting quotes says whether a delimiter is inside.
	 */
	#fieldAt(segments: Uint8Array[], segmentsStart: number, start: number, offset: number): number {
		const text = this.#decode(segments, segmentsStart, start, offset);
		let field = 0;
		let quoted = false;
		for (const char of text) {
			if (char === '"') quoted = !quoted;
			else if (char === this.#delimiter && !quoted) field++;
		}
		return field;
	}

	/** Strict UTF-8 decoding of bytes [start, end) held by consecutive segments. */
	#decode(segments: Uint8Array[], segmentsStart: number, start: number, end: number): string {
		let text = '';
		let offset = segmentsStart;
		try {
			for (const segment of segments) {
				const from = Math.max(start, offset);
				const to = Math.min(end, offset + segment.length);
				if (from < to)
					text += this.#decoder.decode(segment.subarray(from - offset, to - offset), {
						stream: true
					});
				offset += segment.length;
			}
			return text + this.#decoder.decode();
		} catch {
			throw this.#invalidUtf8(segments, segmentsStart, start, end);
		}
	}

	#invalidUtf8(
		segments: Uint8Array[],
		segmentsStart: number,
		start: number,
		end: number
	): FerryError {
		const bytes = new Uint8Array(end - start);
		let offset = segmentsStart;
		for (const segment of segments) {
			const from = Math.max(start, offset);
			const to = Math.min(end, offset + segment.length);
			if (from < to) bytes.set(segment.subarray(from - offset, to - offset), from - start);
			offset += segment.length;
		}
		return invalidUtf8Error(bytes, start);
	}
}
