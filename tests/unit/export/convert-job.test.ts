import { describe, expect, it } from 'vitest';
import { TARGETS } from '../../../src/lib/core/convert';
import type { CanonicalRecord } from '../../../src/lib/core/validate/normalize';
import {
	choiceProblem,
	convertMessage,
	convertOptions,
	preflightOf,
	ROWS_LISTED,
	writeConversion,
	zipName,
	type ConvertProgress
} from '../../../src/lib/pipeline/convert-job';
import type { ValidRow } from '../../../src/lib/pipeline/session';

const MD5 = { algorithm: 'md5', hash: '5f4dcc3b5aa765d61d8327deb882cf99', encoding: 'hex' };

/** Source rows 2, 4, 6, …: every third user has no address, every fifth an md5 hash. */
function rowsOf(count: number): ValidRow[] {
	return Array.from({ length: count }, (_, i) => {
		const record: CanonicalRecord = { user_id: `u${i}`, given_name: `Given ${i}` };
		if (i % 3 !== 0) record.email = `user${i}@example.org`;
		if (i % 5 === 1) record.password = MD5;
		return { row: (i + 1) * 2, record };
	});
}

async function* asyncOf<T>(items: T[]): AsyncIterable<T> {
	yield* items;
}

describe('preflightOf', () => {
	it('counts what Hanko cannot take and lists the source rows of the users left out', async () => {
		const { records, items } = await preflightOf(TARGETS.hanko, asyncOf(rowsOf(40)), {});
		expect(records).toBe(40);
		const leftOut = items.find((item) => item.outcome === 'left_out')!;
		expect(leftOut.subject).toBe('no_primary_email');
		expect(leftOut.count).toBe(14);
		// The first ROWS_LISTED source rows (not indices): users 0, 3, 6, … are rows 2, 8, 14, ….
		expect(leftOut.rows).toEqual(Array.from({ length: ROWS_LISTED }, (_, n) => (n * 3 + 1) * 2));
		expect(items.find((item) => item.outcome === 'reset')?.message).toMatch(
			/md5 password hashes → those users reset their password/
		);
		expect(items.find((item) => item.subject === 'given_name')?.outcome).toBe('dropped');
		expect(items.find((item) => item.outcome === 'rewritten')?.count).toBe(26);
	});

	it('counts the sample only', async () => {
		const { records, items } = await preflightOf(TARGETS.hanko, asyncOf(rowsOf(40)), {
			sample: 4
		});
		expect(records).toBe(4);
		expect(items.find((item) => item.outcome === 'left_out')?.rows).toEqual([2, 8]);
	});
});

describe('writeConversion', () => {
	it('writes every piece into its file, closes each once, and reports progress up to the total', async () => {
		const written = new Map<string, number>();
		const closed: string[] = [];
		const reports: ConvertProgress[] = [];
		const outcome = await writeConversion(
			TARGETS.hanko,
			asyncOf(rowsOf(40)),
			{},
			{
				write: (name, chunk) => void written.set(name, (written.get(name) ?? 0) + chunk.length),
				close: (name) => void closed.push(name)
			},
			{ total: 40, report: (progress) => reports.push(progress) }
		);
		expect(closed.sort()).toEqual(['id-map.csv', 'users.json']);
		expect(outcome.rows).toBe(26);
		expect(outcome.skipped).toEqual({ no_primary_email: 14 });
		for (const file of outcome.files) expect(written.get(file.name)).toBe(file.bytes);
		expect(reports.at(-1)).toEqual({ done: 40, total: 40 });
	});

	it('stops at an aborted signal', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(
			writeConversion(
				TARGETS.csv,
				asyncOf(rowsOf(3)),
				{},
				{ write: () => {}, close: () => {} },
				{ total: 3, report: () => {}, signal: controller.signal }
			)
		).rejects.toThrow();
	});
});

describe('convertOptions', () => {
	it('passes no field list for the target default set, so the pre-flight still lists what is dropped', () => {
		expect(
			convertOptions(TARGETS.hanko, { fields: [...TARGETS.hanko.holds], rename: {}, sample: null })
		).toEqual({});
	});

	it('passes chosen fields, renames where the target allows them, and the sample', () => {
		expect(
			convertOptions(TARGETS.csv, {
				fields: ['email', 'user_id'],
				rename: { email: ' mail ', user_id: 'user_id', given_name: 'first' },
				sample: 10
			})
		).toEqual({ fields: ['email', 'user_id'], rename: { email: 'mail' }, sample: 10 });
		expect(
			convertOptions(TARGETS.auth0, { fields: ['email'], rename: { email: 'mail' }, sample: null })
		).toEqual({ fields: ['email'] });
	});
});

describe('choiceProblem', () => {
	it('needs a field, a whole sample above zero and distinct output names', () => {
		expect(choiceProblem({ fields: [], rename: {}, sample: null })).toMatch(/at least one/);
		expect(choiceProblem({ fields: ['email'], rename: {}, sample: 0 })).toMatch(/whole number/);
		expect(choiceProblem({ fields: ['email'], rename: {}, sample: 1.5 })).toMatch(/whole number/);
		expect(
			choiceProblem({ fields: ['email', 'username'], rename: { username: 'email' }, sample: null })
		).toMatch(/“email”/);
		expect(choiceProblem({ fields: ['email'], rename: {}, sample: 10 })).toBeNull();
	});
});

it('names the ZIP after the source and the target, and says what was written', () => {
	expect(zipName('exports/users.ndjson', 'hanko')).toBe('users-hanko.zip');
	expect(zipName('.env', 'csv')).toBe('users-csv.zip');
	expect(
		convertMessage('users.ndjson', 'Hanko', {
			files: [
				{ name: 'users.json', rows: 26, bytes: 1 },
				{ name: 'id-map.csv', rows: 26, bytes: 1 }
			],
			rows: 26,
			skipped: { no_primary_email: 14 }
		})
	).toEqual({
		title: 'Ferry: users.ndjson converted for Hanko',
		body: '26 users in 2 files, 14 left out'
	});
});
