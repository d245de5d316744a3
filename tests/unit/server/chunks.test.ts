import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { seedAccount } from '../../../server/accounts';
import { queryDatabase, seedDatabase } from '../../support/databases';
import { AUTH, createSource, makeApp, putChunk, statusesOf, tempDatabase } from './helpers';

/** An app whose database already holds seeded accounts user1..user{count}@example.com. */
async function seededApp(count: number): Promise<{ app: FastifyInstance; database: string }> {
	const database = await tempDatabase();
	await seedDatabase(database, count);
	return { app: await makeApp({ database }), database };
}

async function sourceView(app: FastifyInstance, id: string) {
	return (await app.inject({ method: 'GET', url: `/api/v1/sources/${id}`, headers: AUTH })).json();
}

describe('link mode', () => {
	it('answers every link status and links only the imported rows', async () => {
		const { app, database } = await seededApp(5);
		const earlier = await createSource(app, { mode: 'link' });
		expect(
			statusesOf(
				await putChunk(app, earlier, 0, [{ row: 1, user_id: 'old-4', email: 'user4@example.com' }])
			)
		).toEqual({ 1: 'imported' });

		const id = await createSource(app, { mode: 'link' });
		const rows = [
			{ row: 1, user_id: 'ext-1', email: 'user1@example.com', name: seedAccount(1).name },
			{ row: 2, user_id: 'ext-2', email: 'USER2@Example.COM' },
			{ row: 3, user_id: 'ext-3', email: 'user3@example.com', name: 'Somebody Else' },
			{ row: 4, user_id: 'ext-4', email: 'user4@example.com' },
			{ row: 5, user_id: 'ext-9', email: 'nobody@example.com' },
			{ row: 6, user_id: 'ext-6', email: 'not an email' },
			{ row: 7, user_id: 'ext-1', email: 'user5@example.com' },
			{ row: 8, user_id: 'ext-8', email: 'user1@example.com' },
			{
				row: 9,
				user_id: 'ext-5',
				email: 'user5@example.com',
				given_name: seedAccount(5).given_name.toUpperCase(),
				family_name: ` ${seedAccount(5).family_name} `
			}
		];
		const response = await putChunk(app, id, 0, rows);
		expect(response.statusCode).toBe(200);
		expect(response.json().results).toEqual([
			{ row: 1, status: 'imported' },
			{ row: 2, status: 'imported' },
			{ row: 3, status: 'name_mismatch', reason: "name differs from the account's" },
			{
				row: 4,
				status: 'already_connected',
				reason: 'the account is connected to another user_id'
			},
			{ row: 5, status: 'not_found', reason: 'no account has this email' },
			{ row: 6, status: 'invalid_row', reason: 'email is not a valid address' },
			{
				row: 7,
				status: 'already_connected',
				reason: 'this user_id is connected to another account'
			},
			{
				row: 8,
				status: 'already_connected',
				reason: 'the account is connected to another user_id'
			},
			{ row: 9, status: 'imported' }
		]);

		const again = await createSource(app, { mode: 'link' });
		const repeat = await putChunk(app, again, 0, [
			{ row: 1, user_id: 'ext-1', email: 'user1@example.com' }
		]);
		expect(repeat.json().results).toEqual([{ row: 1, status: 'already_connected' }]);

		const links = await queryDatabase(
			database,
			`SELECT a.email, c.user_id FROM connections c JOIN accounts a ON a.id = c.account_id
			 WHERE c.source_id = ? ORDER BY a.email`,
			[id]
		);
		expect(links).toEqual([
			{ email: 'user1@example.com', user_id: 'ext-1' },
			{ email: 'user2@example.com', user_id: 'ext-2' },
			{ email: 'user5@example.com', user_id: 'ext-5' }
		]);
	});
});

describe('create mode', () => {
	it('answers imported and already_exists without upsert', async () => {
		const { app, database } = await seededApp(2);
		const id = await createSource(app, { mode: 'create' });
		const response = await putChunk(app, id, 0, [
			{ row: 1, user_id: 'n1', email: 'new1@example.org', name: 'New One', roles: ['a', 'b'] },
			{ row: 2, user_id: 'n2', email: 'User1@Example.com' },
			{ row: 3, user_id: 'n1', email: 'other@example.org' },
			{ row: 4, user_id: 'n4', email: 'new4@example.org', favourite_colour: 'blue' }
		]);
		expect(response.json().results).toEqual([
			{ row: 1, status: 'imported' },
			{ row: 2, status: 'already_exists', reason: 'an account with this email exists' },
			{ row: 3, status: 'already_exists', reason: 'an account with this user_id exists' },
			{ row: 4, status: 'invalid_row', reason: 'unknown field "favourite_colour"' }
		]);
		const created = await queryDatabase(
			database,
			'SELECT email, name, roles, created_by_source FROM accounts WHERE created_by_source IS NOT NULL'
		);
		const user1 = await queryDatabase(
			database,
			"SELECT name FROM accounts WHERE email_key = 'user1@example.com'"
		);
		expect(created).toEqual([
			{ email: 'new1@example.org', name: 'New One', roles: '["a","b"]', created_by_source: id }
		]);
		expect(user1).toEqual([{ name: seedAccount(1).name }]);
	});

	it('answers updated with upsert, and refuses to merge two different accounts', async () => {
		const { app, database } = await seededApp(2);
		const first = await createSource(app, { mode: 'create' });
		await putChunk(app, first, 0, [
			{ row: 1, user_id: 'n1', email: 'new1@example.org', name: 'Old' }
		]);

		const id = await createSource(app, { mode: 'create', upsert: true });
		const response = await putChunk(app, id, 0, [
			{ row: 1, user_id: 'n1', email: 'new1@example.org', name: 'Renamed' },
			{ row: 2, user_id: 'seed-1', email: 'user1@example.com', locale: 'fr' },
			{ row: 3, user_id: 'n1', email: 'user2@example.com' },
			{ row: 4, user_id: 'n4', email: 'new4@example.org' }
		]);
		expect(response.json().results).toEqual([
			{ row: 1, status: 'updated' },
			{ row: 2, status: 'updated' },
			{
				row: 3,
				status: 'already_exists',
				reason: 'the user_id and the email belong to different accounts'
			},
			{ row: 4, status: 'imported' }
		]);
		const accounts = await queryDatabase(
			database,
			`SELECT a.email, a.name, a.locale, c.user_id FROM accounts a
			 LEFT JOIN connections c ON c.account_id = a.id ORDER BY a.email`
		);
		expect(accounts).toEqual([
			{ email: 'new1@example.org', name: 'Renamed', locale: null, user_id: 'n1' },
			{ email: 'new4@example.org', name: null, locale: null, user_id: 'n4' },
			{ email: 'user1@example.com', name: seedAccount(1).name, locale: 'fr', user_id: 'seed-1' },
			{ email: 'user2@example.com', name: seedAccount(2).name, locale: null, user_id: null }
		]);
	});

	it('reports a row number sent twice as invalid_row and applies it once', async () => {
		const app = await makeApp();
		const id = await createSource(app, { mode: 'create' });
		await putChunk(app, id, 0, [{ row: 1, user_id: 'a', email: 'a@example.org' }]);
		const response = await putChunk(app, id, 1, [
			{ row: 1, user_id: 'b', email: 'b@example.org' },
			{ row: 2, user_id: 'c', email: 'c@example.org' },
			{ row: 2, user_id: 'd', email: 'd@example.org' }
		]);
		expect(response.json().results).toEqual([
			{ row: 1, status: 'invalid_row', reason: 'row 1 was already received' },
			{ row: 2, status: 'imported' },
			{ row: 2, status: 'invalid_row', reason: 'row 2 was already received' }
		]);
		expect(await sourceView(app, id)).toMatchObject({
			rows: 2,
			counts: { imported: 2, invalid_row: 0 }
		});
	});
});

describe('idempotency', () => {
	const rows = [
		{ row: 1, user_id: 'a', email: 'a@example.org' },
		{ row: 2, user_id: 'b', email: 'bad' }
	];

	it('replays the identical body for the same key and applies nothing', async () => {
		const { app, database } = await seededApp(0);
		const id = await createSource(app, { mode: 'create' });
		const first = await putChunk(app, id, 0, rows);
		const second = await putChunk(app, id, 0, rows, { gzip: true });
		expect(second.statusCode).toBe(first.statusCode);
		expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
		expect(second.headers['idempotent-replayed']).toBe('true');
		expect(first.headers['idempotent-replayed']).toBeUndefined();
		expect(await queryDatabase(database, 'SELECT count(*) AS n FROM accounts')).toEqual([{ n: 1 }]);
		expect(await sourceView(app, id)).toMatchObject({ rows: 2, chunks: 1 });
	});

	it('refuses the same seq with another body (409) and applies nothing of it', async () => {
		const { app, database } = await seededApp(0);
		const id = await createSource(app, { mode: 'create' });
		await putChunk(app, id, 0, rows);
		const conflict = await putChunk(app, id, 0, [{ row: 3, user_id: 'c', email: 'c@example.org' }]);
		expect(conflict.statusCode).toBe(409);
		expect(conflict.json().code).toBe('chunk_conflict');
		expect(
			await queryDatabase(
				database,
				"SELECT count(*) AS n FROM accounts WHERE email = 'c@example.org'"
			)
		).toEqual([{ n: 0 }]);
	});

	it('refuses the same body under another seq (409 idempotency_key_reused)', async () => {
		const app = await makeApp();
		const id = await createSource(app, { mode: 'create' });
		await putChunk(app, id, 0, rows);
		const reused = await putChunk(app, id, 1, rows);
		expect(reused.statusCode).toBe(409);
		expect(reused.json().code).toBe('idempotency_key_reused');
	});

	it('replays a chunk after completion but refuses new chunks then', async () => {
		const app = await makeApp();
		const id = await createSource(app, { mode: 'create' });
		const first = await putChunk(app, id, 0, rows);
		await app.inject({ method: 'POST', url: `/api/v1/sources/${id}/complete`, headers: AUTH });
		expect((await putChunk(app, id, 0, rows)).body).toBe(first.body);
		const late = await putChunk(app, id, 1, [{ row: 3, user_id: 'c', email: 'c@example.org' }]);
		expect(late.statusCode).toBe(409);
		expect(late.json().code).toBe('source_not_open');
	});
});

describe('complete and received', () => {
	it('summarises counts per status and is idempotent', async () => {
		const { app } = await seededApp(3);
		const id = await createSource(app, { mode: 'link', rows: 4 });
		await putChunk(app, id, 0, [
			{ row: 1, user_id: 'x1', email: 'user1@example.com' },
			{ row: 2, user_id: 'x2', email: 'nobody@example.com' }
		]);
		await putChunk(app, id, 1, [
			{ row: 3, user_id: 'x3', email: 'user3@example.com' },
			{ row: 4, email: 'user2@example.com' }
		]);
		const complete = () =>
			app.inject({
				method: 'POST',
				url: `/api/v1/sources/${id}/complete`,
				headers: { ...AUTH, 'content-type': 'application/json' }
			});
		const summary = await complete();
		expect(summary.statusCode).toBe(200);
		expect(summary.json()).toMatchObject({
			id,
			status: 'complete',
			expectedRows: 4,
			rows: 4,
			chunks: 2,
			counts: {
				imported: 2,
				already_connected: 0,
				not_found: 1,
				name_mismatch: 0,
				invalid_row: 1,
				already_exists: 0,
				updated: 0
			}
		});
		expect(summary.json().completedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
		expect((await complete()).body).toBe(summary.body);
	});

	it('shows the rows applied per chunk and every field name received', async () => {
		const app = await makeApp();
		const id = await createSource(app, { mode: 'create' });
		await putChunk(app, id, 0, [
			{ row: 1, user_id: 'a', email: 'a@example.org', name: 'A' },
			{ row: 2, user_id: 'b', email: 'b@example.org', shoe_size: '44' }
		]);
		await putChunk(app, id, 1, [{ row: 3, user_id: 'c', email: 'c@example.org', locale: 'de' }]);
		await putChunk(app, id, 1, [{ row: 3, user_id: 'c', email: 'c@example.org', locale: 'de' }]);
		const response = await app.inject({
			method: 'GET',
			url: `/api/v1/sources/${id}/received`,
			headers: AUTH
		});
		const received = response.json();
		expect(received.fields).toEqual(['email', 'locale', 'name', 'shoe_size', 'user_id']);
		expect(
			received.chunks.map(
				(c: { seq: number; rows: number[]; invalidRows: number[]; replays: number }) => ({
					seq: c.seq,
					rows: c.rows,
					invalidRows: c.invalidRows,
					replays: c.replays
				})
			)
		).toEqual([
			{ seq: 0, rows: [1, 2], invalidRows: [2], replays: 0 },
			{ seq: 1, rows: [3], invalidRows: [], replays: 1 }
		]);
	});
});
