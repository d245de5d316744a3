/** Byte-level helpers shared by the readers: UTF-8 validity and physical positions. */
import { FerryError } from '../errors';
import type { ByteSource } from '../types';

const LF = 0x0a;
const CR = 0x0d;

/** How many continuation bytes a lead byte announces, or -1 when it cannot start a sequence. */
function sequenceLength(lead: number): number {
	if (lead < 0x80) return 0;
	if (lead >= 0xc2 && lead <= 0xdf) return 1;
	if (lead >= 0xe0 && lead <= 0xef) return 2;
	if (lead >= 0xf0 && lead <= 0xf4) return 3;
	return -1;
}

/** WHATWG's bounds for the second byte: no overlongs, no surrogates, nothing above U+10FFFF. */
function secondByteValid(lead: number, second: number): boolean {
	if (lead === 0xe0) return second >= 0xa0 && second <= 0xbf;
	if (lead === 0xed) return second >= 0x80 && second <= 0x9f;
	if (lead === 0xf0) return second >= 0x90 && second <= 0xbf;
	if (lead === 0xf4) return second >= 0x80 && second <= 0x8f;
	return second >= 0x80 && second <= 0xbf;
}

/**
 * Index of the first byte that is not valid UTF-8, or -1. A sequence cut by the end of `bytes`
 * is not an error: the bytes may continue in the next chunk.
 */
export function findInvalidUtf8(bytes: Uint8Array): number {
	const length = bytes.length;
	let i = 0;
	while (i < length) {
		const lead = bytes[i];
		const continuation = sequenceLength(lead);
		if (continuation === 0) {
			i++;
			continue;
		}
		if (continuation < 0) return i;
		for (let k = 1; k <= continuation; k++) {
			if (i + k >= length) return -1;
			const byte = bytes[i + k];
			const valid = k === 1 ? secondByteValid(lead, byte) : byte >= 0x80 && byte <= 0xbf;
			if (!valid) return i;
		}
		i += continuation + 1;
	}
	return -1;
}

/**
 * The CSV readers' error for `bytes` (at offset `start` of the working copy) that are not UTF-8:
 * its offset is the first invalid byte, or where a character cut by the end of the bytes starts.
 */
export function invalidUtf8Error(bytes: Uint8Array, start: number): FerryError {
	const index = findInvalidUtf8(bytes);
	const at = start + (index >= 0 ? index : bytes.length - cutSequenceLength(bytes));
	return new FerryError(
		'invalid_utf8',
		`The byte at offset ${at} is not valid UTF-8. Choose the file's encoding (for example windows-1252) and try again.`,
		{ offset: at }
	);
}

/** Number of bytes at the end of `bytes` that start a UTF-8 sequence the end cuts short. */
export function cutSequenceLength(bytes: Uint8Array): number {
	for (let back = 1; back <= Math.min(3, bytes.length); back++) {
		const byte = bytes[bytes.length - back];
		if (byte < 0x80) return 0;
		if (byte >= 0xc0) return sequenceLength(byte) >= back ? back : 0;
	}
	return 0;
}

/** Line (1-based, CR, LF and CRLF each one break) and column (1-based, in characters) after `bytes`. */
export function positionAfter(bytes: Uint8Array): { line: number; column: number } {
	let line = 1;
	let column = 1;
	for (let i = 0; i < bytes.length; i++) {
		const byte = bytes[i];
		if (byte === CR || (byte === LF && (i === 0 || bytes[i - 1] !== CR))) {
			line++;
			column = 1;
		} else if (byte !== LF && (byte & 0xc0) !== 0x80) column++;
	}
	return { line, column };
}

/** 1-based line and column at `offset` of the working copy (reads the bytes before it). */
export async function positionAt(
	source: ByteSource,
	offset: number
): Promise<{ line: number; column: number }> {
	return offset > 0 ? positionAfter(await source.read(0, offset)) : { line: 1, column: 1 };
}

/** UTF-8 length of one UTF-16 code unit (a surrogate pair counts 2 + 2 = 4). */
export function utf8Length(code: number): number {
	if (code < 0x80) return 1;
	if (code < 0x800 || (code & 0xf800) === 0xd800) return 2;
	return 3;
}

/** UTF-8 length of a string without encoding it. */
export function utf8ByteLength(text: string): number {
	let bytes = 0;
	for (let i = 0; i < text.length; i++) bytes += utf8Length(text.charCodeAt(i));
	return bytes;
}

/** Cells up to this many bytes may skip TextDecoder (String.fromCharCode takes one argument a byte). */
const SHORT_CELL_BYTES = 64;

/**
 * bytes[start, end) as text, as `decoder.decode` reads it. A short cell of ASCII bytes is read
 * byte by byte instead: Chromium's TextDecoder.decode costs about 300 ns a call, which, once per
 * phone number the range scan hands to JavaScript, was 130 ms of a range worker's 920 ms on the
 * 100 MB bench export.
 */
export function decodeCell(
	decoder: TextDecoder,
	bytes: Uint8Array,
	start: number,
	end: number
): string {
	if (end - start <= SHORT_CELL_BYTES) {
		let at = start;
		while (at < end && bytes[at] < 0x80) at++;
		if (at === end)
			return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
	}
	return decoder.decode(bytes.subarray(start, end));
}
