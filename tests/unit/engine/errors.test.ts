import { beforeAll, describe, expect, it } from 'vitest';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import type { ScanEngine } from '../../../src/lib/core/engine/types';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import { ImportSession } from '../../../src/lib/pipeline/session';
import {
	expectSameAsReference,
	expectSameOutcome,
	loadEngines,
	OPTIONS,
	outcome,
	prepareBytes,
	prepareFile,
	utf8,
	type Engines
} from './helpers';

const HEADER = 'user_id,email,name,notes\r\n';
const ROW = (n: number) => `${n},user${n}@example.com,"Doe, Jane","a note"\r\n`;
const ROWS = Array.from({ length: 6 }, (_, i) => ROW(i + 1)).join('');
/** Rows without quotes, which cannot close a quote left open before them. */
const PLAIN_ROWS = 'a,b,c,d\r\ne,f,g,h\r\n';

let engines: Engines;
let enginesUnderTest: { label: string; engine: ScanEngine }[];
beforeAll(async () => {
	engines = await loadEngines();
	enginesUnderTest = [
		{ label: 'simd', engine: engines.simd },
		{ label: 'scalar', engine: engines.scalar },
		...(await Promise.all(
			[1, 2, 3, 5].map(async (size) => ({
				label: `slice ${size}`,
				engine: await engines.sliced(size)
			}))
		))
	];
});

/** Text, then raw bytes, then text: a working copy that may be invalid UTF-8. */
function bytesOf(...parts: (string | number[])[]): Uint8Array {
	return new Uint8Array(
		parts.flatMap((part) => (typeof part === 'string' ? [...utf8(part)] : part))
	);
}

const cases: {
	name: string;
	input: Uint8Array;
	expected: { code: string; offset?: number; line?: number } | null;
}[] = [
	{
		name: 'lone Latin-1 byte in the first data field',
		input: bytesOf(HEADER, [0xe9], ROWS),
		expected: { code: 'invalid_utf8', offset: HEADER.length }
	},
	{
		name: 'invalid byte in an unmapped column, mid-file',
		input: bytesOf(HEADER, ROWS, '7,u7@example.com,Jo,"note ', [0xff], '"\r\n', ROWS),
		expected: { code: 'invalid_utf8', offset: HEADER.length + ROWS.length + 26 }
	},
	{
		name: 'overlong encoding',
		input: bytesOf(HEADER, ROWS, '7,u7@example.com,', [0xc0, 0xaf], ',x\r\n'),
		expected: { code: 'invalid_utf8', offset: HEADER.length + ROWS.length + 17 }
	},
	{
		name: 'surrogate code point',
		input: bytesOf(HEADER, ROWS, '7,u7@example.com,', [0xed, 0xa0, 0x80], ',x\r\n'),
		expected: { code: 'invalid_utf8', offset: HEADER.length + ROWS.length + 17 }
	},
	{
		name: 'beyond U+10FFFF',
		input: bytesOf(HEADER, '1,a@example.com,', [0xf4, 0x90, 0x80, 0x80], ',x'),
		expected: { code: 'invalid_utf8', offset: HEADER.length + 16 }
	},
	{
		name: 'character cut by a line break',
		input: bytesOf(HEADER, ROWS, '7,u7@example.com,', [0xe2, 0x82], '\r\n8,b@example.com,x,y\r\n'),
		expected: { code: 'invalid_utf8', offset: HEADER.length + ROWS.length + 17 }
	},
	{
		name: 'character cut by the end of the file',
		input: bytesOf(HEADER, ROWS, '7,u7@example.com,Ren', [0xe2, 0x82]),
		expected: { code: 'invalid_utf8', offset: HEADER.length + ROWS.length + 20 }
	},
	{
		name: 'invalid byte inside a quoted field with line breaks',
		input: bytesOf(HEADER, '1,a@example.com,"x\r\ny', [0x80], '\r\nz",n\r\n', ROWS),
		expected: { code: 'invalid_utf8', offset: HEADER.length + 21 }
	},
	{
		name: 'invalid byte in a record before an unterminated quote',
		input: bytesOf(HEADER, '1,', [0xfe], ',x,y\r\n', ROWS, '9,"never closed\r\n', PLAIN_ROWS),
		expected: { code: 'invalid_utf8', offset: HEADER.length + 2 }
	},
	{
		name: 'invalid byte inside an unterminated quote: the quote is the error',
		input: bytesOf(HEADER, ROWS, '9,"never closed ', [0xfe], '\r\n', PLAIN_ROWS),
		expected: { code: 'unterminated_quote', offset: HEADER.length + ROWS.length + 2, line: 8 }
	},
	{
		name: 'unterminated quote on the first data row',
		input: bytesOf(HEADER, '"1,a@example.com\r\n', PLAIN_ROWS),
		expected: { code: 'unterminated_quote', offset: HEADER.length, line: 2 }
	},
	{
		name: 'unterminated quote in the last field, no final line break',
		input: bytesOf(HEADER, ROWS, '7,a@example.com,x,"open'),
		expected: { code: 'unterminated_quote', offset: HEADER.length + ROWS.length + 18, line: 8 }
	},
	{
		name: 'a closing quote, then a character cut by the end of the file',
		input: bytesOf(HEADER, ROWS, '7,a@example.com,x,"closed"', [0xe2, 0x80]),
		expected: { code: 'unterminated_quote', offset: HEADER.length + ROWS.length + 18, line: 8 }
	},
	{
		name: 'a closing quote, then a cut two-byte lead at the end',
		input: bytesOf(HEADER, ROWS, '7,a@example.com,x,"closed" ', [0xc2]),
		expected: { code: 'unterminated_quote', offset: HEADER.length + ROWS.length + 18, line: 8 }
	},
	{
		name: 'a closing quote, then an invalid sequence and a quote at the end',
		input: bytesOf(HEADER, ROWS, '7,a@example.com,x,"closed"', [0xe2], '"'),
		expected: { code: 'invalid_utf8', offset: HEADER.length + ROWS.length + 26 }
	},
	{
		name: 'a closing quote, then a real non-breaking space at the end',
		input: bytesOf(HEADER, ROWS, '7,a@example.com,x,"closed"\u00a0'),
		expected: null
	}
];

describe('errors: the same code, message, line and offset as the reference', () => {
	it.each(cases)('$name', async ({ input, expected }) => {
		const prepared = prepareBytes(input, HEADER + ROW(1));
		const reference = await outcome(referenceEngine, prepared.request);
		if (expected === null) expect(reference).toHaveProperty('result');
		else
			expect(reference).toMatchObject({
				error: {
					code: expected.code,
					details: {
						offset: expected.offset,
						...(expected.line === undefined ? {} : { line: expected.line })
					}
				}
			});
		for (const { label, engine } of enginesUnderTest)
			expectSameOutcome(reference, await outcome(engine, prepared.request), prepared, label);
	});
});

describe('maxRows and errors', () => {
	const rows = Array.from({ length: 400 }, (_, i) => ROW(i + 1)).join('');
	const badTail = bytesOf(HEADER, rows, '401,', [0xe9], ',x,y\r\n');
	const openTail = bytesOf(HEADER, rows, '401,"open\r\n');
	const table = [
		// The reference reads 1 MiB at a time: a bad byte in the same MiB fails even past maxRows.
		{ name: 'bad byte after maxRows, same MiB', input: badTail, maxRows: 10, error: true },
		{
			name: 'bad byte, maxRows covering every good row',
			input: badTail,
			maxRows: 400,
			error: true
		},
		// An open quote only shows at the end, and maxRows may stop before the end.
		{ name: 'open quote after maxRows', input: openTail, maxRows: 10, error: false },
		{ name: 'open quote, maxRows = rows before it', input: openTail, maxRows: 400, error: true },
		{ name: 'open quote, maxRows beyond', input: openTail, maxRows: 401, error: true }
	];

	it.each(table)('$name', async ({ input, maxRows, error }) => {
		const prepared = prepareBytes(input, HEADER + ROW(1));
		const actual = await expectSameAsReference(engines.simd, prepared, 'simd', {
			maxRows,
			sameProgress: true
		});
		expect('error' in actual).toBe(error);
		await expectSameAsReference(engines.scalar, prepared, 'scalar', {
			maxRows,
			sameProgress: true
		});
	});

	it('a bad byte in a later MiB than the last row taken is never read', async () => {
		const big = Array.from({ length: 30000 }, (_, i) => ROW(i + 1)).join('');
		const input = bytesOf(HEADER, big, '0,', [0xe9], '\r\n');
		expect(input.length).toBeGreaterThan(1 << 20);
		const prepared = prepareBytes(input, HEADER + ROW(1));
		const actual = await expectSameAsReference(engines.simd, prepared, 'simd', {
			maxRows: 5,
			sameProgress: true
		});
		expect(actual).toMatchObject({ result: { rows: 5 } });
		await expectSameAsReference(engines.simd, prepared, 'no maxRows');
	});
});

describe('abort', () => {
	it('an aborted signal stops the scan with FerryError aborted', async () => {
		const prepared = prepareBytes(bytesOf(HEADER, ROWS), HEADER + ROW(1));
		for (const engine of [referenceEngine, engines.simd]) {
			const scan = engine.scan({ ...prepared.request, signal: { aborted: true } });
			await expect(scan).rejects.toMatchObject({ name: 'FerryError', code: 'aborted' });
		}
	});

	it('aborting during the scan stops it between ranges', async () => {
		const prepared = prepareBytes(bytesOf(HEADER, ROWS.repeat(20)), HEADER + ROW(1));
		const engine = await engines.ranged(64);
		const signal = { aborted: false };
		let reports = 0;
		const scan = engine.scan({
			...prepared.request,
			signal,
			onProgress: () => {
				reports++;
				signal.aborted = true;
			}
		});
		await expect(scan).rejects.toMatchObject({ code: 'aborted' });
		expect(reports).toBe(1);
	});
});

describe('each layout goes to the path that reads it, and the result names it', () => {
	const table = [
		{
			name: 'NDJSON',
			input: '{"user_id":"1","email":"a@example.com"}\n{"user_id":"2","email":"b"}\n',
			engine: 'wasm-simd'
		},
		{
			name: 'JSON array',
			input: '[{"user_id":"1","email":"a@example.com","x":{"y":1}}]',
			engine: 'wasm-simd'
		},
		{
			name: 'a sep= delimiter beyond ASCII (the reference engine)',
			input: 'sep=§\nuser_id§email\n1§a@example.com\n2§b\n',
			engine: 'js'
		}
	];

	it.each(table)('$name', async ({ input, engine }) => {
		const prepared = await prepareFile(utf8(input));
		const actual = await expectSameAsReference(engines.simd, prepared, 'simd', {
			sameProgress: true
		});
		expect(actual).toMatchObject({ result: { engine } });
	});
});

describe('ImportSession with the wasm engine', () => {
	it('falls back to Windows-1252 on a late non-UTF-8 byte, like with the reference engine', async () => {
		// The head is valid UTF-8; row 3000 (past the 64 KiB head) has a lone 0xE9.
		const rows = Array.from({ length: 3000 }, (_, i) => `${i + 1},u${i + 1}@example.com,N\n`);
		const file = bytesOf(
			'user_id,email,näme\n',
			rows.join(''),
			'3001,last@example.com,Ren',
			[0xe9],
			'\n'
		);
		const summaries = [];
		for (const engine of [referenceEngine, engines.simd]) {
			const session = await ImportSession.open(new Blob([file as BlobPart]), 'users.csv', {
				profile: REFERENCE_PROFILE,
				engine
			});
			const mapping = session.preview.proposals.map((proposal) => proposal.field);
			const summary = await session.scan({ mapping, profile: REFERENCE_PROFILE, options: OPTIONS });
			expect(session.info.encoding).toBe('windows-1252');
			expect((await session.rows(3000, 1))[0].fields).toEqual(['3001', 'last@example.com', 'René']);
			const { engine: name, preview, ...rest } = summary;
			expect(name).toBe(engine.name);
			expect(preview?.layout.columns).toEqual(['user_id', 'email', 'nÃ¤me']);
			summaries.push(rest);
		}
		expect(summaries[1]).toEqual(summaries[0]);
		expect(summaries[0]).toMatchObject({ rows: 3001, valid: 3001 });
	});
});
