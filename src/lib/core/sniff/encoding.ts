import { FerryError } from '../errors';

export interface DetectedEncoding {
	/** TextDecoder's name of the encoding. */
	encoding: string;
	bom: boolean;
	/** Bytes the BOM takes at the start of the file (0 without one). */
	bomLength: number;
}

const BOMS: { bytes: number[]; encoding: string }[] = [
	{ bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
	{ bytes: [0xff, 0xfe], encoding: 'utf-16le' },
	{ bytes: [0xfe, 0xff], encoding: 'utf-16be' }
];

/** The UTF-16 guess looks at this many bytes: enough for a pattern, cheap on any head. */
const UTF16_SAMPLE = 4096;

function bomOf(head: Uint8Array): { encoding: string; length: number } | null {
	for (const { bytes, encoding } of BOMS)
		if (head.length >= bytes.length && bytes.every((byte, i) => head[i] === byte))
			return { encoding, length: bytes.length };
	return null;
}

/** Byte length of the BOM of `encoding` at the start of `head`, 0 when there is none. */
export function bomLengthFor(head: Uint8Array, encoding: string): number {
	const bom = bomOf(head);
	return bom && bom.encoding === encoding ? bom.length : 0;
}

/** ASCII text in UTF-16 has a NUL in every other byte: odd positions for LE, even for BE. */
function guessUtf16(head: Uint8Array): string | null {
	const length = Math.min(head.length, UTF16_SAMPLE) & ~1;
	if (length < 2) return null;
	let evenNuls = 0;
	let oddNuls = 0;
	for (let i = 0; i < length; i += 2) {
		if (head[i] === 0) evenNuls++;
		if (head[i + 1] === 0) oddNuls++;
	}
	const pairs = length / 2;
	if (oddNuls >= pairs * 0.2 && evenNuls * 10 <= oddNuls) return 'utf-16le';
	if (evenNuls >= pairs * 0.2 && oddNuls * 10 <= evenNuls) return 'utf-16be';
	return null;
}

/** Text exports hold tabs and line breaks but hardly any other control bytes; binaries many. */
function looksBinary(head: Uint8Array): boolean {
	let nuls = 0;
	let controls = 0;
	for (let i = 0; i < head.length; i++) {
		const byte = head[i];
		if (byte === 0) nuls++;
		else if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c)
			controls++;
	}
	return nuls * 100 > head.length || (nuls + controls) * 20 > head.length;
}

function isUtf8(head: Uint8Array): boolean {
	try {
		// stream: a sequence cut by the end of the head is held back, not an error.
		new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(head, { stream: true });
		return true;
	} catch {
		return false;
	}
}

/**
 * The encoding of a file from its first bytes (after decompression): BOM, then the UTF-16 NUL
 * pattern, then strict UTF-8, falling back to Windows-1252.
 */
export function detectEncoding(head: Uint8Array): DetectedEncoding {
	if (head.length === 0) throw new FerryError('empty_file', 'The file is empty.');
	const bom = bomOf(head);
	if (bom) return { encoding: bom.encoding, bom: true, bomLength: bom.length };
	const utf16 = guessUtf16(head);
	if (utf16) return { encoding: utf16, bom: false, bomLength: 0 };
	if (looksBinary(head))
		throw new FerryError(
			'binary_file',
			'This file holds binary data, not text. Drop a CSV, TSV, JSON or NDJSON export.'
		);
	return { encoding: isUtf8(head) ? 'utf-8' : 'windows-1252', bom: false, bomLength: 0 };
}

/** TextDecoder's canonical name for a user-given label; unknown labels are the user's error. */
export function canonicalEncoding(label: string): string {
	try {
		return new TextDecoder(label.trim()).encoding;
	} catch {
		throw new FerryError(
			'unknown_encoding',
			`"${label}" is not an encoding this browser knows. Try utf-8, windows-1252 or utf-16le.`
		);
	}
}

/** WHATWG's windows-1252 characters for bytes 0x80–0x9F (elsewhere it equals Latin-1). */
const WINDOWS_1252_C1 = [
	0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152,
	0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
	0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178
];

export interface TextDecoderLike {
	decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

/** Characters per String.fromCharCode call (stays far below engines' argument limits). */
const DECODE_SLICE = 8192;

/**
 * Windows-1252 by the Encoding Standard's table. Node's own decoder is wrong for it since 20.18.3:
 * 0x80–0x9F come out as C1 controls instead of € ‚ ƒ … (nodejs/node#60888), and with ignoreBOM the
 * first byte of a non-streaming call is dropped. A single-byte encoding needs no stream state.
 */
const windows1252Decoder: TextDecoderLike = {
	decode(input) {
		if (!input) return '';
		const units = new Uint16Array(Math.min(input.length, DECODE_SLICE));
		let text = '';
		for (let start = 0; start < input.length; start += DECODE_SLICE) {
			const length = Math.min(DECODE_SLICE, input.length - start);
			for (let i = 0; i < length; i++) {
				const byte = input[start + i];
				units[i] = byte >= 0x80 && byte < 0xa0 ? WINDOWS_1252_C1[byte - 0x80] : byte;
			}
			text += String.fromCharCode(...units.subarray(0, length));
		}
		return text;
	}
};

/** A TextDecoder for `encoding` (windows-1252, and the labels that mean it, by our own table). */
export function createTextDecoder(
	encoding: string,
	options: { fatal?: boolean; ignoreBOM?: boolean } = {}
): TextDecoderLike {
	const decoder = new TextDecoder(encoding, options);
	return decoder.encoding === 'windows-1252' ? windows1252Decoder : decoder;
}
