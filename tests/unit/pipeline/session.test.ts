import { describe, expect, it } from 'vitest';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import { ALL_ISSUES_MASK, bitOf } from '../../../src/lib/core/validate/codes';
import { ImportSession } from '../../../src/lib/pipeline/session';

const OPTIONS = { dateOrder: 'dmy' as const, defaultRegion: 'US', now: Date.UTC(2026, 0, 1) };

async function open(bytes: Uint8Array | string) {
	const session = await ImportSession.open(new Blob([bytes as BlobPart]), 'users.csv', {
		profile: REFERENCE_PROFILE
	});
	const mapping = session.preview.proposals.map((proposal) => proposal.field);
	const summary = await session.scan({ mapping, profile: REFERENCE_PROFILE, options: OPTIONS });
	return { session, summary, mapping };
}

describe('ImportSession', () => {
	it('pages rows by their stored byte ranges, across embedded newlines', async () => {
		const rows = Array.from(
			{ length: 500 },
			(_, i) => `${i + 1},user${i + 1}@example.com,"Name\n${i + 1}"`
		);
		const { session, summary } = await open(`user_id,email,name\n${rows.join('\n')}\n`);
		expect(summary.rows).toBe(500);
		const page = await session.rows(250, 3);
		expect(page.map((row) => [row.row, row.line, row.fields[1], row.fields[2]])).toEqual([
			[250, 2 + 250 * 2, 'user251@example.com', 'Name\n251'],
			[251, 2 + 251 * 2, 'user252@example.com', 'Name\n252'],
			[252, 2 + 252 * 2, 'user253@example.com', 'Name\n253']
		]);
		expect(await session.rows(499, 10)).toHaveLength(1);
		expect(await session.rows(500, 10)).toEqual([]);
	});

	it('pages 150,000 rows in one call without overflowing the stack', async () => {
		const rows = Array.from({ length: 150_000 }, (_, i) => `${i + 1},u${i + 1}@example.com`);
		const { session, summary } = await open(`user_id,email\n${rows.join('\n')}\n`);
		expect(summary.rows).toBe(150_000);
		const page = await session.rows(0, 150_000);
		expect(page).toHaveLength(150_000);
		expect(page[149_999].fields).toEqual(['150000', 'u150000@example.com']);
	});

	it('reads a longer head while the header line is longer than 64 KiB', async () => {
		const extra = Array.from({ length: 6000 }, (_, i) => `attribute_${String(i).padStart(4, '0')}`);
		const header = ['user_id', 'email', ...extra].join(',');
		expect(header.length).toBeGreaterThan(64 * 1024);
		const row = (n: number) => [n, `u${n}@example.com`, ...extra.map(() => 'x')].join(',');
		const { session, summary, mapping } = await open(`${header}\n${row(1)}\n${row(2)}\n`);
		const { layout } = session.preview;
		expect(layout.header).toBe(true);
		expect(layout.columns).toHaveLength(6002);
		expect(mapping.slice(0, 2)).toEqual(['user_id', 'email']);
		expect(session.preview.rows).toHaveLength(2);
		expect(summary).toMatchObject({ rows: 2, valid: 2 });
	});

	it('reads a longer head while the first NDJSON record is longer than 64 KiB', async () => {
		const record = (n: number) =>
			JSON.stringify({ user_id: `${n}`, email: `u${n}@example.com`, bio: 'b'.repeat(100_000) });
		const { session, summary, mapping } = await open(`${record(1)}\n${record(2)}\n`);
		const { layout } = session.preview;
		expect(layout.format).toBe('ndjson');
		expect(layout.columns).toEqual(['user_id', 'email', 'bio']);
		expect(mapping.slice(0, 2)).toEqual(['user_id', 'email']);
		expect(summary).toMatchObject({ rows: 2, valid: 2 });
	});

	it('says plainly when the first line or JSON record is longer than 4 MiB', async () => {
		const long = 'x'.repeat(4 * 1024 * 1024 + 10);
		const cases = [
			{ text: `${long},y\n1,2\n`, first: 'line' },
			{ text: `{"user_id":"1","bio":"${long}"}\n{"user_id":"2"}\n`, first: 'record' }
		];
		for (const { text, first } of cases)
			await expect(open(text)).rejects.toMatchObject({
				code: 'record_too_long',
				message: `The first ${first} of this file is longer than 4 MiB, the most Ferry reads to find its columns, so it cannot tell how to read the file.`
			});
	});

	it('keeps a CSV header whose first data row does not fit in 4 MiB', async () => {
		const { session, summary } = await open(
			`user_id,email,bio\n1,a@example.com,${'b'.repeat(5 * 1024 * 1024)}\n`
		);
		expect(session.preview.layout.columns).toEqual(['user_id', 'email', 'bio']);
		expect(session.preview.rows).toEqual([]);
		expect(summary).toMatchObject({ rows: 1, valid: 1 });
	});

	it('filters rows by issue and explains them, duplicates pointing at the first row', async () => {
		const text = 'user_id,email\n1,a@example.com\n2,broken\n3,A@example.com\n4,d@example.com\n';
		const { session, summary } = await open(text);
		expect(summary).toMatchObject({ rows: 4, valid: 2, invalid: 2, duplicateRows: 1 });
		const all = await session.filteredRows(ALL_ISSUES_MASK, 0, 10);
		expect(all.total).toBe(2);
		expect(all.rows.map((row) => [row.row, row.issues])).toEqual([
			[1, ['invalid_email']],
			[2, ['duplicate_email']]
		]);
		expect(all.rows[1].duplicateOf).toBe(0);
		expect(all.rows[1].reasons[0]).toMatchObject({ code: 'duplicate_email', firstRow: 0 });
		const emails = await session.filteredRows(bitOf('invalid_email'), 0, 10);
		expect(emails.rows.map((row) => row.row)).toEqual([1]);
		expect((await session.filteredRows(ALL_ISSUES_MASK, 1, 10)).rows.map((row) => row.row)).toEqual(
			[2]
		);
		expect(await session.explain(1)).toEqual(all.rows[0].reasons);
	});

	it('re-reads the whole file as Windows-1252 when a byte after the sniffed head is not UTF-8', async () => {
		// The head is valid UTF-8 with a multi-byte header cell; row 3000 (past 64 KiB) has a lone 0xE9.
		const head = new TextEncoder().encode('user_id,email,näme\n');
		const rows = Array.from(
			{ length: 3000 },
			(_, i) => `${i + 1},user${i + 1}@example.com,Name ${i + 1}\n`
		).join('');
		const body = new TextEncoder().encode(rows);
		const tail = new Uint8Array([
			...new TextEncoder().encode('3001,last@example.com,Ren'),
			0xe9,
			0x0a
		]);
		const { session, summary } = await open(new Uint8Array([...head, ...body, ...tail]));
		expect(session.info.encoding).toBe('windows-1252');
		expect(summary.notices.join()).toMatch(/Windows-1252/);
		expect(summary.preview?.layout.columns).toEqual(['user_id', 'email', 'nÃ¤me']);
		expect(summary).toMatchObject({ rows: 3001, valid: 3001, invalid: 0 });
		const [first] = await session.rows(0, 1);
		expect(first.fields).toEqual(['1', 'user1@example.com', 'Name 1']);
		const [last] = await session.rows(3000, 1);
		expect(last.fields).toEqual(['3001', 'last@example.com', 'René']);
	});

	it('a chosen encoding is never second-guessed', async () => {
		const bytes = new Uint8Array([
			...new TextEncoder().encode('user_id,email\n1,a@example.com\n2,b'),
			0xe9,
			0x0a
		]);
		const session = await ImportSession.open(new Blob([bytes]), 'x.csv', {
			profile: REFERENCE_PROFILE,
			encoding: 'utf-8'
		});
		const mapping = session.preview.proposals.map((proposal) => proposal.field);
		await expect(
			session.scan({ mapping, profile: REFERENCE_PROFILE, options: OPTIONS })
		).rejects.toMatchObject({
			code: 'invalid_utf8'
		});
	});
});
