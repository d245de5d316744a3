import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	createCsvIndexState,
	fieldValue,
	readRecords,
	simdSupported
} from '../../../src/lib/core/wasm/csv-index';
import { QUOTE_CASES } from '../../helpers/quote-cases';
import { indexText, loadIndexers, referenceRows, type Indexers } from './helpers';

const encoder = new TextEncoder();
const builds = ['simd', 'scalar'] as const;

let indexers: Indexers;
beforeAll(async () => {
	indexers = await loadIndexers();
});

describe('simdSupported', () => {
	it('agrees with the engine on the SIMD build itself', () => {
		const module = readFileSync(join(import.meta.dirname, '../../../wasm/build/csv.simd.wasm'));
		expect(simdSupported()).toBe(WebAssembly.validate(module));
		// Node 20 runs SIMD128.
		expect(simdSupported()).toBe(true);
	});

	it('tells the builds apart', () => {
		expect(indexers.simd.simd).toBe(true);
		expect(indexers.scalar.simd).toBe(false);
	});
});

describe('fieldValue', () => {
	const cases: { input: string; config: { textEnd?: number }; expected: string; note: string }[] = [
		{ input: 'plain', config: {}, expected: 'plain', note: 'unquoted' },
		{ input: '', config: {}, expected: '', note: 'empty' },
		{ input: '""', config: {}, expected: '', note: 'quoted empty' },
		{ input: '"a,b"', config: {}, expected: 'a,b', note: 'quoted delimiter' },
		{ input: '"say ""hi"""', config: {}, expected: 'say "hi"', note: 'escaped quotes' },
		{ input: '"a"b"', config: {}, expected: 'a"b', note: 'quote that did not close' },
		{ input: '"a" \u00a0', config: {}, expected: 'a', note: 'whitespace after the closing quote' },
		{ input: 'a"b', config: {}, expected: 'a"b', note: 'quote inside an unquoted field' },
		{
			input: '"a"  ',
			config: { textEnd: 5 },
			expected: 'a',
			note: 'spaces after the closing quote, then the end (papaparse would keep a"  )'
		},
		{
			input: '"a"x',
			config: { textEnd: 4 },
			expected: 'a"x',
			note: 'text after the last quote, then the end: raw'
		},
		{ input: '"a""', config: { textEnd: 4 }, expected: 'a"', note: 'closing quote at the end' },
		{ input: '"open', config: { textEnd: 5 }, expected: 'open', note: 'never closed: raw' },
		{ input: '\ufeffid', config: {}, expected: '\ufeffid', note: 'a BOM inside the text is kept' },
		{ input: '"日本""語"', config: {}, expected: '日本"語', note: 'multi-byte characters' }
	];
	it.each(cases)('$note', ({ input, config, expected }) => {
		const bytes = encoder.encode(input);
		expect(fieldValue(bytes, 0, bytes.length, config.textEnd)).toBe(expected);
	});
});

describe.each(builds)('index (%s build)', (build) => {
	it('rejects delimiters that cannot separate fields', () => {
		const state = createCsvIndexState();
		for (const code of [0, 0x0a, 0x0d, 0x22, 0xe9, 1.5]) {
			expect(() => indexers[build].index(encoder.encode('a'), code, state)).toThrow(RangeError);
		}
	});

	const unterminated: {
		input: string;
		expected: { offset: number; line: number } | null;
		note: string;
	}[] = [
		{ input: 'a,b\n"open\nmore', expected: { offset: 4, line: 2 }, note: 'open at the end' },
		{
			input: `${'x,'.repeat(70)}"${'y'.repeat(200)}`,
			expected: { offset: 140, line: 1 },
			note: 'long'
		},
		{
			input: 'a,"b"\r\n"c"d',
			expected: { offset: 7, line: 2 },
			note: 'closing quote followed by data'
		},
		{ input: 'a,"b"', expected: null, note: 'closed at the very end' },
		{ input: 'a,"b" ', expected: null, note: 'closed, then a space' }
	];
	it.each(unterminated)('reports a quoted field never closed: $note', ({ input, expected }) => {
		const bytes = encoder.encode(input);
		expect(indexText(indexers[build], bytes, ',').unterminatedQuote).toEqual(expected);
		expect(referenceRows(bytes, ',').unterminatedQuote).toEqual(expected);
	});

	it.each(QUOTE_CASES)(
		"papaparse's case and misplaced quotes: $description",
		({ input, config, expected }) => {
			const bytes = encoder.encode(input);
			const whole = indexText(indexers[build], bytes, config.delimiter);
			if ('unterminated' in expected)
				expect(whole.unterminatedQuote).toEqual(expected.unterminated);
			else {
				expect(whole.unterminatedQuote).toBeNull();
				expect(whole.rows.map((row) => row.fields)).toEqual(expected.data);
				expect(whole.rows.flatMap((row, at) => (row.malformed ? [at] : []))).toEqual(
					expected.malformed.map(([record]) => record)
				);
				expect(whole.rows).toEqual(referenceRows(bytes, config.delimiter).rows);
			}
			// In pieces of every size, the state (and its malformed bit) carried from call to call.
			for (let piece = 1; piece <= bytes.length; piece++)
				expect(
					indexText(indexers[build], bytes, config.delimiter, piece),
					`pieces of ${piece}`
				).toEqual(whole);
		}
	);

	it('starts at a record boundary inside the text, with absolute offsets and lines', () => {
		const text = 'id,name\r\n1,"Ada\nLovelace"\r\n\r\n2,Grace\r\n';
		const bytes = encoder.encode(text);
		const dataStart = text.indexOf('1,');
		const state = createCsvIndexState(dataStart, 2);
		const index = indexers[build].index(bytes.subarray(dataStart), 0x2c, state, true);
		expect(Array.from(index.recordStarts)).toEqual([9, 29]);
		expect(Array.from(index.recordEnds)).toEqual([27, 38]);
		expect(Array.from(index.recordLines)).toEqual([2, 5]);
		expect(readRecords(index, bytes)).toEqual([
			['1', 'Ada\nLovelace'],
			['2', 'Grace']
		]);
		// The same records from a copy that starts at the data.
		expect(readRecords(index, bytes.slice(dataStart), dataStart, 1, 2)).toEqual([['2', 'Grace']]);
	});

	it('resumes from a state that went through JSON (another worker)', () => {
		const bytes = encoder.encode('a,"b\r\nc",d\r\ne,f\r\n');
		const whole = indexText(indexers[build], bytes, ',');
		for (let cut = 0; cut <= bytes.length; cut++) {
			const state = createCsvIndexState();
			const first = indexers[build].index(bytes.subarray(0, cut), 0x2c, state);
			const copy = JSON.parse(JSON.stringify(state));
			const second = indexers[build].index(bytes.subarray(cut), 0x2c, copy, true);
			const rows = [...readRecords(first, bytes), ...readRecords(second, bytes)];
			expect(rows, `cut at ${cut}`).toEqual(whole.rows.map((row) => row.fields));
			expect(first.count + second.count).toBe(2);
		}
	});

	it('indexes more than one call and one output buffer hold', () => {
		// 300,000 records and 900,000 fields: over 1 MiB of input and many times the output room.
		const record = 'ab,"c",d\n';
		const count = 300_000;
		const bytes = encoder.encode(record.repeat(count));
		const index = indexers[build].index(bytes, 0x2c, createCsvIndexState(), true);
		expect(index.count).toBe(count);
		expect(index.fieldEnds.length).toBe(count * 3);
		expect(index.recordStarts[count - 1]).toBe((count - 1) * record.length);
		expect(index.recordLines[count - 1]).toBe(count);
		expect(index.fieldEnds[count * 3 - 2]).toBe(count * record.length - 3);
		expect(readRecords(index, bytes, 0, count - 2)).toEqual([
			['ab', 'c', 'd'],
			['ab', 'c', 'd']
		]);
	});
});
