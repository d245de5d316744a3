import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { seedAccount } from '../../../server/accounts';
import { queryDatabase, seedDatabase } from '../../support/databases';
import {
	AUTH,
	createSource,
	makeApp,
	putChunk,
	sha256Hex,
	statusesOf,
	tempDatabase
} from './helpers';

/** An app whose database already holds seeded accounts user1..user{count}@example.com. */
async function seededApp(count: number): Promise<{ app: FastifyInstance; database: string }> {
	const database = await tempDatabase();
	await seedDatabase(database, count);
	return { app: await makeApp({ database }), database };
}

/** Everything a source could change in the accounts, to compare before and after a dry run. */
async function accountsState(database: string) {
	return {
		accounts: await queryDatabase(
			database,
			'SELECT id, email, name, given_name, family_name, created_by_source FROM accounts ORDER BY id'
		),
		connections: await queryDatabase(
			database,
			'SELECT account_id, user_id, source_id, kind FROM connections ORDER BY user_id'
		),
		updates: await queryDatabase(database, 'SELECT source_id, account_id FROM account_updates')
	};
}

async function post(app: FastifyInstance, url: string) {
	return app.inject({ method: 'POST', url, headers: AUTH });
}

describe('dry_run sources', () => {
	it('answers every link status a real source would get and changes no account', async () => {
		const { app, database } = await seededApp(5);
		const earlier = await createSource(app, { mode: 'link' });
		await putChunk(app, earlier, 0, [{ row: 1, user_id: 'old-4', email: 'user4@example.com' }]);
		const before = await accountsState(database);

		const rows = [
			{ row: 1, user_id: 'ext-1', email: 'user1@example.com', name: seedAccount(1).name },
			{ row: 2, user_id: 'ext-3', email: 'user3@example.com', name: 'Somebody Else' },
			{ row: 3, user_id: 'ext-4', email: 'user4@example.com' },
			{ row: 4, user_id: 'ext-9', email: 'nobody@example.com' },
			{ row: 5, user_id: 'ext-6', email: 'not an email' },
			// A later row sees an earlier row's would-be effect, as in a real chunk.
			{ row: 6, user_id: 'ext-7', email: 'user1@example.com' }
		];
		const dry = await createSource(app, { mode: 'link', dry_run: true });
		const judged = await putChunk(app, dry, 0, rows);
		expect(judged.statusCode).toBe(200);
		expect(statusesOf(judged)).toEqual({
			1: 'imported',
			2: 'name_mismatch',
			3: 'already_connected',
			4: 'not_found',
			5: 'invalid_row',
			6: 'already_connected'
		});
		expect(await accountsState(database)).toEqual(before);

		// The same rows for real get the very same answers.
		const real = await createSource(app, { mode: 'link' });
		expect((await putChunk(app, real, 0, rows)).json()).toEqual(judged.json());
		expect(await accountsState(database)).not.toEqual(before);
	});

	it('answers create and upsert statuses without creating or updating an account', async () => {
		const { app, database } = await seededApp(2);
		const before = await accountsState(database);
		const rows = [
			{ row: 1, user_id: 'new-1', email: 'new1@example.com', name: 'New One' },
			{ row: 2, user_id: 'u-1', email: 'user1@example.com', name: 'Changed' },
			{ row: 3, user_id: 'new-3', email: 'new1@example.com' }
		];
		const create = await createSource(app, { mode: 'create', dry_run: true });
		expect(statusesOf(await putChunk(app, create, 0, rows))).toEqual({
			1: 'imported',
			2: 'already_exists',
			3: 'already_exists'
		});
		const upsert = await createSource(app, { mode: 'create', upsert: true, dry_run: true });
		expect(statusesOf(await putChunk(app, upsert, 0, rows))).toEqual({
			1: 'imported',
			2: 'updated',
			3: 'already_exists'
		});
		expect(await accountsState(database)).toEqual(before);
	});

	it('keeps idempotency, completes with the counts, and its rollback removes nothing', async () => {
		const { app, database } = await seededApp(3);
		const before = await accountsState(database);
		const dry = await createSource(app, { mode: 'link', dry_run: true, rows: 3 });
		const view = (
			await app.inject({ method: 'GET', url: `/api/v1/sources/${dry}`, headers: AUTH })
		).json();
		expect(view).toMatchObject({ dryRun: true, status: 'open', expectedRows: 3 });

		const chunk = [
			{ row: 1, user_id: 'a', email: 'user1@example.com' },
			{ row: 2, user_id: 'b', email: 'nobody@example.com' }
		];
		const first = await putChunk(app, dry, 0, chunk);
		const replay = await putChunk(app, dry, 0, chunk);
		expect(replay.headers['idempotent-replayed']).toBe('true');
		expect(replay.body).toBe(first.body);
		const conflict = await putChunk(app, dry, 0, [
			{ row: 3, user_id: 'c', email: 'user3@example.com' }
		]);
		expect(conflict.statusCode).toBe(409);
		expect(conflict.json().code).toBe('chunk_conflict');
		const reused = await putChunk(app, dry, 1, chunk, {
			key: sha256Hex(JSON.stringify({ rows: chunk }))
		});
		expect(reused.json().code).toBe('idempotency_key_reused');
		// A row number is judged once per source, across chunks, as it is applied once.
		const again = await putChunk(app, dry, 1, [chunk[0]]);
		expect(statusesOf(again)).toEqual({ 1: 'invalid_row' });

		const completed = (await post(app, `/api/v1/sources/${dry}/complete`)).json();
		expect(completed).toMatchObject({
			status: 'complete',
			dryRun: true,
			rows: 2,
			chunks: 2,
			counts: { imported: 1, not_found: 1, invalid_row: 0 }
		});
		const rolledBack = (
			await app.inject({ method: 'DELETE', url: `/api/v1/sources/${dry}`, headers: AUTH })
		).json();
		expect(rolledBack.rollback).toEqual({ removedAccounts: 0, removedLinks: 0, keptUpdates: 0 });
		expect(await accountsState(database)).toEqual(before);
	});

	it('says dryRun: false for a real source and refuses a dry_run that is not a boolean', async () => {
		const app = await makeApp();
		const id = await createSource(app, { mode: 'link' });
		const view = (
			await app.inject({ method: 'GET', url: `/api/v1/sources/${id}`, headers: AUTH })
		).json();
		expect(view.dryRun).toBe(false);
		const refused = await app.inject({
			method: 'POST',
			url: '/api/v1/sources',
			headers: AUTH,
			payload: {
				name: 'x',
				mode: 'link',
				file: { name: 'x', size: 1, sha256: 'a'.repeat(64) },
				rows: 1,
				dry_run: 'yes'
			}
		});
		expect(refused.statusCode).toBe(400);
	});
});
