// Structural CSV indexer over UTF-8 bytes in linear memory. It finds where every field and record
// ends, following the rules of the reference reader (src/lib/core/csv/parser.ts, papaparse's
// own quoting rules): a field is quoted only when it starts with a quote; inside, `""` is an escaped
// quote, and a quote closes the field only when whitespace* then a delimiter, a line break or the
// end follows it (any other quote is data and the field stays open). CR, LF and CRLF end records,
// mixed or not; records with no bytes at all (empty lines) are skipped.
//
// The host owns the memory layout: a control block (configuration, the state carried from one call
// to the next, output pointers and counts) and the output arrays. Offsets written out are absolute
// (f64): the control block says where byte 0 of the current input sits in the whole text.
//
// Built twice from this one source: with `--enable simd` each 64-byte block is classified with
// SIMD128 and quotes are resolved by prefix-XOR of the quote mask; without it, or whenever a block
// holds something the masks cannot decide (a quote inside an unquoted field, whitespace after a
// closing quote...), the byte-at-a-time state machine below does the work. Both produce the same
// output, which the unit tests check.

import { CsvControl, CsvFieldCount, LayoutHash } from './_layout';
import { below, eqMask, isUnicodeSpace, prefixXor } from './_shared';

const QUOTE: u32 = 0x22;
const LF: u32 = 0x0a;
const CR: u32 = 0x0d;

// Machine states. The first three are "simple": a SIMD block can start from them.
const FIELD_START: u32 = 0;
const UNQUOTED: u32 = 1;
const QUOTED: u32 = 2;
/** A quote inside a quoted field: an escape if another quote follows, else a closing candidate. */
const QUOTE_PENDING: u32 = 3;
/** Whitespace after a closing candidate. */
const AFTER_CLOSE: u32 = 4;
/** Inside a multi-byte character after a closing candidate (is it Unicode whitespace?). */
const AFTER_CLOSE_UTF8: u32 = 5;

/** The layout table this build follows; the host refuses a module built from another one. */
export const LAYOUT: i32 = LayoutHash.CSV;
/** Whether this build classifies blocks with SIMD128. */
export const SIMD: bool = ASC_FEATURE_SIMD;

/**
 * Bit 31 of a field count (the open record's in the control block, each record's in the output):
 * the record has a misplaced quote, one papaparse reads as data (text after a closing quote, or a
 * quote in an unquoted field). The SIMD blocks never meet one: they leave such bytes to the machine.
 */

/** Room kept free in the outputs before each step of at most 64 bytes (2 fields per byte worst). */
const HEADROOM: i32 = 136;

let delimiter: u32 = 0;
let machine: u32 = FIELD_START;
/** A CR outside quotes ended a record; an LF right after it belongs to the same line break. */
let crPending: bool = false;
/** The previous byte was a CR (anywhere): an LF after it does not start a new line. */
let prevCR: bool = false;
let fieldCount: i32 = 0;
/** The open record has a misplaced quote. */
let malformed: bool = false;
let utf8Code: u32 = 0;
let utf8Left: u32 = 0;
let fieldsPtr: usize = 0;
let fieldsCap: i32 = 0;
let fieldsLen: i32 = 0;
let startsPtr: usize = 0;
let endsPtr: usize = 0;
let linesPtr: usize = 0;
let countsPtr: usize = 0;
let recordsCap: i32 = 0;
let recordsLen: i32 = 0;
/** Absolute offset of input byte 0 in this call. */
let base: f64 = 0;
let recordStart: f64 = 0;
let recordLine: f64 = 1;
/** Line of the next byte. */
let line: f64 = 1;
let quoteStart: f64 = -1;
let quoteLine: f64 = 0;

function loadControl(ctl: usize): void {
	delimiter = load<u32>(ctl, CsvControl.DELIMITER);
	machine = load<u32>(ctl, CsvControl.MACHINE);
	crPending = load<u32>(ctl, CsvControl.CR_PENDING) != 0;
	prevCR = load<u32>(ctl, CsvControl.PREV_CR) != 0;
	const count = load<u32>(ctl, CsvControl.FIELD_COUNT);
	fieldCount = <i32>(count & ~CsvFieldCount.MALFORMED);
	malformed = (count & CsvFieldCount.MALFORMED) != 0;
	utf8Code = load<u32>(ctl, CsvControl.UTF8_CODE);
	utf8Left = load<u32>(ctl, CsvControl.UTF8_LEFT);
	fieldsPtr = load<u32>(ctl, CsvControl.FIELDS_PTR);
	fieldsCap = load<i32>(ctl, CsvControl.FIELDS_CAP);
	fieldsLen = load<i32>(ctl, CsvControl.FIELDS_LEN);
	startsPtr = load<u32>(ctl, CsvControl.STARTS_PTR);
	endsPtr = load<u32>(ctl, CsvControl.ENDS_PTR);
	linesPtr = load<u32>(ctl, CsvControl.LINES_PTR);
	countsPtr = load<u32>(ctl, CsvControl.COUNTS_PTR);
	recordsCap = load<i32>(ctl, CsvControl.RECORDS_CAP);
	recordsLen = load<i32>(ctl, CsvControl.RECORDS_LEN);
	base = load<f64>(ctl, CsvControl.POSITION);
	recordStart = load<f64>(ctl, CsvControl.RECORD_START);
	recordLine = load<f64>(ctl, CsvControl.RECORD_LINE);
	line = load<f64>(ctl, CsvControl.LINE);
	quoteStart = load<f64>(ctl, CsvControl.QUOTE_START);
	quoteLine = load<f64>(ctl, CsvControl.QUOTE_LINE);
}

function storeControl(ctl: usize, consumed: i32): void {
	store<u32>(ctl, machine, CsvControl.MACHINE);
	store<u32>(ctl, crPending ? 1 : 0, CsvControl.CR_PENDING);
	store<u32>(ctl, prevCR ? 1 : 0, CsvControl.PREV_CR);
	store<u32>(
		ctl,
		(<u32>fieldCount) | (malformed ? CsvFieldCount.MALFORMED : 0),
		CsvControl.FIELD_COUNT
	);
	store<u32>(ctl, utf8Code, CsvControl.UTF8_CODE);
	store<u32>(ctl, utf8Left, CsvControl.UTF8_LEFT);
	store<i32>(ctl, fieldsLen, CsvControl.FIELDS_LEN);
	store<i32>(ctl, recordsLen, CsvControl.RECORDS_LEN);
	store<f64>(ctl, base + <f64>consumed, CsvControl.POSITION);
	store<f64>(ctl, recordStart, CsvControl.RECORD_START);
	store<f64>(ctl, recordLine, CsvControl.RECORD_LINE);
	store<f64>(ctl, line, CsvControl.LINE);
	store<f64>(ctl, quoteStart, CsvControl.QUOTE_START);
	store<f64>(ctl, quoteLine, CsvControl.QUOTE_LINE);
}

function emitField(pos: i32): void {
	store<f64>(fieldsPtr + ((<usize>fieldsLen) << 3), base + <f64>pos);
	fieldsLen++;
	fieldCount++;
}

/** Ends the record at `end` (after its line break); the next one starts there on `nextLine`. */
function endRecord(end: i32, nextLine: f64): void {
	// A record without fields is an empty line (its break came right at the record start).
	if (fieldCount > 0) {
		const at = <usize>recordsLen;
		store<f64>(startsPtr + (at << 3), recordStart);
		store<f64>(endsPtr + (at << 3), base + <f64>end);
		store<u32>(linesPtr + (at << 2), <u32>recordLine);
		store<u32>(
			countsPtr + (at << 2),
			(<u32>fieldCount) | (malformed ? CsvFieldCount.MALFORMED : 0)
		);
		recordsLen++;
	}
	fieldCount = 0;
	malformed = false;
	recordStart = base + <f64>end;
	recordLine = nextLine;
}

/** A CR or LF outside quotes at `pos`. */
function lineBreak(pos: i32, byte: u32): void {
	machine = FIELD_START;
	if (fieldCount > 0 || base + <f64>pos != recordStart) emitField(pos);
	if (byte == LF) endRecord(pos + 1, line);
	else crPending = true;
}

/** The byte-at-a-time machine over input[from, to). Stops early once simple if `untilSimple`. */
function scalarRun(input: usize, from: i32, to: i32, untilSimple: bool): i32 {
	const delim = delimiter;
	let i = from;
	while (i < to) {
		const byte = <u32>load<u8>(input + <usize>i);
		if (crPending) {
			crPending = false;
			if (byte == LF) {
				endRecord(i + 1, line);
				prevCR = false;
				i++;
				if (untilSimple) break;
				continue;
			}
			endRecord(i, line);
		}
		if (byte == CR || (byte == LF && !prevCR)) line += 1;
		prevCR = byte == CR;

		let state = machine;
		if (state == AFTER_CLOSE_UTF8) {
			if ((byte & 0xc0) == 0x80) {
				utf8Code = (utf8Code << 6) | (byte & 0x3f);
				utf8Left--;
				if (utf8Left == 0) {
					const space = isUnicodeSpace(utf8Code);
					machine = space ? AFTER_CLOSE : QUOTED;
					if (!space) malformed = true;
				}
				i++;
				continue;
			}
			// Not a continuation byte (the working copy is valid UTF-8, so this is defensive).
			state = QUOTED;
			machine = QUOTED;
			malformed = true;
		}

		if (state == QUOTED) {
			if (byte == QUOTE) machine = QUOTE_PENDING;
		} else if (state <= UNQUOTED) {
			if (byte == delim) {
				emitField(i);
				machine = FIELD_START;
			} else if (byte == LF || byte == CR) {
				lineBreak(i, byte);
			} else if (state == FIELD_START && byte == QUOTE) {
				machine = QUOTED;
				quoteStart = base + <f64>i;
				quoteLine = line;
			} else {
				if (byte == QUOTE) malformed = true;
				machine = UNQUOTED;
			}
		} else {
			// QUOTE_PENDING or AFTER_CLOSE: does the quote close the field?
			if (byte == QUOTE) {
				// After whitespace, a quote means the earlier one did not close the field.
				if (state == AFTER_CLOSE) malformed = true;
				machine = state == QUOTE_PENDING ? QUOTED : QUOTE_PENDING;
			} else if (byte == delim) {
				emitField(i);
				machine = FIELD_START;
			} else if (byte == LF || byte == CR) {
				lineBreak(i, byte);
			} else if (byte == 0x20 || (byte >= 0x09 && byte <= 0x0d)) {
				machine = AFTER_CLOSE;
			} else if (byte == 0xc2 || byte == 0xe1 || byte == 0xe2 || byte == 0xe3 || byte == 0xef) {
				// Lead bytes of the multi-byte whitespace characters.
				machine = AFTER_CLOSE_UTF8;
				utf8Code = byte & (byte < 0xe0 ? 0x1f : 0x0f);
				utf8Left = byte < 0xe0 ? 1 : 2;
			} else {
				malformed = true;
				machine = QUOTED;
			}
		}
		i++;
		if (untilSimple && machine <= QUOTED && !crPending) break;
	}
	return i;
}

/**
 * Indexes input[i, i + 64) from a simple state. Returns how many bytes it committed (the bytes
 * after the last one whose following state is simple are left to the scalar machine), or -1 when
 * the block needs the scalar machine from its first byte.
 */
function simdBlock(input: usize, i: i32): i32 {
	const p = input + <usize>i;
	const a = v128.load(p);
	const b = v128.load(p, 16);
	const c = v128.load(p, 32);
	const d = v128.load(p, 48);
	const quotes = eqMask(a, b, c, d, i8x16.splat(<i8>QUOTE));
	const delims = eqMask(a, b, c, d, i8x16.splat(<i8>delimiter));
	const crs = eqMask(a, b, c, d, i8x16.splat(<i8>CR));
	const lfs = eqMask(a, b, c, d, i8x16.splat(<i8>LF));

	const entry = machine;
	// Bit k: byte k lies inside quotes (an opening quote counts as inside, a closing one not).
	let inside = prefixXor(quotes);
	if (entry == QUOTED) inside = ~inside;
	const outside = ~inside;
	const openers = quotes & inside;
	const closers = quotes & outside;
	const separators = delims & outside;
	// A break starts at a CR, or an LF not right after a CR; it ends at an LF or a CR without LF.
	const breakStarts = (crs | (lfs & ~(crs << 1))) & outside;
	const breakEnds = (lfs | (crs & ~(lfs >> 1))) & outside;
	const fieldStarts = ((separators | breakEnds) << 1) | (<u64>(entry == FIELD_START));

	// The masks decide only well-formed quoting: a quote opens at a field start (or right after the
	// quote it escapes) and closes right before a quote, delimiter or line break.
	const strayOpeners = openers & ~(fieldStarts | (quotes << 1));
	const looseClosers = closers & ~((quotes | delims | crs | lfs) >> 1) & ~((<u64>1) << 63);
	if ((strayOpeners | looseClosers) != 0) return -1;

	// After a closing quote or a CR outside quotes the next byte decides: leave a trailing run of
	// those to the scalar machine.
	const undecided = closers | (crs & outside);
	const committed = 64 - <i32>clz(~undecided);
	const keep = below(committed);

	// Lines: every CR, and every LF not right after a CR (inside quotes too).
	const lineBreaks = (crs | (lfs & ~((crs << 1) | (<u64>prevCR)))) & keep;
	const blockLine = line;
	let structural = (separators | breakStarts) & keep;
	while (structural != 0) {
		const bit = <i32>ctz(structural);
		structural &= structural - 1;
		const pos = i + bit;
		if (((separators >> (<u64>bit)) & 1) != 0) {
			emitField(pos);
			continue;
		}
		if (fieldCount > 0 || base + <f64>pos != recordStart) emitField(pos);
		const crlf = ((crs >> (<u64>bit)) & 1) != 0 && ((lfs >> (<u64>(bit + 1))) & 1) != 0;
		const after = bit + (crlf ? 2 : 1);
		endRecord(i + after, blockLine + <f64>popcnt(lineBreaks & below(after)));
	}

	if (committed > 0) {
		const last = <u64>(committed - 1);
		line = blockLine + <f64>popcnt(lineBreaks);
		prevCR = ((crs >> last) & 1) != 0;
		if ((((separators | breakEnds) >> last) & 1) != 0) {
			machine = FIELD_START;
		} else if (((inside >> last) & 1) != 0) {
			machine = QUOTED;
			const opened = openers & fieldStarts & keep;
			if (opened != 0) {
				const at = 63 - <i32>clz(opened);
				quoteStart = base + <f64>(i + at);
				quoteLine = blockLine + <f64>popcnt(lineBreaks & below(at));
			}
		} else {
			machine = UNQUOTED;
		}
	}
	return committed;
}

/** Memory the host may lay its regions out from. */
export function heapBase(): usize {
	return __heap_base;
}

/**
 * Indexes input[0, length) with the state of the control block `ctl`, until the input or the
 * output room runs out. Returns the number of bytes consumed; the control block is updated.
 */
export function index(ctl: usize, input: usize, length: i32): i32 {
	loadControl(ctl);
	let i = 0;
	while (i < length) {
		if (fieldsCap - fieldsLen < HEADROOM || recordsCap - recordsLen < HEADROOM) break;
		if (ASC_FEATURE_SIMD) {
			if (i + 64 <= length && machine <= QUOTED && !crPending) {
				const committed = simdBlock(input, i);
				if (committed < 0) {
					i = scalarRun(input, i, i + 64, false);
				} else {
					i += committed;
					if (committed < 64) i = scalarRun(input, i, min(i + 64, length), true);
				}
			} else {
				// Back to blocks as soon as the state allows.
				i = scalarRun(input, i, min(i + 64, length), true);
			}
		} else {
			i = scalarRun(input, i, min(i + 64, length), false);
		}
	}
	storeControl(ctl, i);
	return i;
}

/**
 * The end of the text: ends the last record. The host leaves room for one field and one record.
 * Returns 1 when a quoted field is still open (the control block holds where it started).
 */
export function finish(ctl: usize): i32 {
	loadControl(ctl);
	let open = 0;
	if (crPending) {
		crPending = false;
		endRecord(0, line);
	} else if (machine == QUOTED) {
		open = 1;
		emitField(0);
		endRecord(0, line);
	} else if (fieldCount > 0 || base != recordStart) {
		emitField(0);
		endRecord(0, line);
	}
	machine = FIELD_START;
	storeControl(ctl, 0);
	return open;
}
