// Cognito writes a comma inside a value as `\,`, unquoted: its preset rejoins what RFC 4180 splits
// there, wherever Ferry reads a Cognito CSV (detection, preview, scan, paged rows).
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CsvRecordParser } from '../../../src/lib/core/csv/parser';
import { restoreRecords } from '../../../src/lib/core/csv/reference';
import { COGNITO_HEADER } from '../../../src/lib/core/convert/cognito';
import { cognitoCsv } from '../../../src/lib/core/formats/platforms/cognito';
import { detectPreset } from '../../../src/lib/core/formats/presets';
import { parseRecordRange } from '../../../src/lib/core/read';
import { inspectText } from '../../../src/lib/core/sniff/inspect';
import type { Layout } from '../../../src/lib/core/types';
import { HOOKS, loadEngines, prepareFile, utf8, type Engines } from '../engine/helpers';

/** A Cognito layout of three columns, so each case's row stays short. */
const LAYOUT: Layout = {
	format: 'csv',
	delimiter: ',',
	sepLine: false,
	header: true,
	columns: ['a', 'b', 'c'],
	keys: ['a', 'b', 'c'],
	duplicateHeaders: [],
	dataStart: 0,
	preset: 'cognito-csv',
	jsonRoot: null
};

function restored(line: string) {
	const parser = new CsvRecordParser({ delimiter: ',', columns: 3, offset: 0, line: 1 });
	const [record] = restoreRecords(LAYOUT, [...parser.push(utf8(line)), ...parser.finish()]);
	return { fields: record.fields, fieldCount: record.fieldCount };
}

describe('restoreRecords on a Cognito layout', () => {
	const table = [
		{
			name: 'one \\, in a value',
			input: 'x,Mayor 1\\, Madrid,z',
			expected: { fields: ['x', 'Mayor 1, Madrid', 'z'], fieldCount: 3 }
		},
		{
			name: 'several \\, in one value',
			input: 'x,a\\, b\\, c,z',
			expected: { fields: ['x', 'a, b, c', 'z'], fieldCount: 3 }
		},
		{
			name: 'a \\, in several values',
			input: 'a\\,1,b\\,2,c\\,3',
			expected: { fields: ['a,1', 'b,2', 'c,3'], fieldCount: 3 }
		},
		{
			name: 'in the first column',
			input: 'Smith\\, Jr.,y,z',
			expected: { fields: ['Smith, Jr.', 'y', 'z'], fieldCount: 3 }
		},
		{
			name: 'in the last column',
			input: 'x,y,Smith\\, Jr.',
			expected: { fields: ['x', 'y', 'Smith, Jr.'], fieldCount: 3 }
		},
		{
			name: 'an empty value before the comma',
			input: 'x,\\,,z',
			expected: { fields: ['x', ',', 'z'], fieldCount: 3 }
		},
		{
			name: 'a literal trailing backslash in a row that fits stays',
			input: 'C:\\dir\\,y,z',
			expected: { fields: ['C:\\dir\\', 'y', 'z'], fieldCount: 3 }
		},
		{
			name: 'a backslash escaped by another does not escape the comma',
			input: 'x\\\\,y,z,w',
			expected: { fields: ['x\\\\', 'y', 'z', 'w'], fieldCount: 4 }
		},
		{
			name: 'still too long after rejoining: ragged, with the rejoined count',
			input: 'a\\,1,y,z,extra',
			expected: { fields: ['a,1', 'y', 'z', 'extra'], fieldCount: 4 }
		},
		{
			name: 'a short row is padded as before',
			input: 'x',
			expected: { fields: ['x', '', ''], fieldCount: 1 }
		}
	];

	it.each(table)('$name', ({ input, expected }) => expect(restored(input)).toEqual(expected));

	it('leaves records of other layouts as read', () => {
		const parser = new CsvRecordParser({ delimiter: ',', columns: 3, offset: 0, line: 1 });
		const [record] = restoreRecords({ ...LAYOUT, preset: null }, parser.push(utf8('a\\,1,y,z\n')));
		expect(record).toMatchObject({ fields: ['a\\', '1', 'y', 'z'], fieldCount: 4 });
	});
});

const EMPTY = COGNITO_HEADER.map(() => '');

/** A Cognito row: the template's columns, the given ones filled (values as written). */
function row(values: Partial<Record<(typeof COGNITO_HEADER)[number], string>>): string {
	return COGNITO_HEADER.map((column, i) => values[column] ?? EMPTY[i]).join(',');
}

const FILE = [
	COGNITO_HEADER.join(','),
	row({ 'cognito:username': 'ana', name: 'Ruiz\\, Ana', email: 'ana@example.org' }),
	row({
		'cognito:username': 'jo',
		name: 'Smith\\, Jr.\\, Jo',
		address: 'Calle Mayor 1\\, Madrid',
		email: 'jo@example.org'
	}),
	row({ 'cognito:username': 'zoe', name: 'Zoe', email: 'zoe@example.org' }),
	`${row({ 'cognito:username': 'max', name: 'Max\\, M', email: 'max@example.org' })},left over`,
	''
].join('\n');

describe('a Cognito CSV with \\, read whole', () => {
	let engines: Engines;
	beforeAll(async () => {
		engines = await loadEngines();
	});

	it('is detected, its columns and preview rejoined, with a notice', () => {
		const { layout, preview, notices } = inspectText(FILE, true, HOOKS);
		expect(layout.preset).toBe('cognito-csv');
		expect(layout.delimiter).toBe(',');
		expect(layout.columns).toEqual([...COGNITO_HEADER]);
		const name = COGNITO_HEADER.indexOf('name');
		const address = COGNITO_HEADER.indexOf('address');
		expect(preview.map((record) => record.fields[name])).toEqual([
			'Ruiz, Ana',
			'Smith, Jr., Jo',
			'Zoe',
			'Max, M'
		]);
		expect(preview[1].fields[address]).toBe('Calle Mayor 1, Madrid');
		expect(preview.map((record) => record.fieldCount)).toEqual([21, 21, 21, 22]);
		expect(notices).toEqual([
			'Amazon Cognito user pool (CSV): 3 rows rejoined (Cognito writes a comma inside a value as \\,).'
		]);
	});

	it('is detected on its sample rejoined', () => {
		const detect = vi.spyOn(cognitoCsv, 'detect');
		const input = {
			format: 'csv' as const,
			keys: ['cognito:username', 'cognito:mfa_enabled', 'email'],
			header: true,
			sample: [['a\\', 'b', 'false', 'a@example.org']]
		};
		expect(detectPreset(input)).toBe('cognito-csv');
		expect(detect.mock.calls[0][0].sample).toEqual([['a,b', 'false', 'a@example.org']]);
		expect(input.sample[0]).toHaveLength(4);
		detect.mockRestore();
	});

	it('is scanned by the reference engine: only the row still too long is ragged', async () => {
		const prepared = await prepareFile(utf8(FILE));
		const result = await engines.simd.scan(prepared.request);
		expect(result.engine).toBe('js');
		expect(result.rows).toBe(4);
		expect(result.issueCounts.ragged_row).toBe(1);
		const { rowStarts, rowEnds, rowLines } = result;
		const rows = [0, 1, 2, 3].map(
			(i) =>
				parseRecordRange(
					prepared.bytes.subarray(rowStarts[i], rowEnds[i]),
					{ offset: rowStarts[i], line: rowLines[i] },
					prepared.layout,
					HOOKS.transformRecord
				)[0]
		);
		expect(rows.map((record) => record.fields[1])).toEqual([
			'Ruiz, Ana',
			'Smith, Jr., Jo',
			'Zoe',
			'Max, M'
		]);
		const codes = rows.map(({ fields, fieldCount }, i) =>
			result.explain(i, fields, fieldCount).map((issue) => issue.code)
		);
		expect(codes.map((list) => list.includes('ragged_row'))).toEqual([false, false, false, true]);
	});

	it('keeps a quote inside a value as data: Cognito never quotes', async () => {
		const text = [
			COGNITO_HEADER.join(','),
			row({ 'cognito:username': 'pat', name: 'Pat O"Brien', email: 'pat@example.org' }),
			''
		].join('\n');
		const cognito = await engines.simd.scan((await prepareFile(utf8(text))).request);
		expect(cognito.issueCounts.malformed_quotes ?? 0).toBe(0);
		// The same quote in a file of no preset is misplaced quoting, as before.
		const plain = await engines.simd.scan(
			(await prepareFile(utf8('user_id,name\npat,Pat O"Brien\n'))).request
		);
		expect(plain.issueCounts.malformed_quotes).toBe(1);
	});
});
