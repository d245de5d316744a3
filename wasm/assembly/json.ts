// Structural JSON record splitter over UTF-8 bytes in linear memory. It finds where each record (a
// top-level `{…}` between the scanner's start and end) begins and ends, with the rules of the
// reference scanner (src/lib/core/json/scanner.ts): strings, escapes and bracket nesting are
// tracked over raw bytes without parsing values; between records only whitespace and the mode's
// separators may appear; a record nested deeper than MAX_DEPTH, a mismatched closer or a stray byte
// between records is an error at the same offset, line and column the reference reports. The
// inside of a record is checked later by the host's parser.
//
// The host owns the memory layout: a control block (mode, the state carried from one call to the
// next, output pointers and counts, the error), the stack of expected closers, the input (followed
// by 64 bytes of padding that blocks may read but never use) and the output arrays. Offsets written
// out are absolute (f64): the control block says where byte 0 of the current input sits.
//
// Built twice from this one source: with `--enable simd`, the inside of a record is classified 64
// bytes at a time (quotes, backslashes, brackets with i8x16.eq + bitmask; the inside-strings mask
// is the prefix XOR of the unescaped quotes), and lines and columns are counted the same way; a
// block with a backslash outside strings, where the masks could disagree with the byte-at-a-time
// rules, goes to the scalar path. Without SIMD the scalar path does all the work. Lines and
// columns are counted lazily, only up to where a record starts or an error is, then to the end.

import { JsonBetween, JsonControl, JsonError, JsonMode, LayoutHash } from './_layout';
import { below, eqMask, prefixXor } from './_shared';

const LF: u32 = 0x0a;
const CR: u32 = 0x0d;
const QUOTE: u32 = 0x22;
const BACKSLASH: u32 = 0x5c;
const COMMA: u32 = 0x2c;
const OPEN_BRACE: u32 = 0x7b;
const CLOSE_BRACKET: u32 = 0x5d;
/** `{` and `[` with bit 5 set; `}` and `]` likewise: one compare finds both. */
const OPENER_LOWERED: u32 = 0x7b;
const CLOSER_LOWERED: u32 = 0x7d;

/** Deepest nesting read (MAX_JSON_DEPTH of src/lib/core/json/parse.ts; the host checks). */
export const MAX_DEPTH: i32 = 256;

/** The layout table this build follows; the host refuses a module built from another one. */
export const LAYOUT: i32 = LayoutHash.JSON;
/** Whether this build classifies blocks with SIMD128. */
export const SIMD: bool = ASC_FEATURE_SIMD;

let mode: u32 = JsonMode.ARRAY;
let between: u32 = 0;
/** Nesting depth inside the open record; 0 between records. */
let depth: i32 = 0;
let inString: bool = false;
let escaped: bool = false;
/** The root array is closed and a byte after it was met: the rest is not read. */
let stopped: bool = false;
let error: u32 = JsonError.NONE;
let errorByte: u32 = 0;
let errorOffset: f64 = 0;
let errorLine: f64 = 0;
let errorColumn: f64 = 0;
/** closers[d] is the byte that closes depth d (1-based). */
let closersPtr: usize = 0;
let startsPtr: usize = 0;
let endsPtr: usize = 0;
let linesPtr: usize = 0;
let columnsPtr: usize = 0;
let recordsCap: i32 = 0;
let recordsLen: i32 = 0;
/** Absolute offset of input byte 0 in this call. */
let base: f64 = 0;
let input: usize = 0;
let recordStart: f64 = 0;
let recordLine: f64 = 1;
let recordColumn: f64 = 1;

// Lines and columns are known up to input byte `counted`: the line and column of that byte, and
// whether the byte before it is a CR (an LF right after a CR is not a new line).
let counted: i32 = 0;
let line: f64 = 1;
let column: f64 = 1;
let prevCR: bool = false;

function loadControl(ctl: usize): void {
	mode = load<u32>(ctl, JsonControl.MODE);
	between = load<u32>(ctl, JsonControl.BETWEEN);
	depth = load<i32>(ctl, JsonControl.DEPTH);
	inString = load<u32>(ctl, JsonControl.IN_STRING) != 0;
	escaped = load<u32>(ctl, JsonControl.ESCAPED) != 0;
	prevCR = load<u32>(ctl, JsonControl.PREV_CR) != 0;
	stopped = load<u32>(ctl, JsonControl.STOPPED) != 0;
	closersPtr = load<u32>(ctl, JsonControl.CLOSERS_PTR);
	startsPtr = load<u32>(ctl, JsonControl.STARTS_PTR);
	endsPtr = load<u32>(ctl, JsonControl.ENDS_PTR);
	linesPtr = load<u32>(ctl, JsonControl.LINES_PTR);
	columnsPtr = load<u32>(ctl, JsonControl.COLUMNS_PTR);
	recordsCap = load<i32>(ctl, JsonControl.RECORDS_CAP);
	recordsLen = load<i32>(ctl, JsonControl.RECORDS_LEN);
	base = load<f64>(ctl, JsonControl.POSITION);
	line = load<f64>(ctl, JsonControl.LINE);
	column = load<f64>(ctl, JsonControl.COLUMN);
	recordStart = load<f64>(ctl, JsonControl.RECORD_START);
	recordLine = load<f64>(ctl, JsonControl.RECORD_LINE);
	recordColumn = load<f64>(ctl, JsonControl.RECORD_COLUMN);
	error = JsonError.NONE;
	counted = 0;
}

function storeControl(ctl: usize, consumed: i32): void {
	store<u32>(ctl, between, JsonControl.BETWEEN);
	store<i32>(ctl, depth, JsonControl.DEPTH);
	store<u32>(ctl, inString ? 1 : 0, JsonControl.IN_STRING);
	store<u32>(ctl, escaped ? 1 : 0, JsonControl.ESCAPED);
	store<u32>(ctl, prevCR ? 1 : 0, JsonControl.PREV_CR);
	store<u32>(ctl, stopped ? 1 : 0, JsonControl.STOPPED);
	store<u32>(ctl, error, JsonControl.ERROR);
	store<u32>(ctl, errorByte, JsonControl.ERROR_BYTE);
	store<i32>(ctl, recordsLen, JsonControl.RECORDS_LEN);
	store<f64>(ctl, base + <f64>consumed, JsonControl.POSITION);
	store<f64>(ctl, line, JsonControl.LINE);
	store<f64>(ctl, column, JsonControl.COLUMN);
	store<f64>(ctl, recordStart, JsonControl.RECORD_START);
	store<f64>(ctl, recordLine, JsonControl.RECORD_LINE);
	store<f64>(ctl, recordColumn, JsonControl.RECORD_COLUMN);
	store<f64>(ctl, errorOffset, JsonControl.ERROR_OFFSET);
	store<f64>(ctl, errorLine, JsonControl.ERROR_LINE);
	store<f64>(ctl, errorColumn, JsonControl.ERROR_COLUMN);
}

/** Bit k set where byte k is a UTF-8 continuation byte (0x80..0xBF: below -64 as a signed byte). */
function continuationMask(a: v128, b: v128, c: v128, d: v128): u64 {
	const s = i8x16.splat(-64);
	return (
		(<u64>(<u32>i8x16.bitmask(i8x16.lt_s(a, s)))) |
		((<u64>(<u32>i8x16.bitmask(i8x16.lt_s(b, s)))) << 16) |
		((<u64>(<u32>i8x16.bitmask(i8x16.lt_s(c, s)))) << 32) |
		((<u64>(<u32>i8x16.bitmask(i8x16.lt_s(d, s)))) << 48)
	);
}

/**
 * Counts lines and columns from `counted` to input byte `to`: CR, LF and CRLF are one line break
 * each, after which the column is 1; every other byte that starts a character adds a column.
 */
function countTo(to: i32): void {
	let i = counted;
	if (ASC_FEATURE_SIMD) {
		const crSplat = i8x16.splat(<i8>CR);
		const lfSplat = i8x16.splat(<i8>LF);
		while (i < to) {
			const n = min(64, to - i);
			const valid = below(n);
			const p = input + <usize>i;
			const a = v128.load(p);
			const b = v128.load(p, 16);
			const c = v128.load(p, 32);
			const d = v128.load(p, 48);
			const crs = eqMask(a, b, c, d, crSplat) & valid;
			const lfs = eqMask(a, b, c, d, lfSplat) & valid;
			const starts = ~continuationMask(a, b, c, d) & valid;
			line += <f64>(popcnt(crs) + popcnt(lfs & ~((crs << 1) | (<u64>prevCR))));
			const breaks = crs | lfs;
			if (breaks != 0) {
				const last = 63 - <i32>clz(breaks);
				column = 1 + <f64>popcnt(starts & ~below(last + 1));
			} else column += <f64>popcnt(starts);
			prevCR = ((crs >> (<u64>(n - 1))) & 1) != 0;
			i += n;
		}
	} else {
		for (; i < to; i++) {
			const byte = <u32>load<u8>(input + <usize>i);
			if (byte == CR) {
				line += 1;
				column = 1;
				prevCR = true;
			} else {
				if (byte == LF) {
					if (!prevCR) line += 1;
					column = 1;
				} else if ((byte & 0xc0) != 0x80) column += 1;
				prevCR = false;
			}
		}
	}
	counted = to;
}

function fail(kind: u32, pos: i32, byte: u32): void {
	countTo(pos);
	error = kind;
	errorByte = byte;
	errorOffset = base + <f64>pos;
	errorLine = line;
	errorColumn = column;
}

function isSpace(byte: u32): bool {
	return byte == 0x20 || byte == LF || byte == CR || byte == 0x09;
}

/** A `{` at `pos` between records starts one. */
function startRecord(pos: i32): void {
	countTo(pos);
	depth = 1;
	store<u8>(closersPtr + 1, <u8>(OPEN_BRACE + 2));
	recordStart = base + <f64>pos;
	recordLine = line;
	recordColumn = column;
}

/** A byte between records that neither is whitespace nor starts a record; false on error. */
function separator(byte: u32, pos: i32): bool {
	const arrayMode = mode == JsonMode.ARRAY || mode == JsonMode.ROOT;
	if (
		byte == COMMA &&
		(mode == JsonMode.RANGE || (arrayMode && between == JsonBetween.EXPECT_SEPARATOR))
	) {
		between = JsonBetween.EXPECT_RECORD;
		return true;
	}
	if (
		byte == CLOSE_BRACKET &&
		(mode == JsonMode.RANGE || (arrayMode && between != JsonBetween.EXPECT_RECORD))
	) {
		between = JsonBetween.CLOSED;
		return true;
	}
	fail(
		arrayMode && between == JsonBetween.EXPECT_SEPARATOR
			? JsonError.SEPARATOR_EXPECTED
			: JsonError.NOT_AN_OBJECT,
		pos,
		byte
	);
	return false;
}

/** `{` or `[` inside a record at `pos`; false on error. */
function open(pos: i32, byte: u32): bool {
	if (depth == MAX_DEPTH) {
		fail(JsonError.TOO_DEEP, pos, byte);
		return false;
	}
	depth++;
	store<u8>(closersPtr + <usize>depth, <u8>(byte + 2));
	return true;
}

/** `}` or `]` inside a record at `pos`, which ends the record at depth 1; false on error. */
function close(pos: i32, byte: u32): bool {
	if (byte != <u32>load<u8>(closersPtr + <usize>depth)) {
		fail(JsonError.UNEXPECTED_CLOSER, pos, byte);
		return false;
	}
	depth--;
	if (depth == 0) {
		const at = <usize>recordsLen;
		store<f64>(startsPtr + (at << 3), recordStart);
		store<f64>(endsPtr + (at << 3), base + <f64>(pos + 1));
		store<u32>(linesPtr + (at << 2), <u32>recordLine);
		store<f64>(columnsPtr + (at << 3), recordColumn);
		recordsLen++;
		between = JsonBetween.EXPECT_SEPARATOR;
	}
	return true;
}

/** Inside a record, byte at a time over input[from, to); stops after the record's end or an error. */
function scalarRecord(from: i32, to: i32): i32 {
	for (let i = from; i < to; i++) {
		const byte = <u32>load<u8>(input + <usize>i);
		if (inString) {
			if (escaped) escaped = false;
			else if (byte == BACKSLASH) escaped = true;
			else if (byte == QUOTE) inString = false;
		} else if (byte == QUOTE) inString = true;
		else if ((byte | 0x20) == OPENER_LOWERED) {
			if (!open(i, byte)) return i;
		} else if ((byte | 0x20) == CLOSER_LOWERED) {
			if (!close(i, byte)) return i;
			if (depth == 0) return i + 1;
		}
	}
	return to;
}

/**
 * Inside a record, the 64 bytes (fewer at the end) from input byte `i`: returns where it stopped
 * (after the block, after the record's end, or at an error), or -1 when the block holds a backslash
 * outside strings, which the scalar path must take.
 */
function simdBlock(i: i32, length: i32): i32 {
	const n = min(64, length - i);
	const valid = below(n);
	const p = input + <usize>i;
	const a = v128.load(p);
	const b = v128.load(p, 16);
	const c = v128.load(p, 32);
	const d = v128.load(p, 48);
	const quotes = eqMask(a, b, c, d, i8x16.splat(<i8>QUOTE)) & valid;
	const backslashes = eqMask(a, b, c, d, i8x16.splat(<i8>BACKSLASH)) & valid;
	const bit5 = i8x16.splat(0x20);
	const la = v128.or(a, bit5);
	const lb = v128.or(b, bit5);
	const lc = v128.or(c, bit5);
	const ld = v128.or(d, bit5);
	const openers = eqMask(la, lb, lc, ld, i8x16.splat(<i8>OPENER_LOWERED)) & valid;
	const closers = eqMask(la, lb, lc, ld, i8x16.splat(<i8>CLOSER_LOWERED)) & valid;

	// Bit k: byte k is taken by the backslash before it. Backslashes are rare: one step each.
	let escapes: u64 = escaped ? 1 : 0;
	let escapedAfter = false;
	let pending = backslashes;
	while (pending != 0) {
		const bit = <i32>ctz(pending);
		pending &= pending - 1;
		if (((escapes >> (<u64>bit)) & 1) != 0) continue;
		if (bit == 63) escapedAfter = true;
		else escapes |= (<u64>2) << (<u64>bit);
	}
	if (n < 64 && ((escapes >> (<u64>n)) & 1) != 0) escapedAfter = true;

	// Bit k: byte k lies inside a string (an opening quote counts as inside, a closing one not).
	let inside = prefixXor(quotes & ~escapes);
	if (inString) inside = ~inside;
	// Escapes count only inside strings: with a backslash outside, the masks may be wrong.
	if ((backslashes & ~inside) != 0) return -1;

	let structural = (openers | closers) & ~inside;
	while (structural != 0) {
		const bit = <i32>ctz(structural);
		structural &= structural - 1;
		const pos = i + bit;
		const byte = <u32>load<u8>(p + <usize>bit);
		if ((byte | 0x20) == OPENER_LOWERED) {
			if (!open(pos, byte)) return pos;
		} else {
			if (!close(pos, byte)) return pos;
			if (depth == 0) {
				// A closer outside strings: no string or escape is open here.
				inString = false;
				escaped = false;
				return pos + 1;
			}
		}
	}
	inString = ((inside >> (<u64>(n - 1))) & 1) != 0;
	escaped = escapedAfter;
	return i + n;
}

/** Memory the host may lay its regions out from. */
export function heapBase(): usize {
	return __heap_base;
}

/**
 * Splits input[0, length) with the state of the control block `ctl`, until the input ends, the
 * record outputs are full, an error is found (JsonControl.ERROR) or the root array's end stops reading
 * (JsonControl.STOPPED). Returns the number of bytes consumed; the control block is updated.
 */
export function split(ctl: usize, at: usize, length: i32): i32 {
	loadControl(ctl);
	input = at;
	let i = 0;
	while (i < length && !stopped) {
		if (depth == 0) {
			const byte = <u32>load<u8>(input + <usize>i);
			if (isSpace(byte)) {
				i++;
				continue;
			}
			if (between == JsonBetween.CLOSED) {
				if (mode == JsonMode.ROOT) stopped = true;
				else fail(JsonError.DATA_AFTER_ARRAY, i, byte);
				break;
			}
			if (
				byte == OPEN_BRACE &&
				(between != JsonBetween.EXPECT_SEPARATOR ||
					(mode != JsonMode.ARRAY && mode != JsonMode.ROOT))
			) {
				startRecord(i);
			} else if (!separator(byte, i)) break;
			i++;
			continue;
		}
		if (ASC_FEATURE_SIMD) {
			const next = simdBlock(i, length);
			i = next >= 0 ? next : scalarRecord(i, min(i + 64, length));
		} else {
			i = scalarRecord(i, length);
		}
		if (error != JsonError.NONE || recordsLen == recordsCap) break;
	}
	countTo(i);
	storeControl(ctl, i);
	return i;
}
