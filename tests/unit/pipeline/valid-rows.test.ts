import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import type { Mapping } from '../../../src/lib/core/types';
import { ImportSession, type ValidRow } from '../../../src/lib/pipeline/session';
import { isFerryError } from '../../../src/lib/core/errors';
import { buildChunks } from '../../../src/lib/upload/chunks';
import { WorkerError } from '../../../src/lib/workers/errors';
import { workerOverChannel } from '../../helpers/worker-over-channel';
import type { ParseWorkerApi } from '../../../src/lib/workers/parse.worker';

const OPTIONS = { dateOrder: 'mdy' as const, defaultRegion: 'US', now: Date.UTC(2026, 0, 1) };

/*
 * Row 1 valid; row 2 invalid email; row 3 valid with a warning (registration in the future);
 * row 4 duplicate user_id; row 5 valid; row 6 invalid boolean. "signed_up" has 25/12/2020, so the
 * column is day-first although the admin's default is month-first. "secret" is not mapped.
 */
const CSV = [
	'user_id,email,name,signed_up,verified,phone,secret',
	'u1, Ada@Example.com ,Ada,03/04/2021,Y,(201) 555-0123,s1',
	'u2,broken,Bob,04/04/2021,n,,s2',
	'u3,cy@example.com,Cy,01/01/2027,1,,s3',
	'u1,dup@example.com,Dup,05/04/2021,yes,,s4',
	'u5,eve@example.com,,25/12/2020,No,+44 20 7946 0958,s5',
	'u6,fay@example.com,Fay,06/04/2021,maybe,,s6',
	''
].join('\n');

const MAPPING: Mapping = [
	'user_id',
	'email',
	'name',
	'registration_date',
	'email_verified',
	'phone_number',
	null
];

const EXPECTED: ValidRow[] = [
	{
		row: 1,
		record: {
			user_id: 'u1',
			email: 'Ada@Example.com',
			name: 'Ada',
			registration_date: '2021-04-03',
			email_verified: 'true',
			phone_number: '+12015550123'
		}
	},
	{
		row: 3,
		record: {
			user_id: 'u3',
			email: 'cy@example.com',
			name: 'Cy',
			registration_date: '2027-01-01',
			email_verified: 'true'
		}
	},
	{
		row: 5,
		record: {
			user_id: 'u5',
			email: 'eve@example.com',
			registration_date: '2020-12-25',
			email_verified: 'false',
			phone_number: '+442079460958'
		}
	}
];

async function scanned(text: string, mapping: Mapping = MAPPING) {
	const session = await ImportSession.open(new Blob([text]), 'users.csv', {
		profile: REFERENCE_PROFILE
	});
	const summary = await session.scan({ mapping, profile: REFERENCE_PROFILE, options: OPTIONS });
	return { session, summary };
}

async function allPages(session: ImportSession, count: number) {
	const pages: { rows: number[]; next: number | null }[] = [];
	const rows: ValidRow[] = [];
	let cursor: number | null = 0;
	while (cursor !== null) {
		const page = await session.validRows(cursor, count);
		pages.push({ rows: page.rows.map((row) => row.row), next: page.next });
		rows.push(...page.rows);
		cursor = page.next;
	}
	return { pages, rows };
}

describe('ImportSession.validRows', () => {
	it('gives only the rows without errors, 1-based, mapped fields only, normalised', async () => {
		const { session, summary } = await scanned(CSV);
		expect(summary).toMatchObject({ rows: 6, valid: 3, invalid: 3, warnings: 1 });
		expect(summary.dateOrders).toEqual([{ column: 3, evidence: 'dmy', used: 'dmy' }]);
		const page = await session.validRows(0, 100);
		expect(page).toEqual({ rows: EXPECTED, next: null });
		for (const { record } of page.rows) expect(Object.values(record)).not.toContain('s1');
	});

	it('pages by a cursor over row indices; the pages add up to the whole', async () => {
		const { session } = await scanned(CSV);
		const { pages, rows } = await allPages(session, 2);
		expect(pages).toEqual([
			{ rows: [1, 3], next: 3 },
			{ rows: [5], next: null }
		]);
		expect(rows).toEqual(EXPECTED);
		// A page of one stops right after the row it returns.
		expect((await allPages(session, 1)).pages).toEqual([
			{ rows: [1], next: 1 },
			{ rows: [3], next: 3 },
			{ rows: [5], next: 5 },
			{ rows: [], next: null }
		]);
		expect(await session.validRows(6, 10)).toEqual({ rows: [], next: null });
	});

	it('follows the latest scan: another mapping sends other fields', async () => {
		const { session } = await scanned(CSV);
		const narrower: Mapping = ['user_id', 'email', null, null, null, null, null];
		const summary = await session.scan({
			mapping: narrower,
			profile: REFERENCE_PROFILE,
			options: OPTIONS
		});
		expect(summary.valid).toBe(4);
		const { rows } = await allPages(session, 10);
		expect(rows).toEqual([
			{ row: 1, record: { user_id: 'u1', email: 'Ada@Example.com' } },
			{ row: 3, record: { user_id: 'u3', email: 'cy@example.com' } },
			{ row: 5, record: { user_id: 'u5', email: 'eve@example.com' } },
			{ row: 6, record: { user_id: 'u6', email: 'fay@example.com' } }
		]);
	});

	it('reads 20,000 rows across embedded line breaks in pages, none lost, none twice', async () => {
		const lines = Array.from({ length: 20_000 }, (_, i) =>
			i % 100 === 7
				? `x${i},not-an-email,"Bad\nRow",01/02/2020,y,,s`
				: `x${i},user${i}@example.com,"Name\n${i}",01/02/2020,y,,s`
		);
		const { session, summary } = await scanned(
			`user_id,email,name,signed_up,verified,phone,secret\n${lines.join('\n')}\n`
		);
		expect(summary.valid).toBe(19_800);
		const { rows } = await allPages(session, 1500);
		expect(rows).toHaveLength(19_800);
		expect(new Set(rows.map((row) => row.row)).size).toBe(19_800);
		expect(rows.some((row) => row.row % 100 === 8)).toBe(false);
		expect(rows[0]).toEqual({
			row: 1,
			record: {
				user_id: 'x0',
				email: 'user0@example.com',
				name: 'Name\n0',
				// Ambiguous column, admin's default month-first.
				registration_date: '2020-01-02',
				email_verified: 'true'
			}
		});
		expect(rows.at(-1)?.row).toBe(20_000);
	});

	it('refuses before the first scan', async () => {
		const session = await ImportSession.open(new Blob([CSV]), 'users.csv', {
			profile: REFERENCE_PROFILE
		});
		await expect(session.validRows(0, 10)).rejects.toThrow(/not been scanned/);
	});
});

/*
 * The parse worker itself, its global scope played by one end of a MessageChannel: the same
 * Comlink messages the browser's worker receives, without a browser.
 */
describe('parse.worker across a MessageChannel', () => {
	const remote = workerOverChannel<ParseWorkerApi>(
		() => import('../../../src/lib/workers/parse.worker')
	);

	it('builds the same chunks as buildChunks over the session pages, bodies moved across', async () => {
		await remote().open(
			new File([CSV], 'users.csv', { type: 'text/csv' }),
			undefined,
			REFERENCE_PROFILE
		);
		const summary = await remote().scan(MAPPING, OPTIONS, REFERENCE_PROFILE);
		expect(summary.valid).toBe(3);
		const limits = { rowsPerChunk: 2, bytesPerChunk: 10_000 };
		await remote().startChunks(limits, {}, null);
		const received = [];
		for (let chunk = await remote().nextChunk(); chunk; chunk = await remote().nextChunk())
			received.push(chunk);
		const expected = [];
		for await (const { text, ...chunk } of buildChunks(EXPECTED, limits))
			expected.push({ ...chunk, text });
		expect(received.map(({ seq, rows, key }) => ({ seq, rows, key }))).toEqual(
			expected.map(({ seq, rows, key }) => ({ seq, rows, key }))
		);
		expect(received.map((chunk) => gunzipSync(chunk.body).toString('utf8'))).toEqual(
			expected.map((chunk) => chunk.text)
		);
	});

	it('stops a chunk build when the file is scanned again', async () => {
		await remote().open(
			new File([CSV], 'users.csv', { type: 'text/csv' }),
			undefined,
			REFERENCE_PROFILE
		);
		await remote().scan(MAPPING, OPTIONS, REFERENCE_PROFILE);
		await remote().startChunks({ rowsPerChunk: 1, bytesPerChunk: 10_000 }, {}, null);
		await remote().scan(MAPPING, OPTIONS, REFERENCE_PROFILE);
		const error = await remote()
			.nextChunk()
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(WorkerError);
		expect(error).toMatchObject({ name: 'RowsChangedError', code: 'rows_changed' });
	});

	it('hashes the original file (gzip and Windows-1252 while the working copy is made)', async () => {
		const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
		const plain = new TextEncoder().encode(CSV);
		await remote().open(new File([plain], 'users.csv'), undefined, REFERENCE_PROFILE);
		expect(await remote().fileSha256()).toBe(sha256(plain));
		const latin = new Uint8Array([...plain.subarray(0, 60), 0xe9, ...plain.subarray(60)]);
		await remote().open(new File([latin], 'latin.csv'), 'windows-1252', REFERENCE_PROFILE);
		await remote().scan(MAPPING, OPTIONS, REFERENCE_PROFILE);
		expect(await remote().fileSha256()).toBe(sha256(latin));
	});

	it('sends errors with their name, code and details', async () => {
		const error = await remote()
			.open(new File([], 'empty.csv'), undefined, REFERENCE_PROFILE)
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(WorkerError);
		expect(isFerryError(error)).toBe(true);
		expect(error).toMatchObject({ code: 'empty_file', message: 'The file is empty.' });
	});
});
