import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import type { ScanEngine } from '../../../src/lib/core/engine/types';
import { MAX_JSON_DEPTH } from '../../../src/lib/core/json/parse';
import {
	expectSameAsReference,
	expectSameOutcome,
	outcome,
	prepareBytes,
	prepareFile,
	random,
	utf8,
	type Prepared
} from './helpers';
import { generateJson, loadJsonEngines, type JsonEngines, type JsonShape } from './json-helpers';

const fixtures = join(import.meta.dirname, '../../fixtures/e2e');
const spectrumJson = '/work/shared/corpora/csv-spectrum/json';

let engines: JsonEngines;
beforeAll(async () => {
	engines = await loadJsonEngines();
});

/**
 * Every build, whole and with the splitter given a few bytes per call, against the reference: the
 * same result or error, the same progress reports (the engine reads the reference's chunks).
 */
async function expectAllSame(
	prepared: Prepared,
	label: string,
	slices: number[] = [1, 3, 7],
	extra: { maxRows?: number } = {}
) {
	const runs: ScanEngine[] = [
		engines.simd,
		engines.scalar,
		...slices.map((size, i) => engines.sliced(size, i % 2 === 0 ? 'simd' : 'scalar'))
	];
	const outcomes = [];
	for (const engine of runs) {
		const actual = await expectSameAsReference(engine, prepared, `${label} ${engine.name}`, {
			...extra,
			sameProgress: true
		});
		if ('result' in actual) expect(actual.result.engine).toBe(engine.name);
		outcomes.push(actual);
	}
	return outcomes[0];
}

describe('the JSON fixtures: same ScanResult as the reference', () => {
	const files = [
		...readdirSync(fixtures)
			.filter((name) => /\.(json|ndjson)(\.gz)?$/.test(name))
			.map((name) => join(fixtures, name)),
		...readdirSync(spectrumJson)
			.filter((name) => name.endsWith('.json'))
			.map((name) => join(spectrumJson, name))
	];

	it('has the fixtures', () => {
		expect(files.length).toBeGreaterThanOrEqual(13);
	});

	it.each(files)('%s', async (file) => {
		const prepared = await prepareFile(readFileSync(file));
		expect(prepared.layout.format).not.toBe('csv');
		const actual = await expectAllSame(prepared, file);
		if (!('result' in actual)) throw new Error(`${file} did not scan`);
		expect(actual.result.rows).toBeGreaterThan(0);
	});
});

describe('generated exports, split anywhere', () => {
	const table: { shape: JsonShape; pretty: boolean; newline: string; seed: number }[] = [
		{ shape: 'ndjson', pretty: false, newline: '\n', seed: 1 },
		{ shape: 'ndjson', pretty: false, newline: '\r\n', seed: 2 },
		{ shape: 'array', pretty: true, newline: 'mixed', seed: 3 },
		{ shape: 'array', pretty: false, newline: '\n', seed: 4 },
		{ shape: 'root', pretty: true, newline: '\r\n', seed: 5 },
		{ shape: 'root', pretty: false, newline: '\r', seed: 6 }
	];

	it.each(table)('$shape, pretty $pretty, newline $newline', async (config) => {
		const text = generateJson(random(config.seed), { rows: 150, ...config });
		const prepared = await prepareFile(utf8(text));
		expect(prepared.layout.format).toBe(config.shape === 'ndjson' ? 'ndjson' : 'json');
		expect(prepared.layout.jsonRoot).toBe(config.shape === 'root' ? 'users' : null);
		const actual = await expectAllSame(prepared, config.shape, [1, 7, 64]);
		if (!('result' in actual)) throw new Error('the export did not scan');
		// The generator must give the comparison something to compare.
		const { rows, issueCounts, duplicateOf, extraKeys } = actual.result;
		expect(rows).toBe(150);
		expect(extraKeys.length).toBeGreaterThan(0);
		expect(duplicateOf.size).toBeGreaterThan(0);
		expect(issueCounts.invalid_email).toBeGreaterThan(0);
		for (const maxRows of [0, 1, 61, 150])
			await expectSameAsReference(engines.sliced(5), prepared, `maxRows ${maxRows}`, {
				maxRows,
				sameProgress: true
			});
	});

	it('files larger than a chunk, with records across the 1 MiB boundaries', async () => {
		for (const shape of ['ndjson', 'array'] as const) {
			const text = generateJson(random(9), { rows: 4000, shape });
			const prepared = await prepareFile(utf8(text));
			expect(prepared.bytes.length).toBeGreaterThan(1 << 20);
			const engine = engines.sliced(65536);
			for (const maxRows of [3, 2999, 4001]) {
				const actual = await expectSameAsReference(engine, prepared, `${shape} ${maxRows}`, {
					maxRows,
					sameProgress: true
				});
				if ('result' in actual) expect(actual.result.rows).toBe(Math.min(maxRows, 4000));
			}
			const whole = await expectSameAsReference(engines.scalar, prepared, shape, {
				sameProgress: true
			});
			if (!('result' in whole)) throw new Error(`${shape} did not scan`);
			// A record runs across the end of the first chunk.
			const boundary = prepared.layout.dataStart + (1 << 20);
			const { rowStarts, rowEnds } = whole.result;
			expect(rowStarts.some((start, row) => start < boundary && rowEnds[row] > boundary)).toBe(
				true
			);
		}
	});

	it('a record longer than two chunks, between short ones', async () => {
		const long = `{"user_id":"2","notes":"${'é\\"'.repeat(700_000)}","email":"b@example.com"}`;
		const input = utf8(`${RECORD(1)}\n${long}\n${RECORD(3)}\n`);
		expect(input.length).toBeGreaterThan(2 * (1 << 20));
		const prepared = prepareBytes(input, NDJSON);
		const actual = await expectSameAsReference(engines.sliced(100_000), prepared, 'long', {
			sameProgress: true
		});
		expect(actual).toMatchObject({ result: { rows: 3 } });
		if ('result' in actual)
			expect(actual.result.rowEnds[1] - actual.result.rowStarts[1]).toBe(utf8(long).length);
		await expectSameAsReference(engines.scalar, prepared, 'long scalar', { sameProgress: true });
	});
});

describe('control characters and locales in JSON values', () => {
	it('are flagged alike by every engine, escaped or written raw', async () => {
		const values = [
			'\\u0000',
			'\\u001b[2J',
			'\\u007f',
			'\\u0085',
			'\u0085',
			'\u009b',
			'\\t',
			'\u00a0'
		];
		const locales = ['en', 'en-US', 'zh-Hant-TW', 'English', '<script>', 'en\\u0000'];
		const records = [
			...values.map(
				(value, i) => `{"user_id":"c${i}","email":"c${i}@example.com","name":"a${value}b"}`
			),
			...locales.map(
				(locale, i) => `{"user_id":"l${i}","email":"l${i}@example.com","locale":"${locale}"}`
			)
		];
		const text = records.join('\n') + '\n';
		const prepared = prepareBytes(utf8(text), text);
		expect(prepared.request.mapping).toContain('locale');
		const actual = await expectAllSame(prepared, 'hostile', [1, 5]);
		if (!('result' in actual)) throw new Error('the records did not scan');
		// Six names (all but tab and the no-break space) and the locale en\u0000; <script> and en\u0000.
		expect(actual.result.issueCounts).toMatchObject({ invalid_characters: 7, invalid_locale: 2 });
	});
});

/** Text, then raw bytes, then text: a working copy that may be invalid UTF-8. */
function bytesOf(...parts: (string | number[])[]): Uint8Array {
	return new Uint8Array(
		parts.flatMap((part) => (typeof part === 'string' ? [...utf8(part)] : part))
	);
}

const RECORD = (n: number) => `{"user_id":"${n}","email":"u${n}@example.com","name":"N\\"${n}"}`;
const NDJSON = Array.from({ length: 5 }, (_, i) => RECORD(i + 1) + '\n').join('');
const ARRAY_HEAD = `[${RECORD(1)},\n`;
const ROOT_HEAD = `{"users": [${RECORD(1)},\n`;
const deep = (levels: number) => `{"a":${'['.repeat(levels)}${']'.repeat(levels)}}`;

describe('malformed inputs: the same error as the reference', () => {
	const cases: {
		name: string;
		/** The head the layout is read from (valid), and the whole working copy. */
		head: string;
		input: Uint8Array;
		expected: { code: string; line?: number; offset?: number } | null;
	}[] = [
		{
			name: 'NDJSON: unterminated string at the end',
			head: NDJSON,
			input: bytesOf(NDJSON, '{"user_id":"6","email":"open}\n'),
			expected: { code: 'invalid_json', line: 7 }
		},
		{
			name: 'NDJSON: a record cut by the end of the file',
			head: NDJSON,
			input: bytesOf(NDJSON, '{"user_id":"6","app":{"x":['),
			expected: { code: 'invalid_json', line: 6 }
		},
		{
			name: 'NDJSON: a stray closing bracket inside a record',
			head: NDJSON,
			input: bytesOf(NDJSON, '{"user_id":"6"]}\n', NDJSON),
			expected: { code: 'invalid_json', line: 6, offset: NDJSON.length + 14 }
		},
		{
			name: 'NDJSON: a stray closing brace between records',
			head: NDJSON,
			input: bytesOf(NDJSON, '}\n', NDJSON),
			expected: { code: 'invalid_json', line: 6, offset: NDJSON.length }
		},
		{
			name: 'NDJSON: a record that is not valid JSON inside',
			head: NDJSON,
			input: bytesOf(NDJSON, '{"user_id":"6",\n "email":}\n', NDJSON),
			expected: { code: 'invalid_json', line: 7 }
		},
		{
			name: 'NDJSON: a trailing comma inside a record',
			head: NDJSON,
			input: bytesOf(NDJSON, '{"user_id":"6",}\n'),
			expected: { code: 'invalid_json', line: 6 }
		},
		{
			name: 'NDJSON: a bad escape',
			head: NDJSON,
			input: bytesOf(NDJSON, '{"user_id":"\\x6"}\n'),
			expected: { code: 'invalid_json', line: 6 }
		},
		{
			name: 'NDJSON: invalid UTF-8 in a string',
			head: NDJSON,
			input: bytesOf(NDJSON, '{"user_id":"6","name":"Ren', [0xe9], '"}\n', NDJSON),
			expected: { code: 'invalid_utf8', offset: NDJSON.length + 26 }
		},
		{
			name: 'NDJSON: a parse error before invalid UTF-8 in the same chunk',
			head: NDJSON,
			input: bytesOf(NDJSON, '{"user_id":6.}\n{"name":"', [0xff], '"}\n'),
			expected: { code: 'invalid_json', line: 6 }
		},
		{
			name: 'NDJSON: invalid UTF-8 between records',
			head: NDJSON,
			input: bytesOf(NDJSON, [0xc3, 0xa9], '\n', NDJSON),
			expected: { code: 'invalid_json', line: 6, offset: NDJSON.length }
		},
		{
			name: 'NDJSON: a structural error after a parse error in the same chunk',
			head: NDJSON,
			input: bytesOf(NDJSON, '{"user_id":}\n', NDJSON, ']'),
			expected: { code: 'invalid_json', line: 12 }
		},
		{
			name: `NDJSON: nested ${MAX_JSON_DEPTH} deep`,
			head: NDJSON,
			input: bytesOf(NDJSON, deep(MAX_JSON_DEPTH - 1), '\n'),
			expected: null
		},
		{
			name: `NDJSON: nested deeper than ${MAX_JSON_DEPTH}`,
			head: NDJSON,
			input: bytesOf(NDJSON, deep(MAX_JSON_DEPTH), '\n'),
			expected: { code: 'invalid_json', line: 6, offset: NDJSON.length + 5 + MAX_JSON_DEPTH - 1 }
		},
		{
			name: 'array: trailing comma',
			head: ARRAY_HEAD,
			input: bytesOf(ARRAY_HEAD, RECORD(2), ',\n]'),
			expected: { code: 'invalid_json', line: 3 }
		},
		{
			name: 'array: missing comma',
			head: ARRAY_HEAD,
			input: bytesOf(ARRAY_HEAD, RECORD(2), '\n', RECORD(3), ']'),
			expected: { code: 'invalid_json', line: 3 }
		},
		{
			name: 'array: never closed',
			head: ARRAY_HEAD,
			input: bytesOf(ARRAY_HEAD, RECORD(2), '\n'),
			expected: { code: 'invalid_json', line: 3 }
		},
		{
			name: 'array: data after the end',
			head: ARRAY_HEAD,
			input: bytesOf(ARRAY_HEAD, RECORD(2), ']\n{}'),
			expected: { code: 'invalid_json', line: 3 }
		},
		{
			name: 'array: a string element',
			head: ARRAY_HEAD,
			input: bytesOf(ARRAY_HEAD, '"x"]'),
			expected: { code: 'invalid_json', line: 2 }
		},
		{
			name: 'array: truncated in an escape',
			head: ARRAY_HEAD,
			input: bytesOf(ARRAY_HEAD, '{"name":"x\\'),
			expected: { code: 'invalid_json', line: 2 }
		},
		{
			name: 'root: anything after the array is not read',
			head: ROOT_HEAD,
			input: bytesOf(ROOT_HEAD, RECORD(2), '], "next": {"bad": [', [0xff]),
			expected: null
		},
		{
			name: 'root: never closed',
			head: ROOT_HEAD,
			input: bytesOf(ROOT_HEAD, RECORD(2)),
			expected: { code: 'invalid_json', line: 2 }
		},
		{
			name: 'root: a number in the array',
			head: ROOT_HEAD,
			input: bytesOf(ROOT_HEAD, '12]}'),
			expected: { code: 'invalid_json', line: 2 }
		}
	];

	it.each(cases)('$name', async ({ head, input, expected }) => {
		const prepared = prepareBytes(input, head);
		const reference = await outcome(referenceEngine, prepared.request);
		if (expected === null) expect(reference).toHaveProperty('result');
		else
			expect(reference).toMatchObject({
				error: {
					code: expected.code,
					details: {
						...(expected.line === undefined ? {} : { line: expected.line }),
						...(expected.offset === undefined ? {} : { offset: expected.offset })
					}
				}
			});
		await expectAllSame(prepared, 'malformed', [1, 2, 3, 5, 64]);
	});

	it('an error in a later chunk than the last row taken is never read', async () => {
		const big = Array.from({ length: 20000 }, (_, i) => RECORD(i + 1) + '\n').join('');
		const input = bytesOf(big, '{"user_id":"x",}\n');
		expect(input.length).toBeGreaterThan(1 << 20);
		const prepared = prepareBytes(input, NDJSON);
		const limited = await expectSameAsReference(engines.simd, prepared, 'maxRows 5', {
			maxRows: 5,
			sameProgress: true
		});
		expect(limited).toMatchObject({ result: { rows: 5 } });
		const whole = await expectSameAsReference(engines.sliced(4096), prepared, 'whole', {
			sameProgress: true
		});
		expect(whole).toMatchObject({ error: { code: 'invalid_json' } });
	});

	it('an error in the same chunk as the last row taken fails, as on the reference path', async () => {
		const prepared = prepareBytes(bytesOf(NDJSON, '{"user_id":}\n', NDJSON), NDJSON);
		for (const maxRows of [0, 2, 5, 6]) {
			const actual = await expectSameAsReference(engines.sliced(3), prepared, `${maxRows}`, {
				maxRows,
				sameProgress: true
			});
			expect(actual).toMatchObject({ error: { code: 'invalid_json' } });
		}
	});
});

describe('abort', () => {
	it('an aborted signal stops the scan with FerryError aborted', async () => {
		const prepared = prepareBytes(utf8(NDJSON), NDJSON);
		for (const engine of [referenceEngine, engines.simd]) {
			const scan = engine.scan({ ...prepared.request, signal: { aborted: true } });
			await expect(scan).rejects.toMatchObject({ name: 'FerryError', code: 'aborted' });
		}
	});

	it('aborting during the scan stops it where the reference stops', async () => {
		const text = generateJson(random(31), { rows: 9000, shape: 'ndjson' });
		const prepared = await prepareFile(utf8(text));
		expect(prepared.bytes.length).toBeGreaterThan(2 << 20);
		const reports: number[] = [];
		for (const engine of [referenceEngine, engines.sliced(1000)]) {
			const signal = { aborted: false };
			let count = 0;
			const scan = engine.scan({
				...prepared.request,
				signal,
				onProgress: () => {
					count++;
					signal.aborted = true;
				}
			});
			await expect(scan).rejects.toMatchObject({ code: 'aborted' });
			reports.push(count);
		}
		expect(reports).toEqual([1, 1]);
	});

	it('a signal aborted while a chunk is read stops the scan before its rows are taken', async () => {
		const prepared = prepareBytes(utf8(NDJSON), NDJSON);
		for (const engine of [referenceEngine, engines.simd]) {
			const signal = { aborted: false };
			const { source } = prepared.request;
			const reports: unknown[] = [];
			const scan = engine.scan({
				...prepared.request,
				signal,
				source: {
					size: source.size,
					read: (start, end) => {
						signal.aborted = true;
						return source.read(start, end);
					}
				},
				onProgress: (report) => reports.push(report)
			});
			await expect(scan, engine.name).rejects.toMatchObject({ code: 'aborted' });
			expect(reports, engine.name).toEqual([]);
		}
	});
});

describe('one splitter, several scans at once', () => {
	it('interleaved scans keep their own state', async () => {
		const files = await Promise.all(
			(['ndjson', 'array', 'root'] as const).map((shape, i) =>
				prepareFile(utf8(generateJson(random(40 + i), { rows: 60, shape, pretty: true })))
			)
		);
		const engine = engines.sliced(16);
		const [references, actuals] = await Promise.all([
			Promise.all(files.map((prepared) => outcome(referenceEngine, prepared.request))),
			Promise.all(files.map((prepared) => outcome(engine, prepared.request)))
		]);
		files.forEach((prepared, i) =>
			expectSameOutcome(references[i], actuals[i], prepared, `file ${i}`, true)
		);
	});
});
