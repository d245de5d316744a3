// Each reader at the record limit's edge: a record longer than the limit comes out tooLarge,
// without fields, at the byte range and line an unlimited read gives it; whatever the chunks; and
// reading rows back never reads its bytes.
import { describe, expect, it } from 'vitest';
import { CsvRecordParser } from '../../../src/lib/core/csv/parser';
import { JsonRecordScanner, type ScannedRecord } from '../../../src/lib/core/json/scanner';
import { readRows } from '../../../src/lib/core/read';
import { inspectText } from '../../../src/lib/core/sniff/inspect';
import type { RecordSpan } from '../../../src/lib/core/types';
import { hooks, identity, utf8 } from './helpers';

const LIMIT = 64;
const CHUNKS = [1, 2, 7, 63, 64, 65, 4096];

/** A CSV record of exactly `size` bytes, its line break included. */
function csvRecord(size: number, newline: string, quoted: boolean): string {
	const room = size - 'id,'.length - newline.length - (quoted ? 2 : 0);
	// A quoted value spans lines and holds delimiters; a plain one ends on a 2-byte character.
	const value = quoted ? 'a\r\nb,'.repeat(room).slice(0, room) : `${'x'.repeat(room - 2)}é`;
	const text = `id,${quoted ? `"${value}"` : value}${newline}`;
	expect(utf8(text).length).toBe(size);
	return text;
}

function readCsv(bytes: Uint8Array, chunk: number, maxRecordBytes: number): RecordSpan[] {
	const parser = new CsvRecordParser({
		delimiter: ',',
		columns: 2,
		offset: 0,
		line: 1,
		maxRecordBytes
	});
	const records: RecordSpan[] = [];
	for (let at = 0; at < bytes.length; at += chunk)
		records.push(...parser.push(bytes.subarray(at, at + chunk)));
	records.push(...parser.finish());
	return records;
}

/** Where each record is, and its fields unless too large. */
const summary = (records: { start: number; end: number; line: number; tooLarge?: boolean }[]) =>
	records.map(({ start, end, line, tooLarge }) => ({ start, end, line, tooLarge: !!tooLarge }));

describe('CsvRecordParser at the record limit', () => {
	const cases = ['\n', '\r\n', '\r', ''].flatMap((newline) =>
		[LIMIT - 1, LIMIT, LIMIT + 1, 5 * LIMIT].flatMap((size) =>
			[false, true].map((quoted) => ({ newline, size, quoted }))
		)
	);
	it.each(cases)(
		'a record of $size bytes ending $newline (quoted: $quoted)',
		({ newline, size, quoted }) => {
			// The record under test is the last one: without a line break when `newline` is ''.
			const first = `1,one\n`;
			const record = csvRecord(size, newline, quoted);
			const bytes = utf8(first + record);
			const edge = bytes.length - first.length;
			const unlimited = readCsv(bytes, bytes.length, Infinity);
			expect(unlimited.at(-1)!.end - unlimited.at(-1)!.start).toBe(edge);
			const tooLarge = edge > LIMIT;
			for (const chunk of CHUNKS) {
				const records = readCsv(bytes, chunk, LIMIT);
				const expected = summary(unlimited).map((span, i) => ({
					...span,
					tooLarge: i === 1 && tooLarge
				}));
				expect(summary(records), `chunk ${chunk}`).toEqual(expected);
				expect(records[0].fields).toEqual(['1', 'one']);
				expect(records[1].fields).toEqual(tooLarge ? ['', ''] : unlimited[1].fields);
				expect(records[1].fieldCount).toBe(tooLarge ? 0 : unlimited[1].fieldCount);
			}
		}
	);

	it('a record too large is not decoded: its invalid UTF-8 is no error', () => {
		const bytes = new Uint8Array([
			...utf8('1,'),
			...new Array(2 * LIMIT).fill(0xff),
			...utf8('\n2,b\n')
		]);
		for (const chunk of CHUNKS) {
			const records = readCsv(bytes, chunk, LIMIT);
			expect(records.map((record) => record.tooLarge ?? false)).toEqual([true, false]);
			expect(records[1]).toMatchObject({ fields: ['2', 'b'], line: 2 });
		}
	});
});

function readJson(bytes: Uint8Array, chunk: number, maxRecordBytes: number): ScannedRecord[] {
	const scanner = new JsonRecordScanner(
		'sequence',
		{ offset: 0, line: 1, column: 1 },
		maxRecordBytes
	);
	const records: ScannedRecord[] = [];
	for (let at = 0; at < bytes.length; at += chunk)
		records.push(...scanner.push(bytes.subarray(at, at + chunk)));
	scanner.finish();
	return records;
}

describe('JsonRecordScanner at the record limit', () => {
	/** A record of exactly `size` bytes from `{` to `}`, with a string that holds braces and escapes. */
	function jsonRecord(size: number): string {
		const head = '{"id":"1","note":"';
		return `${head}${'}{\\"'
			.repeat(size)
			.slice(0, size - head.length - 2)
			.replace(/\\$/, 'x')}"}`;
	}
	it.each([LIMIT - 1, LIMIT, LIMIT + 1, 5 * LIMIT])('a record of %i bytes', (size) => {
		const record = jsonRecord(size);
		expect(utf8(record).length).toBe(size);
		const bytes = utf8(`{"id":"0"}\n${record}\n{"id":"2"}`);
		const unlimited = readJson(bytes, bytes.length, Infinity);
		for (const chunk of CHUNKS) {
			const records = readJson(bytes, chunk, LIMIT);
			const expected = summary(unlimited).map((span, i) => ({
				...span,
				tooLarge: i === 1 && size > LIMIT
			}));
			expect(summary(records), `chunk ${chunk}`).toEqual(expected);
			expect(records[1].bytes.length).toBe(size > LIMIT ? 0 : size);
		}
	});
});

describe('readRows', () => {
	it('never reads the bytes of a row too large: it comes back as its placeholder', async () => {
		const text = `id,note\n1,a\n2,${'x'.repeat(3 * LIMIT)}\n3,c\n`;
		const bytes = utf8(text);
		const { layout } = inspectText(text, true, hooks);
		const records = readCsv(bytes.subarray(layout.dataStart), 5, LIMIT);
		const places = {
			rowStarts: Float64Array.from(records, (record) => record.start + layout.dataStart),
			rowEnds: Float64Array.from(records, (record) => record.end + layout.dataStart),
			rowLines: Uint32Array.from(records, (record) => record.line + 1)
		};
		const reads: [number, number][] = [];
		const source = {
			size: bytes.length,
			read: async (start: number, end: number) => {
				reads.push([start, end]);
				return bytes.subarray(start, end);
			}
		};
		const rows = await readRows(source, places, [0, 1, 2], layout, identity, LIMIT);
		expect(rows.map(({ fields, line, tooLarge }) => ({ fields, line, tooLarge }))).toEqual([
			{ fields: ['1', 'a'], line: 2, tooLarge: undefined },
			{ fields: ['', ''], line: 3, tooLarge: true },
			{ fields: ['3', 'c'], line: 4, tooLarge: undefined }
		]);
		for (const [start, end] of reads) expect(end - start).toBeLessThanOrEqual(LIMIT);
		expect(reads).toHaveLength(2);
	});
});
