import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCsvRecords } from '../../../src/lib/core/csv/reference';
import { parseRecordRange } from '../../../src/lib/core/read';
import { inspectText } from '../../../src/lib/core/sniff/inspect';
import type { Layout, RecordSpan } from '../../../src/lib/core/types';
import { QUOTE_CASES } from '../../helpers/quote-cases';
import { bytesSource, ferryError, hooks, identity, readAll, utf8 } from './helpers';

const SPECTRUM = '/work/shared/corpora/csv-spectrum';

/**
 * Known defects of the corpus copy, corrected here rather than hidden:
 * - the `*_crlf` files lost their CRs (stored with LF) while their JSON still expects "\r\n" in
 *   values: the CRLF bytes upstream ships are restored by turning every LF into CRLF;
 * - csv-spectrum 2.0.0's location_coordinates.json is a bare object and says 1234567890 where its
 *   CSV says 2095257564 (upstream later made both 02095257564).
 */
const CRLF_RESTORED = (name: string) => name.endsWith('_crlf');
const EXPECTATION_FIXES: Record<string, { row: number; key: string; corpus: string; csv: string }> =
	{
		location_coordinates: {
			row: 0,
			key: 'Contact Phone Number',
			corpus: '1234567890',
			csv: '2095257564'
		}
	};

function spectrumCases() {
	return readdirSync(`${SPECTRUM}/csvs`)
		.filter((file) => file.endsWith('.csv'))
		.map((file) => {
			const name = file.slice(0, -4);
			let csv = readFileSync(`${SPECTRUM}/csvs/${file}`);
			if (CRLF_RESTORED(name))
				csv = Buffer.from(csv.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
			const json = JSON.parse(readFileSync(`${SPECTRUM}/json/${name}.json`, 'utf8'));
			const expected = (Array.isArray(json) ? json : [json]) as Record<string, string>[];
			const fix = EXPECTATION_FIXES[name];
			if (fix) {
				expect(expected[fix.row][fix.key]).toBe(fix.corpus); // remove the fix once the corpus is right
				expected[fix.row] = { ...expected[fix.row], [fix.key]: fix.csv };
			}
			return { name, input: new Uint8Array(csv), expected };
		});
}

function asObjects(layout: Layout, records: RecordSpan[]) {
	return records.map((record) =>
		Object.fromEntries(layout.columns.map((column, i) => [column, record.fields[i]]))
	);
}

function layoutOf(input: Uint8Array): Layout {
	return inspectText(new TextDecoder().decode(input), true, hooks).layout;
}

/** Re-reads every record from its own byte range: offsets and lines must reproduce it exactly. */
function expectOffsetsExact(input: Uint8Array, layout: Layout, records: RecordSpan[]) {
	for (const record of records) {
		const slice = input.slice(record.start, record.end);
		expect(
			parseRecordRange(slice, { offset: record.start, line: record.line }, layout, identity)
		).toEqual([record]);
	}
}

describe('csv-spectrum', () => {
	const cases = spectrumCases();
	it('has the whole corpus', () => {
		expect(cases.map((c) => c.name).sort()).toEqual(
			readdirSync(`${SPECTRUM}/json`)
				.map((f) => f.slice(0, -5))
				.sort()
		);
	});

	describe.each(cases)('$name', ({ input, expected }) => {
		it('through readCsvRecords (header row as keys)', async () => {
			const layout = layoutOf(input);
			expect(layout.header).toBe(true);
			const records = await readAll(input, layout);
			expect(asObjects(layout, records)).toEqual(expected);
			expectOffsetsExact(input, layout, records);
		});

		it('through readCsvRecords in 1..7-byte chunks', async () => {
			const layout = layoutOf(input);
			const whole = await readAll(input, layout);
			for (let chunkSize = 1; chunkSize <= 7; chunkSize++)
				expect(await readAll(input, layout, { chunkSize })).toEqual(whole);
		});

		it('through parseRecordRange over the data range', async () => {
			const layout = layoutOf(input);
			const records = parseRecordRange(
				input.slice(layout.dataStart),
				{ offset: layout.dataStart, line: 2 },
				layout,
				identity
			);
			expect(asObjects(layout, records)).toEqual(expected);
		});
	});
});

/** Header `a,b` then the given data, read from dataStart. */
function headed(data: string, newline = '\n') {
	const text = `a,b${newline}${data}`;
	const input = utf8(text);
	const layout = inspectText(text, true, hooks).layout;
	return { input, layout };
}

const simplified = (records: RecordSpan[]) =>
	records.map(({ fields, line, start, end }) => ({ fields, line, start, end }));

describe('line breaks', () => {
	const cases = [
		{
			name: 'LF',
			input: 'id,v\n1,x\n2,y\n',
			expected: [
				{ fields: ['1', 'x'], line: 2, start: 5, end: 9 },
				{ fields: ['2', 'y'], line: 3, start: 9, end: 13 }
			]
		},
		{
			name: 'CRLF',
			input: 'id,v\r\n1,x\r\n2,y\r\n',
			expected: [
				{ fields: ['1', 'x'], line: 2, start: 6, end: 11 },
				{ fields: ['2', 'y'], line: 3, start: 11, end: 16 }
			]
		},
		{
			name: 'CR',
			input: 'id,v\r1,x\r2,y',
			expected: [
				{ fields: ['1', 'x'], line: 2, start: 5, end: 9 },
				{ fields: ['2', 'y'], line: 3, start: 9, end: 12 }
			]
		},
		{
			name: 'mixed in one file',
			input: 'id,v\r\n1,x\n2,y\r3,z\r\n4,w',
			expected: [
				{ fields: ['1', 'x'], line: 2, start: 6, end: 10 },
				{ fields: ['2', 'y'], line: 3, start: 10, end: 14 },
				{ fields: ['3', 'z'], line: 4, start: 14, end: 19 },
				{ fields: ['4', 'w'], line: 5, start: 19, end: 22 }
			]
		},
		{
			name: 'empty lines are skipped but counted',
			input: 'id,v\n\n1,x\r\n\r\n\r\n2,y\n\n',
			expected: [
				{ fields: ['1', 'x'], line: 3, start: 6, end: 11 },
				{ fields: ['2', 'y'], line: 6, start: 15, end: 19 }
			]
		},
		{
			name: 'embedded newlines of every kind',
			input: 'id,v\n1,"a\nb"\n2,"c\r\nd\re"\r\n3,"""q""\n"\n4,z',
			expected: [
				{ fields: ['1', 'a\nb'], line: 2, start: 5, end: 13 },
				{ fields: ['2', 'c\r\nd\re'], line: 4, start: 13, end: 25 },
				{ fields: ['3', '"q"\n'], line: 7, start: 25, end: 36 },
				{ fields: ['4', 'z'], line: 9, start: 36, end: 39 }
			]
		},
		{
			name: 'quoted delimiters and quotes',
			input: 'id,v\n"1,2","say ""hi"""\n',
			expected: [{ fields: ['1,2', 'say "hi"'], line: 2, start: 5, end: 24 }]
		},
		{
			name: 'a quote inside an unquoted field is data',
			input: 'id,v\n5\'11",x"y\n',
			expected: [{ fields: ['5\'11"', 'x"y'], line: 2, start: 5, end: 15 }]
		},
		{
			name: 'spaces after a closing quote',
			input: 'id,v\n"a"  ,"b" \n',
			expected: [{ fields: ['a', 'b'], line: 2, start: 5, end: 16 }]
		},
		{
			name: 'Unicode spaces after a closing quote (cut by chunks too)',
			input: 'id,v\n"a"\u00a0,"b"\u3000\r\n',
			expected: [{ fields: ['a', 'b'], line: 2, start: 5, end: 19 }]
		},
		{
			name: 'multi-byte text',
			input: 'id,v\nü,€😀\nß,x\n',
			expected: [
				{ fields: ['ü', '€😀'], line: 2, start: 5, end: 16 },
				{ fields: ['ß', 'x'], line: 3, start: 16, end: 21 }
			]
		}
	];

	it.each(cases)('$name', async ({ input, expected }) => {
		const bytes = utf8(input);
		const { layout } = inspectText(input, true, hooks);
		const records = await readAll(bytes, layout);
		expect(simplified(records)).toEqual(expected);
		expectOffsetsExact(bytes, layout, records);
		for (let chunkSize = 1; chunkSize <= 7; chunkSize++)
			expect(await readAll(bytes, layout, { chunkSize })).toEqual(records);
	});
});

describe('alignment to the columns', () => {
	it('pads missing fields and keeps extra ones', async () => {
		const { input, layout } = headed('1\n2,3,4,5\n,\n');
		const records = await readAll(input, layout);
		expect(records.map(({ fields, fieldCount }) => ({ fields, fieldCount }))).toEqual([
			{ fields: ['1', ''], fieldCount: 1 },
			{ fields: ['2', '3', '4', '5'], fieldCount: 4 },
			{ fields: ['', ''], fieldCount: 2 }
		]);
	});
});

describe('multi-byte characters split at every chunk boundary', () => {
	const text = 'name,city\n"Zoë ""Z""",Kraków\nΑθηνά,東京 😀\r\n𝄞x,"a\nü"\n';
	const bytes = utf8(text);
	it.each([1, 2, 3, 4, 5, 6, 7, 11, 64])('chunkSize %i', async (chunkSize) => {
		const { layout } = inspectText(text, true, hooks);
		const records = await readAll(bytes, layout, { chunkSize });
		expect(records.map((r) => r.fields)).toEqual([
			['Zoë "Z"', 'Kraków'],
			['Αθηνά', '東京 😀'],
			['𝄞x', 'a\nü']
		]);
		expect(records.map((r) => r.line)).toEqual([2, 3, 4]);
	});
});

describe("quoting: papaparse's cases and misplaced quotes", () => {
	const layout: Layout = {
		format: 'csv',
		delimiter: ',',
		sepLine: false,
		header: false,
		columns: [],
		keys: [],
		duplicateHeaders: [],
		dataStart: 0,
		preset: null,
		jsonRoot: null
	};

	it.each(QUOTE_CASES)('$description', async ({ input, config, expected }) => {
		const bytes = utf8(input);
		const read = { ...layout, delimiter: config.delimiter };
		for (let chunkSize = 1; chunkSize <= 8; chunkSize++) {
			const label = `chunks of ${chunkSize}`;
			if ('unterminated' in expected) {
				const error = await ferryError(() => readAll(bytes, read, { chunkSize }));
				expect(error, label).toMatchObject({
					code: 'unterminated_quote',
					details: expected.unterminated
				});
				expect(error.message.includes('did not close a field'), label).toBe(expected.misplaced);
				continue;
			}
			const records = await readAll(bytes, read, { chunkSize });
			expect(
				records.map((record) => record.fields),
				label
			).toEqual(expected.data);
			const malformed = records.flatMap((record, at) =>
				record.malformedQuote ? [[at, record.malformedQuote.field, record.malformedQuote.line]] : []
			);
			expect(malformed, label).toEqual(expected.malformed);
			for (const record of records)
				if (record.malformedQuote) expect(bytes[record.malformedQuote.offset], label).toBe(0x22);
		}
	});
});

describe('errors', () => {
	it('an unterminated quote names its line and offset', async () => {
		const input = utf8('a,b\n1,x\n2,"open\n3,y\n4,z\n');
		const { layout } = inspectText('a,b\n1,x\n', false, hooks);
		const error = await ferryError(() => readAll(input, layout, { chunkSize: 3 }));
		expect(error).toEqual({
			code: 'unterminated_quote',
			message: 'A quoted field starting on line 3 is never closed.',
			details: { line: 3, offset: 10 }
		});
	});

	it('invalid UTF-8 names its byte offset, also when split across chunks', async () => {
		const input = new Uint8Array([...utf8('a,b\n1,x\n2,'), 0xe2, 0x82, 0x41, ...utf8('\n')]);
		const layout = inspectText('a,b\n1,x\n', false, hooks).layout;
		for (const chunkSize of [1, 2, 3, 1 << 20]) {
			const error = await ferryError(() => readAll(input, layout, { chunkSize }));
			expect(error).toMatchObject({ code: 'invalid_utf8', details: { offset: 10 } });
		}
	});

	it('a character cut by the end of the file is invalid UTF-8', async () => {
		const input = new Uint8Array([...utf8('a,b\n1,'), 0xf0, 0x9f]);
		const layout = inspectText('a,b\n', false, hooks).layout;
		expect(await ferryError(() => readAll(input, layout))).toMatchObject({
			code: 'invalid_utf8',
			details: { offset: 6 }
		});
	});

	it('stops when aborted', async () => {
		const { input, layout } = headed('1,x\n'.repeat(10));
		const signal = { aborted: false };
		const read = async () => {
			for await (const _batch of readCsvRecords(bytesSource(input), layout, {
				chunkSize: 16,
				signal
			}))
				signal.aborted = true;
		};
		expect((await ferryError(read)).code).toBe('aborted');
	});
});

describe('streaming', () => {
	it('reports progress and yields one batch per chunk with records', async () => {
		const { input, layout } = headed('1,x\n'.repeat(10));
		const progress: number[] = [];
		const batches: number[] = [];
		for await (const batch of readCsvRecords(bytesSource(input), layout, {
			chunkSize: 8,
			onProgress: (bytes) => progress.push(bytes)
		}))
			batches.push(batch.length);
		expect(progress).toEqual([12, 20, 28, 36, 44]);
		expect(batches).toEqual([2, 2, 2, 2, 2]);
	});

	it('reads an 8 MiB single field in 64 KiB chunks', async () => {
		const big = 'x'.repeat(8 << 20);
		const text = `id,note\n1,"${big}"\r\n2,"${big.slice(0, 10)}\n"\n`;
		const input = utf8(text);
		const { layout, preview } = inspectText(text.slice(0, 1 << 16), false, hooks);
		expect(preview).toEqual([]);
		const records = await readAll(input, layout, { chunkSize: 1 << 16 });
		expect(records.map((r) => [r.fields[0], r.fields[1].length, r.line, r.start, r.end])).toEqual([
			['1', 8 << 20, 2, 8, 8 + (8 << 20) + 6],
			['2', 11, 3, 8 + (8 << 20) + 6, input.length]
		]);
		expect(records[0].fields[1] === big).toBe(true);
	});
});
