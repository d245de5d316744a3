// The row kernel: checks the mapped cells of indexed CSV records directly on their UTF-8 bytes,
// with exactly the verdicts of the JavaScript rules (src/lib/core/validate). Values are trimmed
// exactly as String.prototype.trim trims them, Unicode whitespace included. A cell it cannot
// decide exactly on bytes (escaped quotes, non-ASCII in an email, boolean, date or UUID value or
// in an email key, any phone number or locale) is flagged for JavaScript instead, with nothing
// decided for it.
//
// The host (src/lib/core/wasm/row-kernel.ts) owns the layout: a configuration block (the checks,
// the issue bits), then per call the region's bytes, the indexer's arrays and the output arrays.
// One `check` call does a whole region.
//
// Built twice from this one source: with `--enable simd` the scans over many bytes (ASCII, quotes,
// continuation bytes, UTF-8 validation) take 16 bytes at a time with SIMD128; without it, 8 bytes
// at a time in a u64. Both give the same results, which the unit tests check.

import {
	CheckFlag,
	CheckKey,
	CheckType,
	DateKind,
	LayoutHash,
	RowCheck,
	RowConfig
} from './_layout';
import { isUnicodeSpace } from './_shared';

const QUOTE: u32 = 0x22;
const AT: u32 = 0x40;
const DOT: u32 = 0x2e;
const HYPHEN: u32 = 0x2d;
const SLASH: u32 = 0x2f;
const COLON: u32 = 0x3a;

/**
 * The layout table this build follows (the configuration block: a RowConfig header, then one
 * RowCheck per check); the host refuses a module built from another one.
 */
export const LAYOUT: i32 = LayoutHash.ROWS;
/** Whether this build scans with SIMD128. */
export const SIMD: bool = ASC_FEATURE_SIMD;

// Cell outcomes.
const CELL_EMPTY = 0;
const CELL_VALUE = 1;
const CELL_JS = 2;

const MIN_YEAR = 1900;
const MAX_YEAR = 2100;
/** Date.UTC(1900, 0, 1) and Date.UTC(2101, 0, 1). */
const MIN_MS: f64 = -2208988800000;
const END_MS: f64 = 4133980800000;
const DAY_MS: f64 = 86400000;

const HIGH_BITS: u64 = 0x8080808080808080;

/** The trimmed value of the last CELL_VALUE cell: bytes [valueStart, valueEnd). */
let valueStart: i32 = 0;
let valueEnd: i32 = 0;
/** The last parsed date: kind, then the exact instant or the dmy and mdy instants. */
let dateKind: u8 = 0;
let dateA: f64 = NaN;
let dateB: f64 = NaN;
/** The last key hash. */
let hash1: u32 = 0;
let hash2: u32 = 0;

/** Memory the host may lay its regions out from. */
export function heapBase(): usize {
	return __heap_base;
}

// --- Byte scans -------------------------------------------------------------------------------
// The SIMD versions read whole 16-byte vectors and mask off what lies past the range: the host
// leaves padding after the region's bytes.

/** Lanes below `count` (0..16) set. */
function lanesBelow(count: i32): v128 {
	return i8x16.gt_u(
		i8x16.splat(<i8>count),
		i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
	);
}

function tailBits(count: i32): i32 {
	return (1 << count) - 1;
}

/** No byte of [p, p + n) is 0x80 or above. */
function isAscii(p: usize, n: i32): bool {
	let i = 0;
	if (ASC_FEATURE_SIMD) {
		while (i + 64 <= n) {
			const q = p + <usize>i;
			const any = v128.or(
				v128.or(v128.load(q), v128.load(q, 16)),
				v128.or(v128.load(q, 32), v128.load(q, 48))
			);
			if (i8x16.bitmask(any) != 0) return false;
			i += 64;
		}
		while (i < n) {
			let bits = i8x16.bitmask(v128.load(p + <usize>i));
			if (n - i < 16) bits &= tailBits(n - i);
			if (bits != 0) return false;
			i += 16;
		}
		return true;
	}
	while (i + 8 <= n) {
		if ((load<u64>(p + <usize>i) & HIGH_BITS) != 0) return false;
		i += 8;
	}
	while (i < n) {
		if (load<u8>(p + <usize>i) >= 0x80) return false;
		i++;
	}
	return true;
}

/** A quote among [p, p + n). */
function hasQuote(p: usize, n: i32): bool {
	let i = 0;
	if (ASC_FEATURE_SIMD) {
		const quote = i8x16.splat(<i8>QUOTE);
		while (i < n) {
			let bits = i8x16.bitmask(i8x16.eq(v128.load(p + <usize>i), quote));
			if (n - i < 16) bits &= tailBits(n - i);
			if (bits != 0) return true;
			i += 16;
		}
		return false;
	}
	while (i < n) {
		if (<u32>load<u8>(p + <usize>i) == QUOTE) return true;
		i++;
	}
	return false;
}

/** Characters (code points) in the UTF-8 bytes [p, p + n): the bytes that are not continuations. */
function codePoints(p: usize, n: i32): i32 {
	let continuations = 0;
	let i = 0;
	if (ASC_FEATURE_SIMD) {
		// 0x80..0xBF are the signed bytes below -64.
		const limit = i8x16.splat(-64);
		while (i < n) {
			let bits = i8x16.bitmask(i8x16.lt_s(v128.load(p + <usize>i), limit));
			if (n - i < 16) bits &= tailBits(n - i);
			continuations += popcnt(bits);
			i += 16;
		}
		return n - continuations;
	}
	while (i + 8 <= n) {
		const word = load<u64>(p + <usize>i);
		// Bit 7 set and bit 6 clear.
		continuations += <i32>popcnt(word & ~(word << 1) & HIGH_BITS);
		i += 8;
	}
	while (i < n) {
		if ((load<u8>(p + <usize>i) & 0xc0) == 0x80) continuations++;
		i++;
	}
	return n - continuations;
}

const TAB: u32 = 0x09;
const LINE_FEED: u32 = 0x0a;
const CARRIAGE_RETURN: u32 = 0x0d;
const DELETE: u32 = 0x7f;
/** The lead byte of U+0080..U+00BF, the C1 controls (U+0080..U+009F) among them. */
const LEAD_C2: u32 = 0xc2;

/**
 * Whether [p, p + n) may hold a control character: a C0 byte but tab, line feed and carriage
 * return, DEL, or the lead of a C1 control. False means none for sure; true is decided per value by
 * hasControl.
 */
function mayHoldControl(p: usize, n: i32): bool {
	let i = 0;
	if (ASC_FEATURE_SIMD) {
		const space = i8x16.splat(0x20);
		const tab = i8x16.splat(<i8>TAB);
		const lineFeed = i8x16.splat(<i8>LINE_FEED);
		const carriageReturn = i8x16.splat(<i8>CARRIAGE_RETURN);
		const del = i8x16.splat(<i8>DELETE);
		const lead = i8x16.splat(<i8>LEAD_C2);
		while (i < n) {
			const bytes = v128.load(p + <usize>i);
			const allowed = v128.or(
				v128.or(i8x16.eq(bytes, tab), i8x16.eq(bytes, lineFeed)),
				i8x16.eq(bytes, carriageReturn)
			);
			const c0 = v128.andnot(i8x16.lt_u(bytes, space), allowed);
			const other = v128.or(i8x16.eq(bytes, del), i8x16.eq(bytes, lead));
			let bits = i8x16.bitmask(v128.or(c0, other));
			if (n - i < 16) bits &= tailBits(n - i);
			if (bits != 0) return true;
			i += 16;
		}
		return false;
	}
	while (i + 8 <= n) {
		const word = load<u64>(p + <usize>i);
		// Any byte below 0x20, equal to 0x7F or to 0xC2 (exact as "any", not per byte).
		const below = (word - 0x2020202020202020) & ~word;
		const del = word ^ 0x7f7f7f7f7f7f7f7f;
		const lead = word ^ 0xc2c2c2c2c2c2c2c2;
		const zero = ((del - 0x0101010101010101) & ~del) | ((lead - 0x0101010101010101) & ~lead);
		if (((below | zero) & HIGH_BITS) != 0 && hasControlByte(p + <usize>i, 8)) return true;
		i += 8;
	}
	return hasControlByte(p + <usize>i, n - i);
}

/** A byte of [p, p + n) that mayHoldControl looks for. */
function hasControlByte(p: usize, n: i32): bool {
	for (let i = 0; i < n; i++) {
		const byte = byteAt(p, i);
		if (byte < 0x20 && byte != TAB && byte != LINE_FEED && byte != CARRIAGE_RETURN) return true;
		if (byte == DELETE || byte == LEAD_C2) return true;
	}
	return false;
}

/**
 * hasControlCharacter (rules/text.ts) of the valid UTF-8 value [p, p + n): a C0 control but tab,
 * line feed and carriage return, DEL, or a C1 control (U+0080..U+009F: 0xC2 then 0x80..0x9F).
 */
function hasControl(p: usize, n: i32): bool {
	for (let i = 0; i < n; i++) {
		const byte = byteAt(p, i);
		if (byte < 0x20) {
			if (byte != TAB && byte != LINE_FEED && byte != CARRIAGE_RETURN) return true;
		} else if (byte == DELETE) return true;
		else if (byte == LEAD_C2 && i + 1 < n && byteAt(p, i + 1) <= 0x9f) return true;
	}
	return false;
}

// --- Strict UTF-8 -----------------------------------------------------------------------------

/** Bounds of the second byte after `lead` (WHATWG): no overlongs, surrogates or > U+10FFFF. */
function secondByteValid(lead: u32, second: u32): bool {
	if (lead == 0xe0) return second >= 0xa0 && second <= 0xbf;
	if (lead == 0xed) return second >= 0x80 && second <= 0x9f;
	if (lead == 0xf0) return second >= 0x90 && second <= 0xbf;
	if (lead == 0xf4) return second >= 0x80 && second <= 0x8f;
	return second >= 0x80 && second <= 0xbf;
}

/** Strict UTF-8 of [p + from, p + n), a sequence at a time (a sequence cut by the end is invalid). */
function utf8Scalar(p: usize, from: i32, n: i32): bool {
	let i = from;
	while (i < n) {
		if (i + 8 <= n && (load<u64>(p + <usize>i) & HIGH_BITS) == 0) {
			i += 8;
			continue;
		}
		const lead = <u32>load<u8>(p + <usize>i);
		if (lead < 0x80) {
			i++;
			continue;
		}
		let more = 0;
		if (lead >= 0xc2 && lead <= 0xdf) more = 1;
		else if (lead >= 0xe0 && lead <= 0xef) more = 2;
		else if (lead >= 0xf0 && lead <= 0xf4) more = 3;
		else return false;
		if (i + more >= n) return false;
		if (!secondByteValid(lead, <u32>load<u8>(p + <usize>(i + 1)))) return false;
		for (let k = 2; k <= more; k++) {
			if ((load<u8>(p + <usize>(i + k)) & 0xc0) != 0x80) return false;
		}
		i += more + 1;
	}
	return true;
}

// Error classes of a pair of bytes (first, second) for the lookup algorithm of Keiser and Lemire,
// "Validating UTF-8 In Less Than One Instruction Per Byte" (2021): three table lookups by nibble,
// ANDed, leave a bit set only for an invalid pair.
const TOO_SHORT: i8 = 1 << 0; // a lead byte not followed by a continuation
const TOO_LONG: i8 = 1 << 1; // a continuation after ASCII
const OVERLONG_3: i8 = 1 << 2; // E0 80..9F
const TOO_LARGE: i8 = 1 << 3; // F4 90..BF, or F5..FF
const SURROGATE: i8 = 1 << 4; // ED A0..BF
const OVERLONG_2: i8 = 1 << 5; // C0 or C1
const TOO_LARGE_1000: i8 = 1 << 6; // F5..FF 80..8F
const OVERLONG_4: i8 = 1 << 6; // F0 80..8F
const TWO_CONTS: i8 = <i8>(1 << 7); // a continuation after a continuation (checked apart)
const CARRY: i8 = TOO_SHORT | TOO_LONG | TWO_CONTS;

/** Error bits of the pairs (prev1[k], input[k]) and of continuations in the wrong places. */
function utf8Block(input: v128, previous: v128): v128 {
	// The bytes 1, 2 and 3 places before each byte of the block.
	// prettier-ignore
	const prev1 = i8x16.shuffle(previous, input, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
	// prettier-ignore
	const prev2 = i8x16.shuffle(previous, input, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29);
	// prettier-ignore
	const prev3 = i8x16.shuffle(previous, input, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28);
	// By the high nibble of the first byte.
	// prettier-ignore
	const byte1High = i8x16.swizzle(
		i8x16(
			TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
			TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,
			TOO_SHORT | OVERLONG_2,
			TOO_SHORT,
			TOO_SHORT | OVERLONG_3 | SURROGATE,
			TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4
		),
		i8x16.shr_u(prev1, 4)
	);
	// By the low nibble of the first byte.
	const large = CARRY | TOO_LARGE | TOO_LARGE_1000;
	// prettier-ignore
	const byte1Low = i8x16.swizzle(
		i8x16(
			CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4,
			CARRY | OVERLONG_2,
			CARRY, CARRY,
			CARRY | TOO_LARGE,
			large, large, large, large, large, large, large, large,
			large | SURROGATE,
			large, large
		),
		v128.and(prev1, i8x16.splat(0x0f))
	);
	// By the high nibble of the second byte.
	// prettier-ignore
	const byte2High = i8x16.swizzle(
		i8x16(
			TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
			TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
			TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
			TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
			TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
			TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT
		),
		i8x16.shr_u(input, 4)
	);
	const special = v128.and(v128.and(byte1High, byte1Low), byte2High);
	// The third byte of a 3- or 4-byte sequence and the fourth of a 4-byte one must be
	// continuations: exactly where the pair lookup said TWO_CONTS.
	const third = i8x16.sub_sat_u(prev2, i8x16.splat(<i8>(0xe0 - 0x80)));
	const fourth = i8x16.sub_sat_u(prev3, i8x16.splat(<i8>(0xf0 - 0x80)));
	const mustContinue = v128.and(v128.or(third, fourth), i8x16.splat(<i8>0x80));
	return v128.xor(mustContinue, special);
}

/** Lanes of a block whose last bytes start a sequence the block does not finish. */
function utf8Incomplete(input: v128): v128 {
	// Above 0xEF three bytes before the end, 0xDF two before, 0xBF at the end.
	// prettier-ignore
	const limits = i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, <i8>0xef, <i8>0xdf, <i8>0xbf);
	return i8x16.sub_sat_u(input, limits);
}

function utf8Simd(p: usize, n: i32): bool {
	const zero = i8x16.splat(0);
	let error = zero;
	let previous = zero;
	let incomplete = zero;
	let i = 0;
	while (i < n) {
		let input = v128.load(p + <usize>i);
		// Past the end: zeros, which are ASCII, so a sequence cut by the end shows as too short.
		if (n - i < 16) input = v128.and(input, lanesBelow(n - i));
		if (i8x16.bitmask(input) == 0) {
			error = v128.or(error, incomplete);
			incomplete = zero;
		} else {
			error = v128.or(error, utf8Block(input, previous));
			incomplete = utf8Incomplete(input);
		}
		previous = input;
		i += 16;
		if ((i & 1023) == 0 && v128.any_true(error)) return false;
	}
	return !v128.any_true(v128.or(error, incomplete));
}

/** Whether [p, p + n) is strict UTF-8, as a fatal TextDecoder accepts it. */
export function validUtf8(p: usize, n: i32): bool {
	if (ASC_FEATURE_SIMD) return utf8Simd(p, n);
	return utf8Scalar(p, 0, n);
}

// --- Cells ------------------------------------------------------------------------------------

/** Whitespace String.prototype.trim removes within ASCII: TAB, LF, VT, FF, CR, space. */
function isSpace(byte: u32): bool {
	return byte == 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/**
 * Whether the character of `length` bytes at p is whitespace beyond ASCII. Every such character
 * takes 2 bytes (U+00A0) or 3, so longer ones are not decoded.
 */
function isUnicodeSpaceAt(p: usize, length: i32): bool {
	if (length == 2) return isUnicodeSpace(((byteAt(p, 0) & 0x1f) << 6) | (byteAt(p, 1) & 0x3f));
	if (length != 3) return false;
	const code = ((byteAt(p, 0) & 0x0f) << 12) | ((byteAt(p, 1) & 0x3f) << 6) | (byteAt(p, 2) & 0x3f);
	return isUnicodeSpace(code);
}

/** Where [a, b) starts once String.prototype.trim's whitespace is stripped from its start. */
function trimStart(bytes: usize, a: i32, b: i32): i32 {
	while (a < b) {
		const lead = byteAt(bytes, a);
		if (lead < 0x80) {
			if (!isSpace(lead)) break;
			a++;
			continue;
		}
		const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
		if (a + length > b || !isUnicodeSpaceAt(bytes + <usize>a, length)) break;
		a += length;
	}
	return a;
}

/** Where [a, b) ends once String.prototype.trim's whitespace is stripped from its end. */
function trimEnd(bytes: usize, a: i32, b: i32): i32 {
	while (b > a) {
		const last = byteAt(bytes, b - 1);
		if (last < 0x80) {
			if (!isSpace(last)) break;
			b--;
			continue;
		}
		// Back over continuation bytes to the last character's lead (at most 3 places back).
		let lead = b - 1;
		while (lead > a && lead > b - 4 && (byteAt(bytes, lead) & 0xc0) == 0x80) lead--;
		if (!isUnicodeSpaceAt(bytes + <usize>lead, b - lead)) break;
		b = lead;
	}
	return b;
}

/** The last quote of [s, e) (the field starts with one, so there is one). */
function lastQuote(bytes: usize, s: i32, e: i32): i32 {
	let at = e - 1;
	while (at > s && <u32>load<u8>(bytes + <usize>at) != QUOTE) at--;
	return at;
}

/** Value bounds of the last unquoteField call: [unquotedStart, unquotedEnd). */
let unquotedStart: i32 = 0;
let unquotedEnd: i32 = 0;

/**
 * The bounds of field [s, e)'s value like `unquote` in csv-index.ts, before any `""` is unescaped:
 * true when the value is the inside of a closed quoted field (where a quote is an escape). Without
 * a closing quote (at the end of the text, something but whitespace after the last quote), the
 * value is the field after its opening quote, as written.
 */
function unquoteField(bytes: usize, s: i32, e: i32, atTextEnd: bool): bool {
	unquotedStart = s;
	unquotedEnd = e;
	if (s == e || byteAt(bytes, s) != QUOTE) return false;
	unquotedStart = s + 1;
	const close = lastQuote(bytes, s, e);
	if (close == s || (atTextEnd && trimEnd(bytes, close + 1, e) != close + 1)) return false;
	unquotedEnd = close;
	return true;
}

/**
 * The value of field [s, e), unquoted and trimmed like `unquote(...).trim()`. CELL_VALUE sets
 * valueStart/valueEnd. CELL_JS: an escaped or stray quote inside a quoted field, whose value the
 * bytes alone do not give. The bytes must be valid UTF-8.
 */
function cell(bytes: usize, s: i32, e: i32, atTextEnd: bool): i32 {
	const quoted = unquoteField(bytes, s, e, atTextEnd);
	const a = trimStart(bytes, unquotedStart, unquotedEnd);
	if (a == unquotedEnd) return CELL_EMPTY;
	const b = trimEnd(bytes, a, unquotedEnd);
	if (quoted && hasQuote(bytes + <usize>a, b - a)) return CELL_JS;
	valueStart = a;
	valueEnd = b;
	return CELL_VALUE;
}

/** Whether an extra field of a ragged row is not blank: the Validator's `value.trim() !== ''`. */
function extraFilled(bytes: usize, s: i32, e: i32, atTextEnd: bool): bool {
	unquoteField(bytes, s, e, atTextEnd);
	// An escaped quote is a quote: not blank either way.
	return trimStart(bytes, unquotedStart, unquotedEnd) < unquotedEnd;
}

// --- Value rules (ASCII values) ---------------------------------------------------------------

function byteAt(p: usize, i: i32): u32 {
	return <u32>load<u8>(p + <usize>i);
}

function isDigit(byte: u32): bool {
	return byte - 0x30 < 10;
}

function isAlnum(byte: u32): bool {
	return byte - 0x30 < 10 || (byte | 0x20) - 0x61 < 26;
}

/** The number written by the `count` digits at i, or -1 when one is not a digit. */
function digits(p: usize, i: i32, count: i32): i32 {
	let value = 0;
	for (let k = 0; k < count; k++) {
		const digit = byteAt(p, i + k) - 0x30;
		if (digit >= 10) return -1;
		value = value * 10 + <i32>digit;
	}
	return value;
}

/** isValidBoolean: true/false/yes/no/y/n/1/0 in any case. */
function validBoolean(p: usize, n: i32): bool {
	if (n == 1) {
		const byte = byteAt(p, 0);
		const letter = byte | 0x20;
		return byte == 0x31 || byte == 0x30 || letter == 0x79 || letter == 0x6e; // 1 0 y n
	}
	if (n == 2) return (load<u16>(p) | 0x2020) == 0x6f6e; // "no"
	if (n == 3) return ((<u32>load<u16>(p)) | (byteAt(p, 2) << 16) | 0x202020) == 0x736579; // "yes"
	if (n == 4) return (load<u32>(p) | 0x20202020) == 0x65757274; // "true"
	if (n == 5) return (load<u32>(p) | 0x20202020) == 0x736c6166 && (byteAt(p, 4) | 0x20) == 0x65; // "false"
	return false;
}

function isHex(byte: u32): bool {
	return byte - 0x30 < 10 || (byte | 0x20) - 0x61 < 6;
}

/** isValidUuid: 8-4-4-4-12 hexadecimal digits in any case. */
function validUuid(p: usize, n: i32): bool {
	if (n != 36) return false;
	for (let i = 0; i < 36; i++) {
		const byte = byteAt(p, i);
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (byte != HYPHEN) return false;
		} else if (!isHex(byte)) return false;
	}
	return true;
}

// atext of the email local part (A-Z a-z 0-9 and !#$%&'*+/=?^_`{|}~-), as bits by byte value.
const ATEXT_LOW: u64 = 0xa3ffacfa00000000;
const ATEXT_HIGH: u64 = 0x7fffffffc7fffffe;

function isAtext(byte: u32): bool {
	if (byte >= 0x80) return false;
	const bits = byte < 64 ? ATEXT_LOW : ATEXT_HIGH;
	return ((bits >> (<u64>(byte & 63))) & 1) != 0;
}

// Byte classes of validEmail, one table lookup per byte instead of a chain of comparisons.
const CLASS_ATEXT: u32 = 1;
const CLASS_DOT: u32 = 2;
const CLASS_ALNUM: u32 = 4;
const CLASS_DIGIT: u32 = 8;
const CLASS_HYPHEN: u32 = 16;
const CLASSES: usize = memory.data(256);
for (let byte: u32 = 0; byte < 256; byte++) {
	let bits: u32 = isAtext(byte) ? CLASS_ATEXT : 0;
	if (byte == DOT) bits |= CLASS_DOT;
	if (isAlnum(byte)) bits |= CLASS_ALNUM;
	if (isDigit(byte)) bits |= CLASS_DIGIT;
	if (byte == HYPHEN) bits |= CLASS_HYPHEN;
	store<u8>(CLASSES + <usize>byte, <u8>bits);
}

function classAt(p: usize, i: i32): u32 {
	return <u32>load<u8>(CLASSES + <usize>byteAt(p, i));
}

/** Whether the domain label [s, e) has 1–63 bytes and starts and ends with a letter or digit. */
function labelEdgesValid(p: usize, s: i32, e: i32): bool {
	const length = e - s;
	return length >= 1 && length <= 63 && (classAt(p, s) & classAt(p, e - 1) & CLASS_ALNUM) != 0;
}

/**
 * Byte sets as 16-byte tables for setBits: entry k has bit h set when the byte 16h + k (below
 * 0x80) is in the set.
 */
const LOCAL_SET: usize = memory.data(16);
const DOMAIN_SET: usize = memory.data(16);
const ALNUM_SET: usize = memory.data(16);
for (let byte: u32 = 0; byte < 0x80; byte++) {
	const bit: u32 = (<u32>1) << (byte >> 4);
	if (isAtext(byte) || byte == DOT) addToSet(LOCAL_SET, byte, bit);
	if (isAlnum(byte) || byte == HYPHEN || byte == DOT) addToSet(DOMAIN_SET, byte, bit);
	if (isAlnum(byte)) addToSet(ALNUM_SET, byte, bit);
}

function addToSet(table: usize, byte: u32, bit: u32): void {
	const entry = table + <usize>(byte & 15);
	store<u8>(entry, <u8>((<u32>load<u8>(entry)) | bit));
}

/** Lanes of `bytes` in the set of `table` (one of the tables above): none from 0x80 on. */
function setBits(bytes: v128, table: usize): u64 {
	const rows = i8x16.swizzle(v128.load(table), v128.and(bytes, i8x16.splat(0x0f)));
	// prettier-ignore
	const column = i8x16.swizzle(
		i8x16(1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0),
		i8x16.shr_u(bytes, 4)
	);
	return <u64>i8x16.bitmask(v128.not(i8x16.eq(v128.and(rows, column), i8x16.splat(0))));
}

/** Bits [from, to) of a u64 (0 ≤ from ≤ to ≤ 64; a wasm shift by 64 would shift by 0). */
function bitsBetween(from: i32, to: i32): u64 {
	if (from >= 64) return 0;
	const below = (to >= 64 ? <u64>0 : (<u64>1) << (<u64>to)) - 1;
	return below & ~(((<u64>1) << (<u64>from)) - 1);
}

/**
 * validEmail of a value of 1–64 bytes, with each rule on a bit per byte: 16 bytes are classed at
 * a time by table lookups, where the loop classes one byte at a time.
 */
function validShortEmail(p: usize, n: i32): bool {
	let local: u64 = 0;
	let domain: u64 = 0;
	let alnum: u64 = 0;
	let dots: u64 = 0;
	let ats: u64 = 0;
	let digits: u64 = 0;
	for (let i = 0; i < n; i += 16) {
		const bytes = v128.load(p + <usize>i);
		const shift = <u64>i;
		local |= setBits(bytes, LOCAL_SET) << shift;
		domain |= setBits(bytes, DOMAIN_SET) << shift;
		alnum |= setBits(bytes, ALNUM_SET) << shift;
		dots |= (<u64>i8x16.bitmask(i8x16.eq(bytes, i8x16.splat(<i8>DOT)))) << shift;
		ats |= (<u64>i8x16.bitmask(i8x16.eq(bytes, i8x16.splat(<i8>AT)))) << shift;
		const digit = i8x16.lt_u(i8x16.sub(bytes, i8x16.splat(0x30)), i8x16.splat(10));
		digits |= (<u64>i8x16.bitmask(digit)) << shift;
	}
	ats &= bitsBetween(0, n);
	if (ats == 0) return false;
	const at = 63 - <i32>clz(ats);
	if (at == 0) return false;
	// Local part: atext and dots only; no dot first, last or after another.
	const localPart = bitsBetween(0, at);
	const localDots = dots & localPart;
	if ((local & localPart) != localPart) return false;
	if ((localDots & (1 | bitsBetween(at - 1, at) | (localDots >> 1))) != 0) return false;
	// Domain: letters, digits, hyphens and dots, at least two labels (of at most 62 bytes here),
	// each starting and ending with a letter or digit (so no label is empty).
	const domainPart = bitsBetween(at + 1, n);
	if (domainPart == 0 || (domain & domainPart) != domainPart) return false;
	const domainDots = dots & domainPart;
	if (domainDots == 0) return false;
	const starts = (bitsBetween(at + 1, at + 2) | (domainDots << 1)) & domainPart;
	const ends = (bitsBetween(n - 1, n) | (domainDots >> 1)) & domainPart;
	if (((starts | ends) & ~alnum) != 0) return false;
	// The last label is not all digits.
	const lastLabel = bitsBetween(64 - <i32>clz(domainDots), n);
	return (lastLabel & ~digits) != 0;
}

/**
 * isValidEmail for an ASCII value: local part of ≤ 64 atext runs joined by single dots, then the
 * domain: ≥ 2 labels of 1–63 letters, digits and inner hyphens, the last not all digits; ≤ 254 in all.
 */
function validEmail(p: usize, n: i32): bool {
	if (ASC_FEATURE_SIMD && n <= 64) return validShortEmail(p, n);
	if (n > 254) return false;
	let at = n - 1;
	while (at >= 0 && byteAt(p, at) != AT) at--;
	if (at <= 0 || at > 64) return false;
	// Local part: no byte but atext and dots, and no dot first, last or after another.
	let bad: u32 = 0;
	let previous = CLASS_DOT;
	for (let i = 0; i < at; i++) {
		const bits = classAt(p, i);
		bad |= (<u32>((bits & (CLASS_ATEXT | CLASS_DOT)) == 0)) | (previous & bits & CLASS_DOT);
		previous = bits;
	}
	if ((bad | (previous & CLASS_DOT)) != 0) return false;
	// Domain: letters, digits, hyphens and dots; each label's edges checked at its end.
	let labels = 0;
	let labelStart = at + 1;
	let lastLabel: u32 = CLASS_DIGIT;
	for (let i = at + 1; i < n; i++) {
		const bits = classAt(p, i);
		bad |= <u32>((bits & (CLASS_ALNUM | CLASS_HYPHEN | CLASS_DOT)) == 0);
		if ((bits & CLASS_DOT) != 0) {
			if (!labelEdgesValid(p, labelStart, i)) return false;
			labels++;
			labelStart = i + 1;
			lastLabel = CLASS_DIGIT;
		} else lastLabel &= bits;
	}
	if (bad != 0 || !labelEdgesValid(p, labelStart, n)) return false;
	// The last label is not all digits (it is not empty: its edges were checked).
	return labels >= 1 && lastLabel == 0;
}

// --- Dates --------------------------------------------------------------------------------------

function daysInMonth(year: i32, month: i32): i32 {
	if (month == 2) return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
	return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

/** calendarDate: Date.UTC(year, month - 1, day) for a real date in 1900–2100, else NaN. */
function calendarDate(year: i32, month: i32, day: i32): f64 {
	if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) return NaN;
	if (day < 1 || day > daysInMonth(year, month)) return NaN;
	// Days since 1970-01-01 (H. Hinnant's days_from_civil; years here are positive).
	const y = month <= 2 ? year - 1 : year;
	const era = y / 400;
	const yearOfEra = y - era * 400;
	const dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	const dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
	return <f64>(era * 146097 + dayOfEra - 719468) * DAY_MS;
}

/** ISO's `YYYY-MM-DD[(T|t| )HH:MM[:SS[.fraction]][Z|±HH[:]MM]]`; false when the layout differs. */
function parseIso(p: usize, n: i32): bool {
	if (n < 10 || byteAt(p, 4) != HYPHEN || byteAt(p, 7) != HYPHEN) return false;
	const year = digits(p, 0, 4);
	const month = digits(p, 5, 2);
	const day = digits(p, 8, 2);
	if (year < 0 || month < 0 || day < 0) return false;
	if (n == 10) {
		dateA = calendarDate(year, month, day);
		return true;
	}
	const separator = byteAt(p, 10);
	if (separator != 0x54 && separator != 0x74 && separator != 0x20) return false;
	if (n < 16 || byteAt(p, 13) != COLON) return false;
	const hour = digits(p, 11, 2);
	const minute = digits(p, 14, 2);
	if (hour < 0 || minute < 0) return false;
	let i = 16;
	let second = 0;
	let fraction = 0;
	if (i < n && byteAt(p, i) == COLON) {
		second = i + 3 <= n ? digits(p, i + 1, 2) : -1;
		if (second < 0) return false;
		i += 3;
		if (i < n && byteAt(p, i) == DOT) {
			let end = i + 1;
			while (end < n && isDigit(byteAt(p, end))) end++;
			if (end == i + 1) return false;
			// Fractions beyond milliseconds are truncated.
			for (let k = 0; k < 3; k++) {
				fraction = fraction * 10 + (i + 1 + k < end ? <i32>byteAt(p, i + 1 + k) - 0x30 : 0);
			}
			i = end;
		}
	}
	let offset = 0;
	let zoneValid = true;
	if (i < n) {
		const sign = byteAt(p, i);
		if ((sign == 0x5a || sign == 0x7a) && i + 1 == n) {
			// Z
		} else if (sign == 0x2b || sign == HYPHEN) {
			const rest = n - i - 1;
			let zoneHours = -1;
			let zoneMinutes = -1;
			if (rest == 4) {
				zoneHours = digits(p, i + 1, 2);
				zoneMinutes = digits(p, i + 3, 2);
			} else if (rest == 5 && byteAt(p, i + 3) == COLON) {
				zoneHours = digits(p, i + 1, 2);
				zoneMinutes = digits(p, i + 4, 2);
			}
			if (zoneHours < 0 || zoneMinutes < 0) return false;
			zoneValid = zoneHours <= 23 && zoneMinutes <= 59;
			offset = (sign == HYPHEN ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
		} else return false;
	}
	const date = calendarDate(year, month, day);
	if (isNaN(date) || hour > 23 || minute > 59 || second > 59 || !zoneValid) dateA = NaN;
	else dateA = date + <f64>(((hour * 60 + minute - offset) * 60 + second) * 1000 + fraction);
	return true;
}

/** `D/M/YYYY`-like: 1–2 digits, separator, 1–2 digits, separator, 4 digits; the year or -1. */
let firstPart: i32 = 0;
let secondPart: i32 = 0;
function parseShortParts(p: usize, n: i32, separator: u32): i32 {
	let i = 0;
	let first = 0;
	while (i < n && i < 2 && isDigit(byteAt(p, i))) first = first * 10 + <i32>byteAt(p, i++) - 0x30;
	if (i == 0 || i >= n || byteAt(p, i) != separator) return -1;
	const secondStart = ++i;
	let second = 0;
	while (i < n && i - secondStart < 2 && isDigit(byteAt(p, i))) {
		second = second * 10 + <i32>byteAt(p, i++) - 0x30;
	}
	if (i == secondStart || i >= n || byteAt(p, i) != separator) return -1;
	i++;
	if (n - i != 4) return -1;
	firstPart = first;
	secondPart = second;
	return digits(p, i, 4);
}

/** parseDate of an ASCII value: sets dateKind, dateA and dateB. */
function parseDate(p: usize, n: i32): void {
	dateKind = DateKind.EXACT;
	dateB = NaN;
	if (parseIso(p, n)) return;
	if ((n == 10 || n == 13) && allDigits(p, n)) {
		let value: f64 = 0;
		for (let i = 0; i < n; i++) value = value * 10 + <f64>(byteAt(p, i) - 0x30);
		const ms = n == 10 ? value * 1000 : value;
		dateA = ms >= MIN_MS && ms < END_MS ? ms : NaN;
		return;
	}
	let year = parseShortParts(p, n, SLASH);
	if (year >= 0) {
		dateA = calendarDate(year, secondPart, firstPart);
		dateB = calendarDate(year, firstPart, secondPart);
		if (firstPart > 12 && firstPart <= 31) dateKind = DateKind.SLASH_DMY;
		else if (secondPart > 12 && secondPart <= 31) dateKind = DateKind.SLASH_MDY;
		else dateKind = DateKind.SLASH;
		return;
	}
	year = parseShortParts(p, n, DOT);
	if (year >= 0) {
		dateA = calendarDate(year, secondPart, firstPart);
		return;
	}
	if (n == 10 && byteAt(p, 4) == SLASH && byteAt(p, 7) == SLASH) {
		year = digits(p, 0, 4);
		const month = digits(p, 5, 2);
		const day = digits(p, 8, 2);
		if (year >= 0 && month >= 0 && day >= 0) {
			dateA = calendarDate(year, month, day);
			return;
		}
	}
	dateA = NaN;
}

function allDigits(p: usize, n: i32): bool {
	for (let i = 0; i < n; i++) if (!isDigit(byteAt(p, i))) return false;
	return true;
}

// --- Keys ---------------------------------------------------------------------------------------

/** ASCII letters of the four bytes of `word` (all below 0x80) to lower case. */
function lowerWord(word: u32): u32 {
	const atLeastA = word + 0x3f3f3f3f; // bit 7 of a byte set when it is ≥ 'A'
	const pastZ = word + 0x25252525; // … when it is > 'Z'
	return word | ((atLeastA & ~pastZ & 0x80808080) >> 2);
}

function lowerByte(byte: u32): u32 {
	return byte - 0x41 < 26 ? byte | 0x20 : byte;
}

/** FNV-1a (32 bits) and MurmurHash3 (x86, 32 bits, seed 0x9747b28c) of [p, p + n). */
function hashBytes(p: usize, n: i32, lower: bool): void {
	let fnv: u32 = 0x811c9dc5;
	let murmur: u32 = 0x9747b28c;
	let i = 0;
	for (; i + 4 <= n; i += 4) {
		let word = load<u32>(p + <usize>i);
		if (lower) word = lowerWord(word);
		fnv = (fnv ^ (word & 0xff)) * 0x01000193;
		fnv = (fnv ^ ((word >> 8) & 0xff)) * 0x01000193;
		fnv = (fnv ^ ((word >> 16) & 0xff)) * 0x01000193;
		fnv = (fnv ^ (word >> 24)) * 0x01000193;
		let k = word * 0xcc9e2d51;
		k = rotl<u32>(k, 15) * 0x1b873593;
		murmur ^= k;
		murmur = rotl<u32>(murmur, 13) * 5 + 0xe6546b64;
	}
	let tail: u32 = 0;
	for (let shift: u32 = 0; i < n; i++, shift += 8) {
		let byte = byteAt(p, i);
		if (lower) byte = lowerByte(byte);
		fnv = (fnv ^ byte) * 0x01000193;
		tail |= byte << shift;
	}
	if ((n & 3) != 0) {
		tail *= 0xcc9e2d51;
		murmur ^= rotl<u32>(tail, 15) * 0x1b873593;
	}
	murmur ^= <u32>n;
	murmur ^= murmur >> 16;
	murmur *= 0x85ebca6b;
	murmur ^= murmur >> 13;
	murmur *= 0xc2b2ae35;
	murmur ^= murmur >> 16;
	hash1 = fnv;
	hash2 = murmur;
}

// --- Records ------------------------------------------------------------------------------------

/** Absolute end of field k of a record whose field ends start at `fieldEnds`. */
function fieldEnd(fieldEnds: usize, k: i32): f64 {
	return load<f64>(fieldEnds + ((<usize>k) << 3));
}

/**
 * Checks `count` records. `bytes` holds the region (absolute offset `base`), `starts` their start
 * offsets (f64), `index` count + 1 u32 field indices, `ends` the field ends (f64) from field
 * index[0] on. Writes per record: masks, jsCells (u32), keys (6 u32), and per record and date
 * slot: dateKinds (u8), dateA and dateB (f64).
 */
export function check(
	config: usize,
	count: i32,
	base: f64,
	textEnd: f64,
	bytes: usize,
	starts: usize,
	index: usize,
	ends: usize,
	masks: usize,
	jsCells: usize,
	keys: usize,
	kinds: usize,
	datesA: usize,
	datesB: usize
): void {
	const checks = load<i32>(config, RowConfig.CHECKS);
	const columns = load<i32>(config, RowConfig.COLUMNS);
	const slots = load<i32>(config, RowConfig.SLOTS);
	const bitMissing = load<u32>(config, RowConfig.BIT_MISSING);
	const bitEmail = load<u32>(config, RowConfig.BIT_EMAIL);
	const bitDate = load<u32>(config, RowConfig.BIT_DATE);
	const bitBoolean = load<u32>(config, RowConfig.BIT_BOOLEAN);
	const bitUuid = load<u32>(config, RowConfig.BIT_UUID);
	const bitRagged = load<u32>(config, RowConfig.BIT_RAGGED);
	const bitTooLong = load<u32>(config, RowConfig.BIT_TOO_LONG);
	const bitControl = load<u32>(config, RowConfig.BIT_CONTROL);
	const table = config + <usize>RowConfig.SIZE;
	const fieldBase = load<u32>(index);

	for (let r = 0; r < count; r++) {
		const first = <i32>(load<u32>(index + ((<usize>r) << 2)) - fieldBase);
		const fields = <i32>(load<u32>(index + ((<usize>r) << 2), 4) - fieldBase) - first;
		const fieldEnds = ends + ((<usize>first) << 3);
		const recordStart = <i32>(load<f64>(starts + ((<usize>r) << 3)) - base);
		const recordEnd = fields > 0 ? <i32>(fieldEnd(fieldEnds, fields - 1) - base) : recordStart;
		const recordAscii = isAscii(bytes + <usize>recordStart, recordEnd - recordStart);
		// Whether the record may hold a control character: found out at its first value.
		let recordControl = -1;
		let mask: u32 = 0;
		let js: u32 = 0;
		const keyOut = keys + <usize>r * 24;
		store<u64>(keyOut, 0);
		store<u64>(keyOut, 0, 8);
		store<u64>(keyOut, 0, 16);
		for (let slot = 0; slot < slots; slot++) {
			const at = <usize>(r * slots + slot);
			store<u8>(kinds + at, 0);
			store<f64>(datesA + (at << 3), NaN);
			store<f64>(datesB + (at << 3), NaN);
		}

		for (let c = 0; c < checks; c++) {
			const entry = table + <usize>(c * RowCheck.SIZE);
			const column = load<i32>(entry, RowCheck.COLUMN);
			const flags = load<u32>(entry, RowCheck.FLAGS);
			let outcome = CELL_EMPTY;
			if (column < fields) {
				const end = fieldEnd(fieldEnds, column);
				const start = column == 0 ? recordStart : <i32>(fieldEnd(fieldEnds, column - 1) - base) + 1;
				outcome = cell(bytes, start, <i32>(end - base), end == textEnd);
			}
			if (outcome == CELL_JS) {
				js |= (<u32>1) << (<u32>c);
				continue;
			}
			if (outcome == CELL_EMPTY) {
				if ((flags & CheckFlag.REQUIRED) != 0) mask |= bitMissing;
				continue;
			}
			const type = load<u32>(entry, RowCheck.TYPE);
			const key = load<u32>(entry, RowCheck.KEY);
			const value = bytes + <usize>valueStart;
			const length = valueEnd - valueStart;
			if (type == CheckType.PHONE || (flags & CheckFlag.JS) != 0) {
				js |= (<u32>1) << (<u32>c);
				continue;
			}
			let ascii = recordAscii;
			const needsAscii =
				type == CheckType.EMAIL ||
				type == CheckType.BOOLEAN ||
				type == CheckType.DATE ||
				(flags & CheckFlag.UUID) != 0 ||
				key == CheckKey.EMAIL;
			if (needsAscii && !ascii) {
				ascii = isAscii(value, length);
				if (!ascii) {
					js |= (<u32>1) << (<u32>c);
					continue;
				}
			}
			const maxLength = load<f64>(entry, RowCheck.MAX_LENGTH);
			if (
				<f64>length > maxLength &&
				<f64>(ascii ? length : codePoints(value, length)) > maxLength
			) {
				mask |= bitTooLong;
			}
			if (recordControl < 0) {
				recordControl = mayHoldControl(bytes + <usize>recordStart, recordEnd - recordStart) ? 1 : 0;
			}
			if (recordControl != 0 && hasControl(value, length)) mask |= bitControl;
			if (type == CheckType.EMAIL) {
				if (!validEmail(value, length)) mask |= bitEmail;
			} else if (type == CheckType.BOOLEAN) {
				if (!validBoolean(value, length)) mask |= bitBoolean;
			} else if (type == CheckType.DATE) {
				parseDate(value, length);
				const slot = load<i32>(entry, RowCheck.DATE_SLOT);
				if (dateKind == DateKind.EXACT && isNaN(dateA)) mask |= bitDate;
				if (slot >= 0 && slot < slots) {
					const at = <usize>(r * slots + slot);
					store<u8>(kinds + at, dateKind);
					store<f64>(datesA + (at << 3), dateA);
					store<f64>(datesB + (at << 3), dateB);
				}
			}
			if ((flags & CheckFlag.UUID) != 0 && !validUuid(value, length)) mask |= bitUuid;
			if (key == CheckKey.USER_ID || key == CheckKey.EMAIL) {
				hashBytes(value, length, key == CheckKey.EMAIL);
				const out = keyOut + (key == CheckKey.EMAIL ? 12 : 0);
				store<u32>(out, hash1);
				store<u32>(out, hash2, 4);
				store<u32>(out, <u32>length, 8);
			}
		}

		for (let k = columns; k < fields; k++) {
			const end = fieldEnd(fieldEnds, k);
			const start = k == 0 ? recordStart : <i32>(fieldEnd(fieldEnds, k - 1) - base) + 1;
			if (extraFilled(bytes, start, <i32>(end - base), end == textEnd)) {
				mask |= bitRagged;
				break;
			}
		}
		store<u32>(masks + ((<usize>r) << 2), mask);
		store<u32>(jsCells + ((<usize>r) << 2), js);
	}
}
