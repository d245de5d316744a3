import { describe, expect, it } from 'vitest';
import { inspectText } from '../../../src/lib/core/sniff/inspect';
import { ferryError, hooks, readAll, utf8 } from './helpers';

describe('inspectText: CSV layouts', () => {
	const cases = [
		{
			name: 'comma with header',
			input: 'id,email\n1,a@b.de\n',
			expected: {
				format: 'csv',
				delimiter: ',',
				sepLine: false,
				header: true,
				columns: ['id', 'email'],
				keys: ['id', 'email'],
				duplicateHeaders: [],
				dataStart: 9,
				preset: null,
				jsonRoot: null
			}
		},
		{
			name: 'sep= line then semicolons',
			input: 'sep=;\r\nid;email\r\n1;a@b.de\r\n',
			expected: {
				format: 'csv',
				delimiter: ';',
				sepLine: true,
				header: true,
				columns: ['id', 'email'],
				keys: ['id', 'email'],
				duplicateHeaders: [],
				dataStart: 17,
				preset: null,
				jsonRoot: null
			}
		},
		{
			name: 'duplicate headers get numbered',
			input: 'email,Email,email,email (2)\na@b.de,c@d.de,e@f.de,x\n',
			expected: {
				format: 'csv',
				delimiter: ',',
				sepLine: false,
				header: true,
				columns: ['email', 'Email', 'email (2)', 'email (2) (2)'],
				keys: ['email', 'Email', 'email', 'email (2)'],
				duplicateHeaders: ['email'],
				dataStart: 28,
				preset: null,
				jsonRoot: null
			}
		},
		{
			name: '__proto__, constructor and prototype are plain names',
			input: '__proto__,constructor,prototype,toString\n1,2,3,4\n',
			expected: {
				format: 'csv',
				delimiter: ',',
				sepLine: false,
				header: true,
				columns: ['__proto__', 'constructor', 'prototype', 'toString'],
				keys: ['__proto__', 'constructor', 'prototype', 'toString'],
				duplicateHeaders: [],
				dataStart: 41,
				preset: null,
				jsonRoot: null
			}
		},
		{
			name: 'headerless gets Column 1..N from the widest row',
			input: 'u1,anna@example.com,true\nu2,bob@example.com,false,extra\n',
			expected: {
				format: 'csv',
				delimiter: ',',
				sepLine: false,
				header: false,
				columns: ['Column 1', 'Column 2', 'Column 3', 'Column 4'],
				keys: ['Column 1', 'Column 2', 'Column 3', 'Column 4'],
				duplicateHeaders: [],
				dataStart: 0,
				preset: null,
				jsonRoot: null
			}
		},
		{
			name: 'empty header cells are named by position',
			input: ',email,\n1,a@b.de,x\n',
			expected: {
				format: 'csv',
				delimiter: ',',
				sepLine: false,
				header: true,
				columns: ['Column 1', 'email', 'Column 3'],
				keys: ['', 'email', ''],
				duplicateHeaders: [],
				dataStart: 8,
				preset: null,
				jsonRoot: null
			}
		},
		{
			name: 'leading blank lines and a quoted header with a newline',
			input: '\n\n"user\nid";mail\n1;a@b.de\n',
			expected: {
				format: 'csv',
				delimiter: ';',
				sepLine: false,
				header: true,
				columns: ['user\nid', 'mail'],
				keys: ['user\nid', 'mail'],
				duplicateHeaders: [],
				dataStart: 17,
				preset: null,
				jsonRoot: null
			}
		}
	];
	it.each(cases)('$name', ({ input, expected }) => {
		expect(inspectText(input, true, hooks).layout).toEqual(expected);
	});

	it('previews the first 50 data rows with byte offsets and lines, padded to the columns', () => {
		const rows = Array.from({ length: 60 }, (_, i) => `${i},ü${i}`);
		const text = `id,name,extra\n${rows.join('\n')}\n`;
		const { preview } = inspectText(text, true, hooks);
		expect(preview).toHaveLength(50);
		expect(preview[0]).toEqual({
			fields: ['0', 'ü0', ''],
			fieldCount: 2,
			start: 14,
			end: 20,
			line: 2
		});
		const bytes = utf8(text);
		for (const record of preview)
			expect(new TextDecoder().decode(bytes.slice(record.start, record.end))).toBe(
				`${record.fields[0]},${record.fields[1]}\n`
			);
		expect(preview[49].line).toBe(51);
	});

	it('the preview equals what the reader reads', async () => {
		const text = 'sep=,\nid,note\r\n1,"a\r\nb"\r\n\r\n2,c\r\n';
		const { layout, preview } = inspectText(text, true, hooks);
		expect(await readAll(utf8(text), layout)).toEqual(preview);
	});

	it('drops the record an incomplete head cuts, also at a lone CR', () => {
		expect(
			inspectText('id,email\r\n1,a@b.de\r\n2,c@d', false, hooks).preview.map((r) => r.fields)
		).toEqual([['1', 'a@b.de']]);
		expect(
			inspectText('id,email\r\n1,a@b.de\r\n2,c@d.de\r', false, hooks).preview.map((r) => r.fields)
		).toEqual([['1', 'a@b.de']]);
		expect(
			inspectText('id,email\r\n1,a@b.de\r\n2,c@d.de\r', true, hooks).preview.map((r) => r.fields)
		).toEqual([
			['1', 'a@b.de'],
			['2', 'c@d.de']
		]);
	});

	it('a head with no complete data record gives an empty preview and a notice, never an error', () => {
		const head = 'id,note\n1,"' + 'x'.repeat(70_000);
		const { layout, preview, notices } = inspectText(head, false, hooks);
		expect(layout).toMatchObject({ header: true, columns: ['id', 'note'], dataStart: 8 });
		expect(preview).toEqual([]);
		expect(notices).toHaveLength(1);
		const noRecordAtAll = inspectText('"' + 'x'.repeat(70_000), false, hooks);
		expect(noRecordAtAll.preview).toEqual([]);
		expect(noRecordAtAll.notices).toHaveLength(1);
	});

	it('an unterminated quote in a complete file is an error', async () => {
		expect(await ferryError(() => inspectText('id,note\n1,"open\n', true, hooks))).toMatchObject({
			code: 'unterminated_quote',
			details: { line: 2, offset: 10 }
		});
	});

	it.each(['', '  \n\r\n'])('an empty file is refused (%j)', async (text) => {
		expect((await ferryError(() => inspectText(text, true, hooks))).code).toBe('empty_file');
	});

	it('hands columns and sample rows to detectPreset', () => {
		const seen: unknown[] = [];
		const layout = inspectText('uid,email\nx1,a@b.de\n', true, {
			...hooks,
			detectPreset: (input) => {
				seen.push(input);
				return 'firebase';
			}
		}).layout;
		expect(layout.preset).toBe('firebase');
		expect(seen).toEqual([
			{ format: 'csv', keys: ['uid', 'email'], header: true, sample: [['x1', 'a@b.de']] }
		]);
	});

	it('a CSV that starts with a bracket is still CSV', () => {
		expect(inspectText('[id],[email]\n1,a@b.de\n', true, hooks).layout).toMatchObject({
			format: 'csv',
			columns: ['[id]', '[email]']
		});
		expect(inspectText('{id},{email}\n1,a@b.de\n', true, hooks).layout.format).toBe('csv');
	});
});

describe('inspectText: JSON layouts', () => {
	const cases = [
		{
			name: 'top-level array',
			input: '[\n  {"id": 1, "email": "a@b.de"},\n  {"id": 2, "app_metadata": {"plan": "pro"}}\n]',
			expected: {
				format: 'json',
				jsonRoot: null,
				keys: ['id', 'email', 'app_metadata'],
				dataStart: 4
			}
		},
		{
			name: 'Firebase {"users": [...]}',
			input: '{"users": [{"localId": "u1", "email": "a@b.de"}]}',
			expected: { format: 'json', jsonRoot: 'users', keys: ['localId', 'email'], dataStart: 11 }
		},
		{
			name: 'wrapper with other members',
			input: '{"version": 2, "meta": {"n": [1]}, "data": [{"id": "1"}], "total": 1}',
			expected: { format: 'json', jsonRoot: 'data', keys: ['id'], dataStart: 44 }
		},
		{
			name: 'NDJSON with arrays of objects inside records',
			input: '{"user_id": "1", "identities": [{"provider": "auth0"}]}\n{"user_id": "2"}\n',
			expected: {
				format: 'ndjson',
				jsonRoot: null,
				keys: ['user_id', 'identities'],
				dataStart: 0
			}
		},
		{
			name: 'one user object is one record, not a wrapper',
			input: '{"email": "a@b.de", "identities": [{"provider": "google"}]}',
			expected: {
				format: 'ndjson',
				jsonRoot: null,
				keys: ['email', 'identities'],
				dataStart: 0
			}
		},
		{
			name: 'empty array',
			input: '[ ]',
			expected: { format: 'json', jsonRoot: null, keys: [], dataStart: 2 }
		}
	];
	it.each(cases)('$name', ({ input, expected }) => {
		const { layout } = inspectText(input, true, hooks);
		expect(layout).toMatchObject({
			...expected,
			delimiter: null,
			header: true,
			sepLine: false,
			duplicateHeaders: []
		});
		expect(layout.columns).toEqual(layout.keys);
	});

	it('the preset sees raw keys and its transform shapes the columns', () => {
		const text = JSON.stringify([
			{
				id: 'h1',
				emails: [{ address: 'x@y.de', is_primary: true, is_verified: true }, { address: 'z@y.de' }]
			}
		]);
		const { layout, preview } = inspectText(text, true, hooks);
		expect(layout.preset).toBe('hanko');
		expect(layout.keys).toEqual(['id', 'email', 'email_verified']);
		expect(preview.map((r) => r.fields)).toEqual([['h1', 'x@y.de', 'true']]);
	});

	it('an incomplete head drops the cut record; a wrapper is found before its array closes', () => {
		const { layout, preview } = inspectText(
			'{"users": [{"localId": "1"}, {"localId": "2"}, {"loc',
			false,
			hooks
		);
		expect(layout).toMatchObject({ format: 'json', jsonRoot: 'users' });
		expect(preview.map((r) => r.fields)).toEqual([['1'], ['2']]);
	});

	it('reports invalid JSON with its line and column', async () => {
		const error = await ferryError(() =>
			inspectText('[\n  {"id": 1},\n  {"id": 2,, "x": 3}\n]', true, hooks)
		);
		expect(error).toMatchObject({ code: 'invalid_json', details: { line: 3, column: 12 } });
		expect(error.message).toMatch(/line 3, column 12/);
	});
});
