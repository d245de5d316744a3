import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_RETENTION_MS } from '../../../server/sql';
import {
	TEST_BACKEND,
	executeOnDatabase,
	queryDatabase as query,
	seedDatabase
} from '../../support/databases';
import { AUTH, createSource, makeApp, putChunk, tempDatabase } from './helpers';

async function seededDb(count: number): Promise<string> {
	const database = await tempDatabase();
	await seedDatabase(database, count);
	return database;
}

const ACCOUNTS_WITH_CONNECTIONS = `
	SELECT a.email, c.user_id, c.source_id FROM accounts a
	LEFT JOIN connections c ON c.account_id = a.id ORDER BY a.email`;

async function rollback(app: FastifyInstance, id: string) {
	return app.inject({ method: 'DELETE', url: `/api/v1/sources/${id}`, headers: AUTH });
}

describe('rollback', () => {
	it('removes exactly the accounts a create source made, and keeps its updates with a note', async () => {
		const database = await seededDb(2);
		const app = await makeApp({ database: database });
		const before = await query(database, ACCOUNTS_WITH_CONNECTIONS);

		const other = await createSource(app, { mode: 'create' });
		await putChunk(app, other, 0, [{ row: 1, user_id: 'keep', email: 'keep@example.org' }]);
		const afterOther = await query(database, ACCOUNTS_WITH_CONNECTIONS);

		const id = await createSource(app, { mode: 'create', upsert: true });
		await putChunk(app, id, 0, [
			{ row: 1, user_id: 'n1', email: 'n1@example.org' },
			{ row: 2, user_id: 'n2', email: 'n2@example.org' },
			{ row: 3, user_id: 'keep', email: 'keep@example.org', locale: 'nl' },
			{ row: 4, user_id: 'bad', email: 'bad' }
		]);
		// A later source updating an account this one created does not save that account.
		const updater = await createSource(app, { mode: 'create', upsert: true });
		const update = await putChunk(app, updater, 0, [
			{ row: 1, user_id: 'n1', email: 'n1@example.org', name: 'N' }
		]);
		expect(update.json().results).toEqual([{ row: 1, status: 'updated' }]);

		const response = await rollback(app, id);
		expect(response.statusCode).toBe(200);
		expect(response.json()).toMatchObject({
			id,
			status: 'rolled_back',
			rollback: {
				removedAccounts: 2,
				removedLinks: 0,
				keptUpdates: 1
			}
		});
		expect(await query(database, ACCOUNTS_WITH_CONNECTIONS)).toEqual(afterOther);
		expect(
			await query(database, "SELECT locale FROM accounts WHERE email = 'keep@example.org'")
		).toEqual([{ locale: 'nl' }]);
		expect(
			await query(
				database,
				'SELECT count(*) AS n FROM account_updates WHERE kept_after_rollback_at IS NOT NULL'
			)
		).toEqual([{ n: 1 }]);
		expect(before).toHaveLength(2);

		const again = await rollback(app, id);
		expect(again.body).toBe(response.body);
		const late = await putChunk(app, id, 1, [{ row: 5, user_id: 'n5', email: 'n5@example.org' }]);
		expect(late.statusCode).toBe(409);
		const complete = await app.inject({
			method: 'POST',
			url: `/api/v1/sources/${id}/complete`,
			headers: AUTH
		});
		expect(complete.statusCode).toBe(409);
	});

	it('removes the links a link source made and nothing else', async () => {
		const database = await seededDb(3);
		const app = await makeApp({ database: database });
		const earlier = await createSource(app, { mode: 'link' });
		await putChunk(app, earlier, 0, [{ row: 1, user_id: 'e3', email: 'user3@example.com' }]);
		const before = await query(database, ACCOUNTS_WITH_CONNECTIONS);

		const id = await createSource(app, { mode: 'link' });
		await putChunk(app, id, 0, [
			{ row: 1, user_id: 'l1', email: 'user1@example.com' },
			{ row: 2, user_id: 'l2', email: 'user2@example.com' },
			{ row: 3, user_id: 'l3', email: 'user3@example.com' }
		]);
		const response = await rollback(app, id);
		expect(response.json().rollback).toEqual({
			removedAccounts: 0,
			removedLinks: 2,
			keptUpdates: 0
		});
		expect(await query(database, ACCOUNTS_WITH_CONNECTIONS)).toEqual(before);
	});

	it('answers 404 for an unknown source', async () => {
		const app = await makeApp();
		expect((await rollback(app, 'nope')).statusCode).toBe(404);
	});
});

/** A trigger that fails the insert of boom@example.org, in each backend's dialect. */
const SABOTAGE = {
	sqlite: {
		install: [
			`CREATE TRIGGER fail_on_boom BEFORE INSERT ON accounts
			 WHEN NEW.email = 'boom@example.org' BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`
		],
		remove: ['DROP TRIGGER fail_on_boom']
	},
	postgres: {
		install: [
			`CREATE FUNCTION fail_on_boom() RETURNS trigger LANGUAGE plpgsql AS $$
			 BEGIN
				IF NEW.email = 'boom@example.org' THEN RAISE EXCEPTION 'simulated failure'; END IF;
				RETURN NEW;
			 END $$`,
			`CREATE TRIGGER fail_on_boom BEFORE INSERT ON accounts
			 FOR EACH ROW EXECUTE FUNCTION fail_on_boom()`
		],
		remove: ['DROP TRIGGER fail_on_boom ON accounts', 'DROP FUNCTION fail_on_boom']
	}
}[TEST_BACKEND];

describe('crash safety', () => {
	it('leaves nothing of a chunk whose transaction fails midway, and the retry applies it', async () => {
		const database = await tempDatabase();
		const app = await makeApp({ database: database });
		const id = await createSource(app, { mode: 'create' });
		// A constraint that fails on the third row, after two accounts were written in the transaction.
		await executeOnDatabase(database, SABOTAGE.install);
		const rows = [
			{ row: 1, user_id: 'a', email: 'a@example.org' },
			{ row: 2, user_id: 'b', email: 'b@example.org' },
			{ row: 3, user_id: 'boom', email: 'boom@example.org' },
			{ row: 4, user_id: 'd', email: 'd@example.org' }
		];
		const failed = await putChunk(app, id, 0, rows);
		expect(failed.statusCode).toBe(500);
		expect(failed.json().code).toBe('internal_error');
		for (const table of [
			'accounts',
			'connections',
			'chunks',
			'row_results',
			'source_fields',
			'idempotency_records'
		]) {
			expect(await query(database, `SELECT count(*) AS n FROM ${table}`), table).toEqual([
				{ n: 0 }
			]);
		}

		await executeOnDatabase(database, SABOTAGE.remove);
		const retried = await putChunk(app, id, 0, rows);
		expect(retried.statusCode).toBe(200);
		expect(retried.json().results.map((r: { status: string }) => r.status)).toEqual([
			'imported',
			'imported',
			'imported',
			'imported'
		]);
	});
});

describe('persistence', () => {
	it('keeps sources, results and idempotency records across a restart', async () => {
		const database = await tempDatabase();
		const first = await makeApp({ database: database });
		const id = await createSource(first, { mode: 'create' });
		const rows = [{ row: 1, user_id: 'a', email: 'a@example.org' }];
		const applied = await putChunk(first, id, 0, rows);
		const view = (
			await first.inject({ method: 'GET', url: `/api/v1/sources/${id}`, headers: AUTH })
		).body;
		await first.close();

		const second = await makeApp({ database: database });
		expect(
			(await second.inject({ method: 'GET', url: `/api/v1/sources/${id}`, headers: AUTH })).body
		).toBe(view);
		const replay = await putChunk(second, id, 0, rows);
		expect(replay.body).toBe(applied.body);
		expect(replay.headers['idempotent-replayed']).toBe('true');
		expect(await query(database, 'SELECT count(*) AS n FROM accounts')).toEqual([{ n: 1 }]);
		if (TEST_BACKEND === 'sqlite') {
			expect(await query(database, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
		}
	});
});

describe('idempotency record purge', () => {
	const rows = [{ row: 1, user_id: 'a', email: 'a@example.org' }];
	const start = Date.UTC(2030, 0, 1);

	const cases = [
		{ input: { ageMs: IDEMPOTENCY_RETENTION_MS - 60_000 }, expected: { kept: true } },
		{ input: { ageMs: IDEMPOTENCY_RETENTION_MS + 60_000 }, expected: { kept: false } }
	];
	it.each(cases)(
		'on start, a record $input.ageMs ms old → $expected',
		async ({ input, expected }) => {
			const database = await tempDatabase();
			const first = await makeApp({ database: database, now: () => start });
			const id = await createSource(first, { mode: 'create' });
			const applied = await putChunk(first, id, 0, rows);
			await first.close();

			const later = await makeApp({ database: database, now: () => start + input.ageMs });
			expect(await query(database, 'SELECT count(*) AS n FROM idempotency_records')).toEqual([
				{ n: expected.kept ? 1 : 0 }
			]);
			const again = await putChunk(later, id, 0, rows);
			if (expected.kept) {
				expect(again.body).toBe(applied.body);
			} else {
				expect(again.statusCode).toBe(409);
				expect(again.json().code).toBe('idempotency_record_expired');
			}
			expect(await query(database, 'SELECT count(*) AS n FROM accounts')).toEqual([{ n: 1 }]);
		}
	);
});
