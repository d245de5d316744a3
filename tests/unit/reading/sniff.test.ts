import { describe, expect, it } from 'vitest';
import { detectContainer, requireReadableContainer } from '../../../src/lib/core/sniff/container';
import { fieldCounts, parseSepLine, sniffDelimiter } from '../../../src/lib/core/sniff/delimiter';
import { canonicalEncoding, detectEncoding } from '../../../src/lib/core/sniff/encoding';
import { detectHeader } from '../../../src/lib/core/sniff/header';
import {
	cutSequenceLength,
	decodeCell,
	findInvalidUtf8,
	positionAfter
} from '../../../src/lib/core/sniff/utf8';
import { ferryError, hooks, utf8 } from './helpers';

const bytes = (...values: number[]) => new Uint8Array(values);

function utf16(text: string, littleEndian: boolean, bom: boolean): Uint8Array {
	const out = new Uint8Array((text.length + (bom ? 1 : 0)) * 2);
	const view = new DataView(out.buffer);
	let at = 0;
	if (bom) {
		view.setUint16(0, 0xfeff, littleEndian);
		at = 2;
	}
	for (let i = 0; i < text.length; i++, at += 2)
		view.setUint16(at, text.charCodeAt(i), littleEndian);
	return out;
}

describe('detectContainer', () => {
	const cases = [
		{ input: bytes(0x1f, 0x8b, 0x08, 0x00), expected: 'gzip' },
		{ input: bytes(0x50, 0x4b, 0x03, 0x04, 0x14), expected: 'zip' },
		{ input: utf8('id,email\n'), expected: 'plain' },
		{ input: bytes(0x1f), expected: 'plain' },
		{ input: bytes(), expected: 'plain' }
	];
	it.each(cases)('$expected', ({ input, expected }) => {
		expect(detectContainer(input)).toBe(expected);
	});

	it('refuses ZIP/XLSX with the save-as-CSV message', async () => {
		const error = await ferryError(() => requireReadableContainer(bytes(0x50, 0x4b, 0x03, 0x04)));
		expect(error).toMatchObject({
			code: 'zip_unsupported',
			message: 'This looks like a ZIP or Excel (.xlsx) file. Save it as CSV and drop that instead.'
		});
	});

	it.each([
		{ input: bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0), expected: /\.xls/ },
		{ input: utf8('%PDF-1.7\n'), expected: /PDF/ },
		{ input: bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a), expected: /PNG/ }
	])('refuses other binary formats: $expected', async ({ input, expected }) => {
		const error = await ferryError(() => requireReadableContainer(input));
		expect(error.code).toBe('binary_file');
		expect(error.message).toMatch(expected);
	});

	it('says whether the file is gzip', () => {
		expect(requireReadableContainer(bytes(0x1f, 0x8b))).toBe(true);
		expect(requireReadableContainer(utf8('a,b'))).toBe(false);
	});
});

describe('detectEncoding', () => {
	const cases = [
		{
			name: 'UTF-8 BOM',
			input: bytes(0xef, 0xbb, 0xbf, 0x61),
			expected: { encoding: 'utf-8', bom: true, bomLength: 3 }
		},
		{
			name: 'UTF-16LE BOM',
			input: utf16('id,email', true, true),
			expected: { encoding: 'utf-16le', bom: true, bomLength: 2 }
		},
		{
			name: 'UTF-16BE BOM',
			input: utf16('id,email', false, true),
			expected: { encoding: 'utf-16be', bom: true, bomLength: 2 }
		},
		{
			name: 'UTF-16LE without BOM',
			input: utf16('id;email\r\n1;a@b.de\r\n', true, false),
			expected: { encoding: 'utf-16le', bom: false, bomLength: 0 }
		},
		{
			name: 'UTF-16BE without BOM',
			input: utf16('id;email\r\n1;a@b.de\r\n', false, false),
			expected: { encoding: 'utf-16be', bom: false, bomLength: 0 }
		},
		{
			name: 'plain ASCII',
			input: utf8('id,email\n1,a@b.de\n'),
			expected: { encoding: 'utf-8', bom: false, bomLength: 0 }
		},
		{
			name: 'UTF-8 multi-byte',
			input: utf8('name\nJosé 😀\n'),
			expected: { encoding: 'utf-8', bom: false, bomLength: 0 }
		},
		{
			name: 'UTF-8 cut at the end of the head',
			input: utf8('name\nJos€').subarray(0, 10),
			expected: { encoding: 'utf-8', bom: false, bomLength: 0 }
		},
		{
			name: 'Windows-1252 é (0xE9)',
			input: bytes(0x4a, 0x6f, 0x73, 0xe9, 0x0a),
			expected: { encoding: 'windows-1252', bom: false, bomLength: 0 }
		},
		{
			name: 'Windows-1252 € (0x80) mid-text',
			input: bytes(0x80, 0x31, 0x30, 0x0a, 0x61),
			expected: { encoding: 'windows-1252', bom: false, bomLength: 0 }
		},
		{
			name: 'overlong UTF-8 is not UTF-8',
			input: bytes(0x61, 0xc0, 0xaf, 0x62),
			expected: { encoding: 'windows-1252', bom: false, bomLength: 0 }
		}
	];
	it.each(cases)('$name', ({ input, expected }) => {
		expect(detectEncoding(input)).toEqual(expected);
	});

	it('refuses an empty head', async () => {
		expect((await ferryError(() => detectEncoding(bytes()))).code).toBe('empty_file');
	});

	it.each([
		{
			name: 'NULs without a UTF-16 pattern',
			input: bytes(0, 0, 0, 0, 0x41, 0, 0, 0x42, 0, 0, 0, 0)
		},
		{ name: 'control bytes', input: bytes(...Array.from({ length: 64 }, (_, i) => (i * 7) % 32)) }
	])('refuses binary data: $name', async ({ input }) => {
		const error = await ferryError(() => detectEncoding(input));
		expect(error.code).toBe('binary_file');
		expect(error.message).toMatch(/binary/);
	});

	it('canonicalises user labels and refuses unknown ones', async () => {
		expect(canonicalEncoding('latin1')).toBe('windows-1252');
		expect(canonicalEncoding(' UTF-16 ')).toBe('utf-16le');
		expect((await ferryError(() => canonicalEncoding('klingon-8'))).code).toBe('unknown_encoding');
	});
});

describe('UTF-8 helpers', () => {
	it.each([
		{ input: utf8('abc€😀'), expected: -1 },
		{ input: utf8('ab€').subarray(0, 4), expected: -1 },
		{ input: bytes(0x61, 0xff), expected: 1 },
		{ input: bytes(0x61, 0xe2, 0x28, 0xa1), expected: 1 },
		{ input: bytes(0xed, 0xa0, 0x80), expected: 0 },
		{ input: bytes(0xf4, 0x90, 0x80, 0x80), expected: 0 }
	])('findInvalidUtf8 %#', ({ input, expected }) => {
		expect(findInvalidUtf8(input)).toBe(expected);
	});

	it.each([
		{ input: utf8('a€').subarray(0, 2), expected: 1 },
		{ input: utf8('a€').subarray(0, 3), expected: 2 },
		{ input: utf8('a😀').subarray(0, 4), expected: 3 },
		{ input: utf8('a€'), expected: 0 },
		{ input: utf8('abc'), expected: 0 }
	])('cutSequenceLength %#', ({ input, expected }) => {
		expect(cutSequenceLength(input)).toBe(expected);
	});

	it.each([
		{ input: 'abc', expected: { line: 1, column: 4 } },
		{ input: 'a\nb\r\nc\rdé', expected: { line: 4, column: 3 } },
		{ input: 'x\r\n', expected: { line: 2, column: 1 } }
	])('positionAfter($input)', ({ input, expected }) => {
		expect(positionAfter(utf8(input))).toEqual(expected);
	});

	// The range scan's decoder: what decodeCell must read exactly as, fast path or not.
	const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
	const ascii = Uint8Array.from({ length: 128 }, (_, i) => i);
	it.each([
		{ name: 'a phone number', input: utf8('x,+12025558777,y'), start: 2, end: 14 },
		{ name: 'nothing', input: utf8('abc'), start: 1, end: 1 },
		{ name: 'NUL and control bytes', input: bytes(0x00, 0x01, 0x09, 0x7f, 0x41), start: 0, end: 5 },
		{ name: 'every ASCII byte, 64 at a time', input: ascii, start: 0, end: 64 },
		{ name: 'every ASCII byte, 65 at a time', input: ascii, start: 63, end: 128 },
		{ name: 'a short cell with é', input: utf8('"Émile"'), start: 1, end: 7 },
		{ name: 'a byte order mark first', input: utf8('\uFEFF+1202'), start: 0, end: 8 },
		{ name: 'a cut sequence', input: utf8('ab€'), start: 0, end: 4 },
		{ name: 'invalid UTF-8', input: bytes(0x61, 0xff, 0x62), start: 0, end: 3 }
	])('decodeCell reads $name as TextDecoder does', ({ input, start, end }) => {
		expect(decodeCell(decoder, input, start, end)).toBe(decoder.decode(input.subarray(start, end)));
	});

	it('decodeCell reads 2,000 seeded random cells as TextDecoder does', () => {
		// Mostly ASCII (the fast path), now and then a byte of 0x80 and above, lengths around the
		// fast path's limit.
		let seed = 7;
		const next = (n: number) => {
			seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
			return seed % n;
		};
		for (let i = 0; i < 2000; i++) {
			const cell = Uint8Array.from({ length: next(80) }, () =>
				next(20) === 0 ? 0x80 + next(128) : next(128)
			);
			const start = next(cell.length + 1);
			const end = start + next(cell.length - start + 1);
			expect(decodeCell(decoder, cell, start, end)).toBe(decoder.decode(cell.subarray(start, end)));
		}
	});
});

describe('sniffDelimiter', () => {
	const cases = [
		{
			name: 'comma',
			input: 'id,email,name\n1,a@b.de,A\n2,c@d.de,B\n',
			expected: { delimiter: ',', sepLine: false }
		},
		{
			name: 'semicolon with decimal commas',
			input: 'id;amount;name\n1;1,5;A\n2;2,75;B\n',
			expected: { delimiter: ';', sepLine: false }
		},
		{
			name: 'tab',
			input: 'id\temail\tnote\n1\ta@b.de\tx, y\n2\tc@d.de\tz\n',
			expected: { delimiter: '\t', sepLine: false }
		},
		{
			name: 'pipe',
			input: 'id|email|name\n1|a@b.de|Smith, John\n2|c@d.de|Doe, Jane\n',
			expected: { delimiter: '|', sepLine: false }
		},
		{
			name: 'quoted delimiters do not count',
			input: 'id;note\n1;"a,b,c"\n2;"d,e,f"\n3;"g,h"\n',
			expected: { delimiter: ';', sepLine: false }
		},
		{
			name: 'quoted newlines are respected',
			input: 'a,b\n"x\ny;z;w",1\n"p;q",2\n',
			expected: { delimiter: ',', sepLine: false }
		},
		{
			name: 'Excel sep= line wins',
			input: 'sep=;\nid,email;name\n1,a;b\n',
			expected: { delimiter: ';', sepLine: true }
		},
		{
			name: 'sep= with CRLF and tab',
			input: 'SEP=\t\r\nid\temail\r\n',
			expected: { delimiter: '\t', sepLine: true }
		},
		{
			name: 'single column',
			input: 'email\na@b.de\nc@d.de\n',
			expected: { delimiter: ',', sepLine: false }
		},
		{ name: 'header only', input: 'id;email;name', expected: { delimiter: ';', sepLine: false } }
	];
	it.each(cases)('$name', ({ input, expected }) => {
		expect(sniffDelimiter(input)).toEqual(expected);
	});

	it('parses sep= lines and ignores unusable ones', () => {
		expect(parseSepLine('sep=|\r\nx')).toEqual({ delimiter: '|', length: 7 });
		expect(parseSepLine('sep="\nx')).toBeNull();
		expect(parseSepLine('separator,x\n')).toBeNull();
	});

	it('counts fields outside quotes, one count per non-empty record', () => {
		expect(fieldCounts('a,"b,c"\r\n\r\n"x""y",z,w\r\n', ',', 100)).toEqual([2, 3]);
	});
});

describe('detectHeader', () => {
	const cases = [
		{
			name: 'known aliases',
			input: [
				['E-Mail', 'Vorname'],
				['a@b.de', 'Anna']
			],
			expected: true
		},
		{
			name: 'unknown names over typed values',
			input: [
				['Kennung', 'Anmeldung'],
				['17', '2024-01-02']
			],
			expected: true
		},
		{
			name: 'text header over text values',
			input: [
				['Vorname', 'Nachname'],
				['Anna', 'Schmidt']
			],
			expected: true
		},
		{
			name: 'Firebase-style headerless CSV',
			input: [
				[
					'Kx9vA2',
					'anna@example.com',
					'false',
					'hash==',
					'salt==',
					'Anna',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'1486324027000',
					'1486324027000',
					''
				],
				[
					'Pq81Zz',
					'bob@example.com',
					'true',
					'hash2==',
					'salt2==',
					'Bob',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'',
					'1486324027001',
					'',
					''
				]
			],
			expected: false
		},
		{
			name: 'first row holds a number',
			input: [
				['1', 'Anna'],
				['2', 'Bob']
			],
			expected: false
		},
		{
			name: 'first row holds a date',
			input: [
				['Anna', '2024-01-02'],
				['Bob', '2024-01-03']
			],
			expected: false
		},
		{
			name: 'duplicate text without aliases',
			input: [
				['x', 'x'],
				['a', 'b']
			],
			expected: false
		},
		{
			name: 'duplicate aliases are still a header',
			input: [
				['email', 'email'],
				['a@b.de', 'c@d.de']
			],
			expected: true
		},
		{
			name: 'empty first cell without evidence',
			input: [
				['', 'Nachname'],
				['Anna', 'Schmidt']
			],
			expected: false
		},
		{
			name: '__proto__ header over typed values',
			input: [
				['__proto__', 'constructor'],
				['1', 'a@b.de']
			],
			expected: true
		},
		{ name: 'no rows', input: [], expected: false }
	];
	it.each(cases)('$name', ({ input, expected }) => {
		expect(detectHeader(input, hooks.isKnownAlias)).toBe(expected);
	});
});
