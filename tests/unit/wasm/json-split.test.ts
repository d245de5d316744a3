import { beforeAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../../src/lib/core/errors';
import {
	JsonRecordScanner,
	type JsonScanMode,
	type Position
} from '../../../src/lib/core/json/scanner';
import { positionAfter } from '../../../src/lib/core/sniff/utf8';
import { createJsonSplitState, type JsonSplitter } from '../../../src/lib/core/wasm/json-split';
import { seededRandom as random } from '../../helpers/random';
import { generateJson, loadSplitters, type Splitters } from '../engine/json-helpers';

const utf8 = (text: string) => new TextEncoder().encode(text);

interface Found {
	start: number;
	end: number;
	line: number;
	column: number;
}

/** What a splitting path reports: its records, whether it is done, and its error if any. */
interface Outcome {
	records: Found[];
	done: boolean;
	error: { code: string; message: string; details: unknown } | null;
}

function caught(error: unknown): Outcome['error'] {
	if (!isFerryError(error)) throw error;
	return { code: error.code, message: error.message, details: error.details };
}

/** The bytes from `offset` on, in pieces of `piece` bytes, until the scan is done. */
function pieces(bytes: Uint8Array, offset: number, piece: number): Uint8Array[] {
	const result: Uint8Array[] = [];
	for (let at = offset; at < bytes.length; at += piece)
		result.push(bytes.subarray(at, Math.min(bytes.length, at + piece)));
	return result;
}

function startOf(bytes: Uint8Array, offset: number): Position {
	return { offset, ...positionAfter(bytes.subarray(0, offset)) };
}

/** The reference scanner over `bytes` from `offset`, fed `piece` bytes at a time. */
function scanned(bytes: Uint8Array, mode: JsonScanMode, offset: number, piece: number): Outcome {
	const scanner = new JsonRecordScanner(mode, startOf(bytes, offset));
	const records: Found[] = [];
	try {
		for (const part of pieces(bytes, offset, piece)) {
			if (scanner.done) break;
			for (const { start, end, line, column } of scanner.push(part))
				records.push({ start, end, line, column });
		}
		scanner.finish();
		return { records, done: scanner.done, error: null };
	} catch (error) {
		return { records, done: scanner.done, error: caught(error) };
	}
}

/** The WebAssembly splitter over the same bytes, the same way. */
function split(
	splitter: JsonSplitter,
	bytes: Uint8Array,
	mode: JsonScanMode,
	offset: number,
	piece: number
): Outcome {
	const state = createJsonSplitState(mode, startOf(bytes, offset));
	const records: Found[] = [];
	try {
		for (const part of pieces(bytes, offset, piece)) {
			if (state.done) break;
			const found = splitter.split(part, state);
			for (let r = 0; r < found.count; r++)
				records.push({
					start: found.starts[r],
					end: found.ends[r],
					line: found.lines[r],
					column: found.columns[r]
				});
		}
		splitter.finish(state);
		return { records, done: state.done, error: null };
	} catch (error) {
		return { records, done: state.done, error: caught(error) };
	}
}

let splitters: Splitters;
beforeAll(async () => {
	splitters = await loadSplitters();
});

const PIECES = [1, 2, 3, 5, 7, 16, 63, 64, 65, 100, 1 << 20];

/**
 * Both builds give the reference outcome, whole and in pieces of every size of PIECES (records of
 * pieces before an error's piece count, as they do for the reader). Returns the whole outcome.
 */
function expectSameSplit(bytes: Uint8Array, mode: JsonScanMode, offset: number, label: string) {
	for (const piece of PIECES) {
		const reference = scanned(bytes, mode, offset, piece);
		for (const build of ['simd', 'scalar'] as const)
			expect(
				split(splitters[build], bytes, mode, offset, piece),
				`${label} ${build}, piece ${piece}`
			).toEqual(reference);
	}
	return scanned(bytes, mode, offset, 1 << 20);
}

describe('the splitter builds', () => {
	it('say which they are', () => {
		expect([splitters.simd.simd, splitters.scalar.simd]).toEqual([true, false]);
	});
});

describe('records and errors as the reference scanner finds them', () => {
	const bigObject = `{"a":"${'x'.repeat(200)}","b":{"c":["${'\\"'.repeat(70)}"]}}`;
	/** `records`: found before the end or the error (when the bytes come one at a time). */
	const cases: {
		name: string;
		mode: JsonScanMode;
		input: string;
		start?: number;
		records: number;
		error?: true;
	}[] = [
		// array mode: the start is just inside '['
		{ name: 'empty array', mode: 'array', input: '[]', start: 1, records: 0 },
		{ name: 'two records', mode: 'array', input: '[{"a":1},{"b":2}]', start: 1, records: 2 },
		{
			name: 'pretty, CRLF and tabs',
			mode: 'array',
			input: '[\r\n\t{\r\n\t\t"a": "}"\r\n\t} ,\r\n\t{"b":"]"}\r\n]\r\n',
			start: 1,
			records: 2
		},
		{
			name: 'strings with escaped quotes and backslashes',
			mode: 'array',
			input: '[{"a":"\\"}\\\\"},{"b":"\\\\\\""},{"c":"\\\\"}]',
			start: 1,
			records: 3
		},
		{
			name: 'multi-byte characters move columns by one',
			mode: 'array',
			input: '[{"é":"😀"},  {"李":"Ω"}, é]',
			start: 1,
			records: 2,
			error: true
		},
		{
			name: 'long records',
			mode: 'array',
			input: `[${bigObject},\n${bigObject}]`,
			start: 1,
			records: 2
		},
		{
			name: 'trailing comma',
			mode: 'array',
			input: '[{"a":1},]',
			start: 1,
			records: 1,
			error: true
		},
		{
			name: 'leading comma',
			mode: 'array',
			input: '[,{"a":1}]',
			start: 1,
			records: 0,
			error: true
		},
		{
			name: 'missing comma',
			mode: 'array',
			input: '[{"a":1} {"b":2}]',
			start: 1,
			records: 1,
			error: true
		},
		{
			name: 'a number record',
			mode: 'array',
			input: '[{"a":1}, 2]',
			start: 1,
			records: 1,
			error: true
		},
		{
			name: 'a non-ASCII byte',
			mode: 'array',
			input: '[{"a":1}, é]',
			start: 1,
			records: 1,
			error: true
		},
		{
			name: 'never closed',
			mode: 'array',
			input: '[{"a":1},\n{"b":2}\n',
			start: 1,
			records: 2,
			error: true
		},
		{
			name: 'data after the array',
			mode: 'array',
			input: '[{"a":1}]\n x',
			start: 1,
			records: 1,
			error: true
		},
		{ name: 'stray closer', mode: 'array', input: '[{"a":1]}]', start: 1, records: 0, error: true },
		{ name: 'stray brace', mode: 'array', input: '[{"a":[1}}]', start: 1, records: 0, error: true },
		{
			name: 'unterminated string',
			mode: 'array',
			input: '[{"a":1},{"b":"open}]\n',
			start: 1,
			records: 1,
			error: true
		},
		{
			name: 'truncated inside a record',
			mode: 'array',
			input: '[{"a":1},\r\n{"b":{"c":[',
			start: 1,
			records: 1,
			error: true
		},
		{
			name: 'nested exactly 256 deep',
			mode: 'array',
			input: `[{"a":${'['.repeat(255)}${']'.repeat(255)}}]`,
			start: 1,
			records: 1
		},
		{
			name: 'nested 257 deep',
			mode: 'array',
			input: `[{"a":${'['.repeat(256)}${']'.repeat(256)}}]`,
			start: 1,
			records: 0,
			error: true
		},
		{
			name: 'backslash outside strings',
			mode: 'array',
			input: `[{\\"a":"}"},{"b":${'\\'.repeat(70)}"}\\"},{"c":1}]`,
			start: 1,
			records: 1,
			error: true
		},
		{
			name: 'a backslash run across 64-byte blocks',
			mode: 'array',
			input: `[{"a":"${'x'.repeat(55)}${'\\\\'.repeat(10)}\\""},{"b":"${'\\'.repeat(129)}""}]`,
			start: 1,
			records: 2
		},
		// root mode: reading stops at the array's ']'
		{
			name: 'root array, then anything',
			mode: 'root',
			input: '{"users": [{"a":1},{"b":2}], "next": {"bad": ',
			start: 11,
			records: 2
		},
		{
			name: 'root array never closed',
			mode: 'root',
			input: '{"users": [{"a":1},{"b":2}',
			start: 11,
			records: 2,
			error: true
		},
		{ name: 'root, empty', mode: 'root', input: '{"users": [ ]}', start: 11, records: 0 },
		// sequence mode: NDJSON
		{
			name: 'NDJSON with blank lines and CR, CRLF',
			mode: 'sequence',
			input: '{"a":1}\r\n\r\n{"b":"\\r"}\r{"c":3}\n\n\n{"d":4}',
			records: 4
		},
		{
			name: 'NDJSON with a comma',
			mode: 'sequence',
			input: '{"a":1},\n{"b":2}',
			records: 1,
			error: true
		},
		{
			name: 'NDJSON with an array',
			mode: 'sequence',
			input: '{"a":1}\n[1]',
			records: 1,
			error: true
		},
		{
			name: 'NDJSON truncated in a string',
			mode: 'sequence',
			input: '{"a":1}\n{"b":"x\\"',
			records: 1,
			error: true
		},
		{ name: 'NDJSON records back to back', mode: 'sequence', input: '{"a":1}{"b":2}', records: 2 },
		// range mode: records separated by whitespace or commas
		{
			name: 'range with commas',
			mode: 'range',
			input: '{"a":1},\n {"b":2} ,\n{"c":3}',
			records: 3
		},
		{ name: 'range with a closing bracket', mode: 'range', input: '{"a":1}]', records: 1 },
		{
			name: 'range, data after a bracket',
			mode: 'range',
			input: '{"a":1}] {',
			records: 1,
			error: true
		}
	];

	it.each(cases)('$mode: $name', ({ mode, input, start = 0, records, error = false }) => {
		const bytes = utf8(input);
		expectSameSplit(bytes, mode, start, input);
		const outcome = scanned(bytes, mode, start, 1);
		expect(outcome.records).toHaveLength(records);
		expect(outcome.error !== null).toBe(error);
		for (const record of outcome.records) {
			expect(bytes[record.start]).toBe(0x7b);
			expect(bytes[record.end - 1]).toBe(0x7d);
		}
	});

	it('errors have the reference messages', () => {
		const errors = [
			['array', '[{"a":1} {', 'Unexpected "{" where "," or "]" belongs (line 1, column 10).'],
			[
				'array',
				'[{"a":1}]x',
				'Unexpected data after the end of the JSON array (line 1, column 10).'
			],
			['array', '[\n 2', 'Each record must be a JSON object ({…}); found "2" (line 2, column 2).'],
			['array', '[{"a":[}', 'Unexpected "}" (line 1, column 8).'],
			['array', '[{"a":1}', 'The JSON array is never closed (line 1, column 9).'],
			[
				'sequence',
				'\n{"a":\n1',
				'The JSON ends inside the record that starts on line 2 (line 3, column 2).'
			],
			[
				'sequence',
				`{"a":${'{'.repeat(256)}`,
				'Values are nested more than 256 deep (line 1, column 261).'
			]
		] as const;
		for (const [mode, input, message] of errors) {
			const start = mode === 'array' ? 1 : 0;
			for (const build of ['simd', 'scalar'] as const)
				expect(split(splitters[build], utf8(input), mode, start, 3).error?.message).toBe(message);
			expect(scanned(utf8(input), mode, start, 3).error?.message).toBe(message);
		}
	});

	it('invalid UTF-8 inside strings is left to the decoder', () => {
		const bytes = new Uint8Array([
			...utf8('{"a":"'),
			0xff,
			0xc3,
			...utf8('\\"'),
			0xe2,
			...utf8('"}\n{"b":1}')
		]);
		const outcome = expectSameSplit(bytes, 'sequence', 0, 'invalid UTF-8');
		expect(outcome.records).toHaveLength(2);
	});
});

describe('generated exports in every mode, split anywhere', () => {
	const table = [
		{ shape: 'ndjson', pretty: false, newline: '\n', seed: 1 },
		{ shape: 'ndjson', pretty: false, newline: 'mixed', seed: 2 },
		{ shape: 'array', pretty: true, newline: '\r\n', seed: 3 },
		{ shape: 'array', pretty: false, newline: '\n', seed: 4 },
		{ shape: 'root', pretty: true, newline: 'mixed', seed: 5 },
		{ shape: 'root', pretty: false, newline: '\r', seed: 6 }
	] as const;

	it.each(table)('$shape, pretty $pretty, newline $newline', (config) => {
		const text = generateJson(random(config.seed), { rows: 80, ...config });
		const bytes = utf8(text);
		const mode: JsonScanMode =
			config.shape === 'ndjson' ? 'sequence' : config.shape === 'array' ? 'array' : 'root';
		const start =
			config.shape === 'ndjson'
				? 0
				: config.shape === 'array'
					? 1
					: utf8(text.slice(0, text.indexOf('[') + 1)).length;
		const outcome = expectSameSplit(bytes, mode, start, `${config.shape} ${config.seed}`);
		expect(outcome.error).toBeNull();
		expect(outcome.records).toHaveLength(80);
		expect(outcome.done).toBe(mode === 'root');

		// range: a run of records cut at record boundaries, as the pager reads it.
		const { records } = outcome;
		const range = bytes.subarray(0, records[70].end);
		expectSameSplit(range, 'range', records[10].start, `${config.shape} range`);
	});
});
