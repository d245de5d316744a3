import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { neutraliseFormula, reportCsv, restoreFormula } from '../../../src/lib/core/report/csv';
import { invalidRow, refusedRow, type FailureRow } from '../../../src/lib/core/report/rows';

describe('neutraliseFormula', () => {
	const cases = [
		// At the start of the cell.
		{ input: '=1+1', expected: "'=1+1" },
		{ input: '=HYPERLINK("http://x","y")', expected: '\'=HYPERLINK("http://x","y")' },
		{ input: '+1', expected: "'+1" },
		{ input: '-cmd', expected: "'-cmd" },
		{ input: '-5', expected: "'-5" },
		{ input: '@SUM(A1:A2)', expected: "'@SUM(A1:A2)" },
		{ input: '\t=1', expected: "'\t=1" },
		{ input: '\r=1', expected: "'\r'=1" },
		{ input: '\n=1', expected: "'\n'=1" },
		{ input: '=', expected: "'=" },
		// After each embedded line break (CRLF is one break).
		{ input: 'a\n=1', expected: "a\n'=1" },
		{ input: 'a\r\n+1', expected: "a\r\n'+1" },
		{ input: 'a\r-1', expected: "a\r'-1" },
		{ input: 'a\n@x', expected: "a\n'@x" },
		{ input: 'a\n\tx', expected: "a\n'\tx" },
		{ input: 'a\r\tx', expected: "a\r'\tx" },
		{ input: 'a\n=1\n+2\r\n-3', expected: "a\n'=1\n'+2\r\n'-3" },
		{ input: '=a\n=b', expected: "'=a\n'=b" },
		{ input: 'a\n\n=b', expected: "a\n\n'=b" },
		{ input: 'a\r\n\r\n@b', expected: "a\r\n\r\n'@b" },
		// Harmless cells stay as they are.
		{ input: '', expected: '' },
		{ input: 'alice@example.com', expected: 'alice@example.com' },
		{ input: 'a=b', expected: 'a=b' },
		{ input: '1-2', expected: '1-2' },
		{ input: '5', expected: '5' },
		{ input: ' =1', expected: ' =1' },
		{ input: "'x", expected: "'x" },
		{ input: "a'=1", expected: "a'=1" },
		// Quotes already before a trigger get one more, so that reading back can take one off.
		{ input: "'=1", expected: "''=1" },
		{ input: "''+1", expected: "'''+1" },
		{ input: "a\n'=1", expected: "a\n''=1" },
		{ input: 'line 1\nline 2', expected: 'line 1\nline 2' },
		{ input: 'a\r\n', expected: 'a\r\n' },
		{ input: 'a\n', expected: 'a\n' },
		// Unicode: only the ASCII triggers count; text around them is kept exactly.
		{ input: 'Zoë Ångström', expected: 'Zoë Ångström' },
		{ input: '日本語\n=東京', expected: "日本語\n'=東京" },
		{ input: '=😀', expected: "'=😀" },
		{ input: '＝1', expected: '＝1' },
		{ input: '−5', expected: '−5' }
	];
	it.each(cases)('$input', ({ input, expected }) => {
		expect(neutraliseFormula(input)).toBe(expected);
	});

	it.each(cases)('restoreFormula takes it back: $input', ({ input, expected }) => {
		expect(restoreFormula(expected)).toBe(input);
	});
});

describe('restoreFormula', () => {
	it('leaves cells the protection did not write as they are', () => {
		for (const cell of ["'x", "'", "''", "a'=1", "' =1", "it's", "a\n'x", '+1'])
			expect(restoreFormula(cell)).toBe(cell);
	});

	it('inverts neutraliseFormula on random strings of the characters that matter', () => {
		const alphabet = ["'", '=', '+', '-', '@', '\t', '\r', '\n', 'a', ' '];
		let seed = 7;
		const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
		for (let i = 0; i < 5000; i++) {
			const length = next() % 8;
			const cell = Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
			expect(restoreFormula(neutraliseFormula(cell)), JSON.stringify(cell)).toBe(cell);
		}
	});
});

const row = (overrides: Partial<FailureRow>): FailureRow => ({
	row: 1,
	line: 2,
	status: 'invalid_row',
	codes: [],
	messages: [],
	values: {},
	...overrides
});

describe('reportCsv', () => {
	const cases = [
		{
			name: 'header only when nothing failed',
			input: { columns: ['email', 'name'], rows: [] },
			expected: 'row,line,status,reasons,messages,email,name\r\n'
		},
		{
			name: 'reasons and messages joined by "; ", values in column order',
			input: {
				columns: ['email', 'name'],
				rows: [
					row({
						row: 3,
						line: 4,
						codes: ['invalid_email', 'missing_required'],
						messages: ['Not an email address.', 'name is required.'],
						values: { name: '', email: 'bob@' }
					})
				]
			},
			expected:
				'row,line,status,reasons,messages,email,name\r\n' +
				'3,4,invalid_row,invalid_email; missing_required,Not an email address.; name is required.,bob@,\r\n'
		},
		{
			name: 'server status, missing values empty, quoting of commas and quotes',
			input: {
				columns: ['email', 'name'],
				rows: [
					row({
						row: 7,
						line: 9,
						status: 'name_mismatch',
						messages: ['Name differs: "Bob, Jr."'],
						values: { email: 'b@x.io' }
					})
				]
			},
			expected:
				'row,line,status,reasons,messages,email,name\r\n' +
				'7,9,name_mismatch,,"Name differs: ""Bob, Jr.""",b@x.io,\r\n'
		},
		{
			name: 'formulas neutralised in values, messages and header cells',
			input: {
				columns: ['=cmd', 'phone'],
				rows: [row({ messages: ['=bad'], values: { '=cmd': '@x', phone: '+15550100' } })]
			},
			expected:
				"row,line,status,reasons,messages,'=cmd,phone\r\n" +
				"1,2,invalid_row,,'=bad,'@x,'+15550100\r\n"
		},
		{
			name: 'integer-like column names keep the given column order',
			input: { columns: ['2', '1'], rows: [row({ values: { '1': 'one', '2': 'two' } })] },
			expected: 'row,line,status,reasons,messages,2,1\r\n1,2,invalid_row,,,two,one\r\n'
		}
	];
	it.each(cases)('$name', ({ input, expected }) => {
		expect(reportCsv(input.columns, input.rows)).toBe(expected);
	});

	it('column names that are Object.prototype keys are ordinary columns', () => {
		const columns = ['__proto__', 'constructor', 'toString'];
		const failure = invalidRow(1, 2, columns, ['p', 'c'], []);
		expect(reportCsv(columns, [failure])).toBe(
			'row,line,status,reasons,messages,__proto__,constructor,toString\r\n' +
				'1,2,invalid_row,,,p,c,\r\n'
		);
		expect(reportCsv(['constructor'], [row({ values: {} })])).toBe(
			'row,line,status,reasons,messages,constructor\r\n1,2,invalid_row,,,\r\n'
		);
	});

	it('parses back to the neutralised values (round trip)', () => {
		const columns = ['email', 'note', '=x'];
		const rows = [
			row({
				row: 1,
				line: 2,
				codes: ['invalid_email'],
				messages: ['bad, really "bad"'],
				values: { email: "=cmd|'/c calc'!A0", note: 'first\n=second\r\n+third', '=x': '-5' }
			}),
			row({
				row: 2,
				line: 5,
				status: 'not_found',
				values: { email: 'ok@example.com', note: '\tindented\n\nblank above', '=x': 'Zoë\r\n@日本' }
			})
		];
		const parsed = Papa.parse<string[]>(reportCsv(columns, rows), {
			newline: '\r\n',
			skipEmptyLines: true
		});
		expect(parsed.errors).toEqual([]);
		expect(parsed.data).toEqual([
			['row', 'line', 'status', 'reasons', 'messages', 'email', 'note', "'=x"],
			[
				'1',
				'2',
				'invalid_row',
				'invalid_email',
				'bad, really "bad"',
				"'=cmd|'/c calc'!A0",
				"first\n'=second\r\n'+third",
				"'-5"
			],
			[
				'2',
				'5',
				'not_found',
				'',
				'',
				'ok@example.com',
				"'\tindented\n\nblank above",
				"Zoë\r\n'@日本"
			]
		]);
	});
});

describe('failure rows', () => {
	it('an invalid row keeps every message and each code once', () => {
		const issues = [
			{ code: 'invalid_date', message: 'registration_date is not a date.' },
			{ code: 'invalid_date', message: 'last_login_date is not a date.' },
			{ code: 'invalid_email', message: 'Not an email address.' }
		];
		expect(invalidRow(4, 6, ['a', 'b', 'c'], ['1', '2'], issues)).toEqual({
			row: 4,
			line: 6,
			status: 'invalid_row',
			codes: ['invalid_date', 'invalid_email'],
			messages: issues.map((issue) => issue.message),
			values: { a: '1', b: '2', c: '' }
		});
	});

	it('a refused row carries the server status and its reason', () => {
		expect(refusedRow(2, 2, ['email'], ['x@y.io'], 'already_exists', 'exists')).toEqual({
			row: 2,
			line: 2,
			status: 'already_exists',
			codes: [],
			messages: ['exists'],
			values: { email: 'x@y.io' }
		});
		expect(refusedRow(2, 2, ['email'], ['x@y.io'], 'not_found').messages).toEqual([]);
	});
});
