import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import type { ScanResult } from '../../../src/lib/core/engine/types';
import { transformRecord } from '../../../src/lib/core/formats/presets';
import { parseRecordRange } from '../../../src/lib/core/read';
import type { Mapping, RecordSpan } from '../../../src/lib/core/types';
import { bitOf } from '../../../src/lib/core/validate/codes';
import { QUOTE_CASES } from '../../helpers/quote-cases';
import {
	EXPORT_HEADER,
	expectSameAsReference,
	expectSameOutcome,
	generateExport,
	loadEngines,
	outcome,
	prepareBytes,
	prepareFile,
	random,
	utf8,
	type Engines,
	type Prepared
} from './helpers';

const spectrum = '/work/shared/corpora/csv-spectrum/csvs';
const fixtures = join(import.meta.dirname, '../../fixtures/e2e');

let engines: Engines;
beforeAll(async () => {
	engines = await loadEngines();
});

describe('the engines', () => {
	it('are named after their build', () => {
		expect([engines.simd.name, engines.scalar.name]).toEqual(['wasm-simd', 'wasm']);
	});
});

describe('csv-spectrum corpus: same ScanResult as the reference', () => {
	const files = readdirSync(spectrum).filter((name) => name.endsWith('.csv'));
	// This copy of the corpus has LF breaks only: each file is also read with CRLF and CR.
	const cases = files.flatMap((name) =>
		(['\n', '\r\n', '\r'] as const).map((newline) => ({ name, newline }))
	);

	it('has the corpus', () => {
		expect(files.length).toBeGreaterThanOrEqual(12);
	});

	it.each(cases)('$name with $newline', async ({ name, newline }) => {
		const text = readFileSync(join(spectrum, name), 'utf8').replaceAll('\n', newline);
		const prepared = await prepareFile(utf8(text));
		for (const engine of [engines.simd, engines.scalar]) {
			const label = `${name} ${JSON.stringify(newline)} ${engine.name}`;
			const actual = await expectSameAsReference(engine, prepared, label, { sameProgress: true });
			if ('result' in actual) expect(actual.result.engine).toBe(engine.name);
		}
		await expectSameAsReference(await engines.sliced(3), prepared, `${name} slice 3`);
	});
});

describe('e2e fixtures (working copies as the session makes them)', () => {
	const files = readdirSync(fixtures).filter((name) => /\.(csv|txt|ndjson\.gz)$/.test(name));

	it('has the fixtures', () => {
		expect(files.length).toBeGreaterThanOrEqual(3);
	});

	it.each(files)('%s', async (name) => {
		const prepared = await prepareFile(readFileSync(join(fixtures, name)));
		const sliced = await engines.sliced(5);
		for (const engine of [engines.simd, engines.scalar, sliced]) {
			const actual = await expectSameAsReference(engine, prepared, `${name} ${engine.name}`, {
				sameProgress: engine !== sliced
			});
			if (!('result' in actual)) throw new Error(`${name} did not scan`);
			expect(actual.result.rows).toBeGreaterThan(0);
			// CSV and JSON alike are read by the WebAssembly modules, and the result says so.
			expect(actual.result.engine).toBe(engine.name);
		}
	});
});

describe('generated user exports, sliced anywhere', () => {
	const cases = [
		{ newline: '\r\n', delimiter: ',', seed: 1 },
		{ newline: '\n', delimiter: ',', seed: 2 },
		{ newline: '\r', delimiter: ';', seed: 3 },
		{ newline: 'mixed', delimiter: '\t', seed: 4 },
		{ newline: 'mixed', delimiter: '|', seed: 5 }
	];

	it.each(cases)('newline $newline, delimiter $delimiter', async (config) => {
		const next = random(config.seed);
		const text = generateExport(next, { rows: 150, ...config });
		const prepared = await prepareFile(utf8(text));
		expect(prepared.layout.columns).toEqual(EXPORT_HEADER);
		const full = await expectSameAsReference(engines.simd, prepared, 'simd', {
			sameProgress: true
		});
		if (!('result' in full)) throw new Error('the export did not scan');
		// The generator must give every rule something to find.
		const { issueCounts, duplicateOf, dateOrders } = full.result;
		for (const code of [
			'missing_required',
			'invalid_email',
			'invalid_date',
			'invalid_boolean',
			'invalid_phone',
			'duplicate_user_id',
			'duplicate_email',
			'ragged_row',
			'value_too_long',
			'future_date'
		] as const)
			expect(issueCounts[code], code).toBeGreaterThan(0);
		expect(duplicateOf.size).toBeGreaterThan(0);
		expect(dateOrders.length).toBeGreaterThan(0);

		await expectSameAsReference(engines.scalar, prepared, 'scalar', { sameProgress: true });
		// Slices of 1, 2 and 3 bytes cut every multi-byte character, CRLF and `""` somewhere.
		for (const sliceSize of [1, 2, 3, 7, 64, 1000]) {
			await expectSameAsReference(await engines.sliced(sliceSize), prepared, `slice ${sliceSize}`);
		}
	});

	it('a file much larger than a slice, with maxRows in each slice', async () => {
		const text = generateExport(random(9), { rows: 3000 });
		const prepared = await prepareFile(utf8(text));
		expect(prepared.bytes.length).toBeGreaterThan(4 * 65536);
		const engine = await engines.sliced(65536);
		for (const maxRows of [0, 1, 700, 2999, 3000, 5000]) {
			const actual = await expectSameAsReference(engine, prepared, `maxRows ${maxRows}`, {
				maxRows
			});
			if ('result' in actual) expect(actual.result.rows).toBe(Math.min(maxRows, 3000));
		}
		await expectSameAsReference(engines.simd, prepared, 'default slice', { sameProgress: true });
	});
});

describe('mappings: only mapped columns are read', () => {
	const text = generateExport(random(11), { rows: 200 });
	const mappings: { name: string; mapping: Mapping }[] = [
		{ name: 'nothing mapped', mapping: EXPORT_HEADER.map(() => null) },
		{
			name: 'only the last column',
			mapping: [null, null, null, null, null, null, null, 'nickname']
		},
		{
			name: 'every column, one field twice',
			mapping: [
				'user_id',
				'email',
				'name',
				'phone_number',
				'registration_date',
				'last_login_date',
				'email_verified',
				'email'
			]
		},
		{
			name: 'columns out of order',
			mapping: [
				'email',
				'user_id',
				null,
				null,
				'last_login_date',
				'registration_date',
				'blocked',
				'name'
			]
		}
	];

	it.each(mappings)('$name', async ({ mapping }) => {
		const prepared = await prepareFile(utf8(text), { mapping });
		await expectSameAsReference(engines.simd, prepared, 'simd', { sameProgress: true });
		await expectSameAsReference(await engines.sliced(2), prepared, 'slice 2');
	});
});

describe('edge cases, whole and sliced', () => {
	const table = [
		{
			name: 'last field of the file quoted, then spaces, no line break',
			input: 'user_id,email\r\n1,"a@example.com"\r\n2,"b@example.com"  '
		},
		{
			name: 'last field of the file quoted, then a no-break space',
			input: 'user_id,email\n1,a@example.com\n2,"b@example.com"\u00a0'
		},
		{
			name: 'ragged rows: extra fields empty, blank, quoted empty, not empty',
			input:
				'user_id,email\n1,a@example.com,\n2,b@example.com, \t\n3,c@example.com,""\n4,d@example.com,"  "\n5,e@example.com,,x\n6,f@example.com,"",""," "\n'
		},
		{
			name: 'short rows and blank lines',
			input: 'user_id,email,name\n1\n\n\n2,b@example.com\n \n3,c@example.com,Cé\n\r\n'
		},
		{ name: 'header only', input: 'user_id,email\r\n' },
		{ name: 'header only, CR at the end', input: 'user_id,email\r' },
		{
			name: 'CR line breaks, CR and CRLF inside quotes',
			input: 'user_id,email,name\r1,a@example.com,"x\ry"\r2,b@example.com,"p\r\nq"\r'
		},
		{
			name: 'BOM, then 4-byte characters before the mapped fields',
			input:
				'\ufeffnotes,user_id,email\n😀😀,1,a@example.com\n"𝄞, ""x""",2,b@example.com\n😀,3,😀@example.com\n'
		},
		{
			name: 'sep= line',
			input: 'sep=;\r\nuser_id;email;name\r\n1;a@example.com;"Doe; Jane"\r\n2;A@EXAMPLE.COM;x\r\n'
		},
		{
			name: 'headerless export',
			input:
				'u1,a@example.com,2024-01-01\nu2,b@example.com,01/13/2024\nu3,c@example.com,13/01/2024\n'
		},
		{
			// Its cells are restored (formula protection taken off) before they are checked.
			name: 'a Ferry failure report read back',
			input:
				"row,line,status,reasons,messages,user_id,email,phone_number\r\n1,2,not_found,,,u1,a@example.com,'+14155550100\r\n2,3,invalid_row,invalid_phone,'=x,u2,b@example.com,''=1\r\n"
		},
		{
			name: 'values as papaparse reads malformed quoting',
			input:
				'user_id,email,name\n1,a"b@example.com,x"y\n2,"c@example.com"z,"q"" r"\n3,"d@x.com" ,e"f\n'
		}
	];

	it.each(table)('$name', async ({ input }) => {
		const prepared = await prepareFile(utf8(input));
		await expectSameAsReference(engines.simd, prepared, 'simd', { sameProgress: true });
		await expectSameAsReference(engines.scalar, prepared, 'scalar', { sameProgress: true });
		for (const sliceSize of [1, 2, 3, 4])
			await expectSameAsReference(await engines.sliced(sliceSize), prepared, `slice ${sliceSize}`);
	});
});

describe('control characters and locales: the same verdicts in every engine', () => {
	const header = 'user_id,email,name,phone,locale,created_at,notes\n';
	const mapping = (): Mapping => [
		'user_id',
		'email',
		'name',
		'phone_number',
		'locale',
		'registration_date',
		null
	];
	const HOSTILE = [
		'plain',
		'nul\x00',
		'\x1b[31mred',
		'del\x7f',
		'next\u0085line',
		'csi\u009b2J',
		'tab\there',
		'\x0btrimmed\x0c',
		'\u00a0nbsp\u00a0',
		'© Zoë'
	];
	const LOCALES = ['en', 'en-US', 'zh-Hant-TW', 'en_GB', 'English', '<script>', 'e', 'en\x00', ''];
	const CONTROL = bitOf('invalid_characters');
	const LOCALE = bitOf('invalid_locale');
	const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;

	function rows(): string {
		const lines: string[] = [];
		let row = 0;
		const line = (cells: string[]) => lines.push(cells.join(',') + (row++ % 3 ? '\n' : '\r\n'));
		for (const value of HOSTILE) {
			line([`u${row}`, `a${row}@example.com`, value, '+1 202 555 0143', 'en', '2024-01-01', value]);
			line([`u${row}`, `a${row}@example.com`, quote(`${value} "q"`), '', 'fr', '', '']);
			line([`u${row}${value}`, `a${row}@example.com`, '', `+1 202 555 0143${value}`, '', '', '']);
			line([
				`u${row}`,
				`${value}@example.com`,
				quote(`line\n${value}`),
				'',
				'',
				`2024-01-01${value}`,
				''
			]);
			line([`u${row}`, `a${row}@example.com`, 'x', '', value, '', '']);
		}
		for (const locale of LOCALES) {
			line([`u${row}`, `a${row}@example.com`, 'x', '', locale, '', '']);
			line([`u${row}`, `a${row}@example.com`, 'x', '', quote(` ${locale} `), '', '']);
			line([`u${row}`, `a${row}@example.com`, 'x', '', quote(`${locale}""`), '', '']);
		}
		return lines.join('');
	}

	it('flags them alike, whole, sliced and in ranges', async () => {
		const prepared = prepareBytes(utf8(header + rows()), header, mapping);
		const reference = await outcome(referenceEngine, prepared.request);
		if (!('result' in reference)) throw new Error(JSON.stringify(reference.error));
		const { issueCounts } = reference.result;
		expect(issueCounts.invalid_characters).toBeGreaterThan(20);
		expect(issueCounts.invalid_locale).toBeGreaterThan(10);
		for (const engine of [engines.simd, engines.scalar, await engines.ranged(7)])
			await expectSameAsReference(engine, prepared, engine.name, { sameProgress: true });
		for (const sliceSize of [1, 2, 3, 64])
			await expectSameAsReference(await engines.sliced(sliceSize), prepared, `slice ${sliceSize}`);
	});

	it('names the character and the tag in the explanation, never the raw control character', async () => {
		const input = `${header}u1,a@example.com,a\x1bb,,English2,,\nu2,b@example.com,ok,,en-US,,\x00\n`;
		const prepared = prepareBytes(utf8(input), header, mapping);
		const reference = await outcome(referenceEngine, prepared.request);
		if (!('result' in reference)) throw new Error(JSON.stringify(reference.error));
		const { rowIssues, explain } = reference.result;
		expect(rowIssues[0] & (CONTROL | LOCALE)).toBe(CONTROL | LOCALE);
		// A control character in an unmapped column is not sent, so not checked.
		expect(rowIssues[1]).toBe(0);
		const [record] = reread(prepared, reference.result, [0]);
		const issues = explain(0, record.fields, record.fieldCount);
		expect(issues.map((issue) => [issue.code, issue.field])).toEqual([
			['invalid_characters', 'name'],
			['invalid_locale', 'locale']
		]);
		expect(issues[0].message).toContain('U+001B');
		expect(issues[0].message).not.toContain('\x1b');
		expect(issues[1].message).toContain('"English2"');
	});
});

/** The records of `rows` re-read from the working copy by their byte ranges, as the session does. */
function reread(prepared: Prepared, result: ScanResult, rows: number[]): RecordSpan[] {
	return rows.map(
		(row) =>
			parseRecordRange(
				prepared.bytes.subarray(result.rowStarts[row], result.rowEnds[row]),
				{ offset: result.rowStarts[row], line: result.rowLines[row] },
				prepared.layout,
				transformRecord
			)[0]
	);
}

describe("quoting: papaparse's cases and misplaced quotes, the same verdicts in every engine", () => {
	const header = 'user_id,email,name,notes\n';
	const MALFORMED = bitOf('malformed_quotes');

	it.each(QUOTE_CASES)('$description', async ({ input, expected }) => {
		// The layout from the header alone: the preview of a complete head would meet the errors first.
		const prepared = prepareBytes(utf8(header + input), header);
		expect(prepared.layout.columns).toEqual(['user_id', 'email', 'name', 'notes']);
		const reference = await outcome(referenceEngine, prepared.request);
		if ('unterminated' in expected) {
			const { line, offset } = expected.unterminated;
			expect(reference).toMatchObject({
				error: {
					code: 'unterminated_quote',
					details: { line: line + 1, offset: offset + header.length }
				}
			});
			const { message } = 'error' in reference ? reference.error : { message: '' };
			expect(message.includes('did not close a field')).toBe(expected.misplaced);
		} else {
			if (!('result' in reference)) throw new Error(JSON.stringify(reference.error));
			const { rowIssues, explain } = reference.result;
			const flagged = [...rowIssues].flatMap((mask, row) => (mask & MALFORMED ? [row] : []));
			expect(flagged).toEqual(expected.malformed.map(([record]) => record));
			const records = reread(prepared, reference.result, flagged);
			for (const [k, [row, field, line]] of expected.malformed.entries()) {
				const { fields, fieldCount, malformedQuote } = records[k];
				expect(malformedQuote).toMatchObject({ field, line: line + 1 });
				const issue = explain(row, fields, fieldCount, malformedQuote).find(
					(reason) => reason.code === 'malformed_quotes'
				);
				expect(issue).toMatchObject({ column: field });
				expect(issue?.message).toContain(`line ${line + 1}:`);
			}
		}
		for (const engine of [engines.simd, engines.scalar, await engines.ranged(5)])
			await expectSameAsReference(engine, prepared, engine.name, { sameProgress: true });
		for (const sliceSize of [1, 2, 3])
			await expectSameAsReference(await engines.sliced(sliceSize), prepared, `slice ${sliceSize}`);
	});
});

describe('one engine, several scans at once', () => {
	it('interleaved scans keep their own state', async () => {
		const files = await Promise.all(
			[21, 22, 23].map((seed) =>
				prepareFile(utf8(generateExport(random(seed), { rows: 60, newline: 'mixed' })))
			)
		);
		const engine = await engines.sliced(16);
		const [references, actuals] = await Promise.all([
			Promise.all(files.map((prepared) => outcome(referenceEngine, prepared.request))),
			Promise.all(files.map((prepared) => outcome(engine, prepared.request)))
		]);
		files.forEach((prepared, i) =>
			expectSameOutcome(references[i], actuals[i], prepared, `file ${i}`)
		);
	});
});
