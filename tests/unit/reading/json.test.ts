import { describe, expect, it } from 'vitest';
import { flattenRecord } from '../../../src/lib/core/json/flatten';
import { parseJson } from '../../../src/lib/core/json/parse';
import { parseRecordRange } from '../../../src/lib/core/read';
import { inspectText } from '../../../src/lib/core/sniff/inspect';
import type { Layout } from '../../../src/lib/core/types';
import { ferryError, hooks, readAll, utf8 } from './helpers';

async function readText(text: string, chunkSize?: number) {
	const { layout, preview } = inspectText(text, true, hooks);
	const extra: string[] = [];
	const records = await readAll(utf8(text), layout, {
		chunkSize,
		onExtraKey: (key) => extra.push(key)
	});
	return { layout, preview, records, extra };
}

describe('readJsonRecords', () => {
	const cases = [
		{
			name: 'array of objects',
			input: '[{"id":1,"email":"a@b.de"},\n {"id":2,"email":null}]',
			expected: {
				keys: ['id', 'email'],
				rows: [
					['1', 'a@b.de'],
					['2', '']
				],
				lines: [1, 2]
			}
		},
		{
			name: '{"users": [...]} ignores members after the array',
			input: '{"users": [\n{"localId":"a"},\n{"localId":"b"}\n], "next": {"bad": ',
			expected: { keys: ['localId'], rows: [['a'], ['b']], lines: [2, 3] }
		},
		{
			name: 'NDJSON with blank lines and CRLF',
			input: '{"id":"1"}\r\n\r\n{"id":"2"}\n\n\n{"id":"3"}',
			expected: { keys: ['id'], rows: [['1'], ['2'], ['3']], lines: [1, 3, 6] }
		},
		{
			name: 'pretty-printed records with strings holding brackets and escapes',
			input: '[\n  {\n    "id": "}]\\"{[",\n    "n": "\\\\"\n  },\n  {"id": "x"}\n]\n',
			expected: {
				keys: ['id', 'n'],
				rows: [
					['}]"{[', '\\'],
					['x', '']
				],
				lines: [2, 6]
			}
		},
		{
			name: 'values: numbers and booleans as JSON text, big ids kept exactly',
			input:
				'[{"n":1.5,"t":true,"f":false,"z":null,"big":12345678901234567890,"e":1e3,"neg":-0.25}]',
			expected: {
				keys: ['n', 't', 'f', 'z', 'big', 'e', 'neg'],
				rows: [['1.5', 'true', 'false', '', '12345678901234567890', '1e3', '-0.25']],
				lines: [1]
			}
		}
	];

	it.each(cases)('$name', async ({ input, expected }) => {
		const { layout, records } = await readText(input);
		expect(layout.keys).toEqual(expected.keys);
		expect(records.map((r) => r.fields)).toEqual(expected.rows);
		expect(records.map((r) => r.line)).toEqual(expected.lines);
		const bytes = utf8(input);
		for (const record of records) {
			expect(bytes[record.start]).toBe(0x7b);
			expect(bytes[record.end - 1]).toBe(0x7d);
			expect(
				parseRecordRange(
					bytes.slice(record.start, record.end),
					{ offset: record.start, line: record.line },
					layout,
					hooks.transformRecord
				)
			).toEqual([record]);
		}
		for (const chunkSize of [1, 2, 3, 5, 7])
			expect((await readText(input, chunkSize)).records).toEqual(records);
	});

	it('parseRecordRange reads a run of records with the separators between them', async () => {
		const input = '[{"id":"1"},\n {"id":"2"} ,\n{"id":"3"}]';
		const { layout, records } = await readText(input);
		const bytes = utf8(input);
		expect(
			parseRecordRange(
				bytes.slice(records[0].start, records[2].end),
				{ offset: records[0].start, line: records[0].line },
				layout,
				hooks.transformRecord
			)
		).toEqual(records);
	});

	it('reports keys that are not columns', async () => {
		const many = Array.from({ length: 55 }, (_, i) => `{"id":"${i}"}`);
		const input = `${many.join('\n')}\n{"id":"late","late_key":{"x":1}}\n`;
		const { records, extra } = await readText(input);
		expect(records).toHaveLength(56);
		expect(records[55].fields).toEqual(['late']);
		expect(extra).toEqual(['late_key.x']);
	});

	it('the preview equals what the reader reads', async () => {
		const { preview, records } = await readText('[{"a":{"b":[1,{"c":"d"}]}},{"a":{"b":[]}}]');
		expect(records).toEqual(preview);
		expect(records.map((r) => r.fields)).toEqual([
			['1', 'd', ''],
			['', '', '']
		]);
	});
});

describe('flattenRecord', () => {
	const cases = [
		{
			name: 'nested objects',
			input: { a: { b: { c: 'x' } }, d: 'y' },
			expected: [
				['a.b.c', 'x'],
				['d', 'y']
			]
		},
		{
			name: 'arrays of strings join',
			input: { roles: ['admin', 'dev'], none: [] },
			expected: [
				['roles', 'admin, dev'],
				['none', '']
			]
		},
		{
			name: 'top-level arrays of objects or mixed items are one cell of JSON text',
			input: { emails: [{ address: 'a@b.de' }, { address: 'c@d.de' }], n: [1, 'x'] },
			expected: [
				['emails', '[{"address":"a@b.de"},{"address":"c@d.de"}]'],
				['n', '[1,"x"]']
			]
		},
		{
			name: 'an empty address list keeps the same single column',
			input: { emails: [] },
			expected: [['emails', '']]
		},
		{
			name: 'objects under a structured field name are one cell of JSON text',
			input: {
				custom_password_hash: { algorithm: 'md5', hash: { value: 'ab', encoding: 'hex' } },
				App_Metadata: { roles: ['admin'] },
				customAttributes: '{"admin":true}',
				profile: { plan: 'pro' }
			},
			expected: [
				['custom_password_hash', '{"algorithm":"md5","hash":{"value":"ab","encoding":"hex"}}'],
				['App_Metadata', '{"roles":["admin"]}'],
				['customAttributes', '{"admin":true}'],
				['profile.plan', 'pro']
			]
		},
		{
			name: 'below the top level, arrays of other items go by index',
			input: { profile: { scores: [1, { best: 2 }], app_metadata: { plan: 'pro' } } },
			expected: [
				['profile.scores.0', '1'],
				['profile.scores.1.best', '2'],
				['profile.app_metadata.plan', 'pro']
			]
		},
		{ name: 'empty objects yield nothing', input: { meta: {}, id: 1 }, expected: [['id', '1']] },
		{
			name: 'null and booleans',
			input: { a: null, b: true },
			expected: [
				['a', ''],
				['b', 'true']
			]
		}
	];
	it.each(cases)('$name', ({ input, expected }) => {
		expect([...flattenRecord(input)]).toEqual(expected);
	});
});

describe('prototype pollution', () => {
	it('keys __proto__, constructor and prototype stay plain data', async () => {
		const input =
			'[{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":"p","id":"1"}]\n';
		const { layout, records } = await readText(input);
		expect(layout.keys).toEqual([
			'__proto__.polluted',
			'constructor.prototype.polluted',
			'prototype',
			'id'
		]);
		expect(records[0].fields).toEqual(['yes', 'yes', 'p', '1']);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(Object.prototype).not.toHaveProperty('polluted');
		const parsed = parseJson('{"__proto__": {"x": 1}}') as Record<string, unknown>;
		expect(Object.keys(parsed)).toEqual(['__proto__']);
		expect(Object.getPrototypeOf(parsed)).toBeNull();
	});

	it('a structured value holding __proto__ is JSON text, not an object', async () => {
		const { layout, records } = await readText(
			'[{"id":"1","app_metadata":{"__proto__":{"isAdmin":true}},"identities":[{"__proto__":{}}]}]\n'
		);
		expect(layout.keys).toEqual(['id', 'app_metadata', 'identities']);
		expect(records[0].fields).toEqual([
			'1',
			'{"__proto__":{"isAdmin":true}}',
			'[{"__proto__":{}}]'
		]);
		expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
	});

	it('NDJSON __proto__ keys do not reach Object.prototype either', async () => {
		const { records } = await readText(
			'{"__proto__":{"isAdmin":true}}\n{"a":{"__proto__":{"isAdmin":true}}}\n'
		);
		expect(records.map((r) => r.fields)).toEqual([
			['true', ''],
			['', 'true']
		]);
		expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
	});
});

describe('invalid JSON', () => {
	const layoutOf = (
		text: string,
		format: Layout['format'],
		jsonRoot: string | null = null
	): Layout => ({
		format,
		delimiter: null,
		sepLine: false,
		header: true,
		columns: ['id'],
		keys: ['id'],
		duplicateHeaders: [],
		dataStart: text.indexOf('{'),
		preset: null,
		jsonRoot
	});
	const cases = [
		{
			name: 'bad token inside a record',
			input: '[\n{"id": 1},\n{"id": tru}\n]',
			format: 'json' as const,
			expected: { line: 3, column: 8 }
		},
		{
			name: 'mismatched bracket',
			input: '[{"id": [1, 2}]',
			format: 'json' as const,
			expected: { line: 1, column: 14 }
		},
		{
			name: 'non-object record',
			input: '[{"id": 1}, 2]',
			format: 'json' as const,
			expected: { line: 1, column: 13 }
		},
		{
			name: 'missing comma between records',
			input: '[{"id": 1}\n {"id": 2}]',
			format: 'json' as const,
			expected: { line: 2, column: 2 }
		},
		{
			name: 'trailing comma',
			input: '[{"id": 1},\n]',
			format: 'json' as const,
			expected: { line: 2, column: 1 }
		},
		{
			name: 'array never closed',
			input: '[{"id": 1},\n{"id": 2}',
			format: 'json' as const,
			expected: { line: 2, column: 10 }
		},
		{
			name: 'record never closed',
			input: '{"id": 1}\n{"id": "2',
			format: 'ndjson' as const,
			expected: { line: 2, column: 10 }
		},
		{
			name: 'garbage after the array',
			input: '[{"id": 1}] x',
			format: 'json' as const,
			expected: { line: 1, column: 13 }
		},
		{
			name: 'NDJSON line that is not an object',
			input: '{"id": 1}\n"text"\n',
			format: 'ndjson' as const,
			expected: { line: 2, column: 1 }
		},
		{
			name: 'raw control character in a string',
			input: '{"id": "a\tb"}',
			format: 'ndjson' as const,
			expected: { line: 1, column: 10 }
		},
		{
			name: 'multi-byte text before the error counts as characters',
			input: '{"name": "Zoë 😀", "x": }',
			format: 'ndjson' as const,
			expected: { line: 1, column: 24 }
		}
	];
	it.each(cases)('$name', async ({ input, format, expected }) => {
		for (const chunkSize of [1, 4, 1 << 20]) {
			const error = await ferryError(() =>
				readAll(utf8(input), layoutOf(input, format), { chunkSize })
			);
			expect(error.code).toBe('invalid_json');
			expect(error.details).toMatchObject(expected);
			expect(error.message).toContain(`line ${expected.line}, column ${expected.column}`);
		}
	});

	it('refuses nesting deeper than the limit instead of overflowing the stack', async () => {
		const deep = '[{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}]';
		expect((await ferryError(() => readText(deep))).code).toBe('invalid_json');
		expect(() => parseJson('['.repeat(100_000))).toThrow();
	});

	it('invalid UTF-8 inside a record names its offset', async () => {
		const bytes = new Uint8Array([...utf8('[{"id": "a'), 0xff, ...utf8('"}]')]);
		const layout = layoutOf('[{', 'json');
		expect(await ferryError(() => readAll(bytes, layout))).toMatchObject({
			code: 'invalid_utf8',
			details: { offset: 10 }
		});
	});
});
