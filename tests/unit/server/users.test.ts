/**
 * GET /users (filters, cursor pages, no secrets) and GET /users/:user_id/export (the GDPR package
 * and the audit trail behind it), on SQLite and, in the postgres project, on PostgreSQL.
 */
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import {
	USER_CURSOR_TTL_MS,
	type UserPackage,
	type UserPage
} from '../../../src/lib/core/protocol/import-api';
import { queryDatabase, seedDatabase } from '../../support/databases';
import { AUTH, createSource, makeApp, putChunk, statusesOf, tempDatabase } from './helpers';

const ORGANIZATIONS = ['acme', 'globex', 'initech'];
const HASH = '$2b$10$abcdefghijklmnopqrstuuC0dKx2r1Tz6pXmA1mY0ZtXU3d2QJq5G';

/** User i of the fixture: organization by i mod 3, admins every 4th, blocked every 5th. */
function fixtureRow(i: number) {
	return {
		row: i,
		user_id: `ext-${i}`,
		email: `person${i}@example.com`,
		name: `Person ${i}`,
		organization: ORGANIZATIONS[i % 3],
		roles: i % 4 === 0 ? ['admin', 'staff'] : ['staff'],
		blocked: i % 5 === 0 ? 'yes' : 'false',
		password_hash: HASH
	};
}

/** An app with a clock the test moves, and `count` users created by one source at time 1000. */
async function appWithUsers(count: number) {
	let time = 1_000;
	const database = await tempDatabase();
	const app = await makeApp({ database, now: () => time });
	const source = await createSource(app, { mode: 'create', rows: count });
	const rows = Array.from({ length: count }, (_, index) => fixtureRow(index + 1));
	const response = await putChunk(app, source, 0, rows);
	expect(Object.values(statusesOf(response)).every((status) => status === 'imported')).toBe(true);
	return {
		app,
		database,
		source,
		setTime: (ms: number) => (time = ms)
	};
}

async function get(app: FastifyInstance, url: string) {
	return app.inject({ method: 'GET', url, headers: AUTH });
}

async function allPages(app: FastifyInstance, query: string, limit: number) {
	const users: UserPage['users'] = [];
	let cursor: string | null = null;
	let pages = 0;
	do {
		const url: string = `/api/v1/users?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
		const response = await get(app, url);
		expect(response.statusCode, response.body).toBe(200);
		expect(response.body).not.toMatch(/password|\$2b\$/);
		const page = response.json() as UserPage;
		users.push(...page.users);
		cursor = page.next;
		pages++;
	} while (cursor !== null && pages < 100);
	return { users, pages };
}

describe('GET /users', () => {
	it('walks every user exactly once in cursor pages, secrets left out', async () => {
		const { app } = await appWithUsers(23);
		const { users, pages } = await allPages(app, '', 5);
		expect(pages).toBe(5);
		expect(users.map((user) => user.user_id)).toEqual(
			Array.from({ length: 23 }, (_, index) => `ext-${index + 1}`)
		);
		expect(users[3]).toEqual({
			user_id: 'ext-4',
			email: 'person4@example.com',
			name: 'Person 4',
			roles: ['admin', 'staff'],
			organization: 'globex',
			blocked: 'false',
			created_at: new Date(1000).toISOString(),
			updated_at: new Date(1000).toISOString()
		});
		// Stored spellings come out canonical.
		expect(users[4].blocked).toBe('true');
	});

	it('lists seeded accounts that nobody imported, without a user_id', async () => {
		const database = await tempDatabase();
		await seedDatabase(database, 3);
		const app = await makeApp({ database });
		const page = (await get(app, '/api/v1/users')).json() as UserPage;
		expect(page.users.map((user) => [user.user_id, user.email])).toEqual([
			[null, 'user1@example.com'],
			[null, 'user2@example.com'],
			[null, 'user3@example.com']
		]);
		expect(page.next).toBeNull();
	});

	it('filters by organization, role, blocked and creation time, across pages', async () => {
		const { app, source, setTime } = await appWithUsers(30);
		setTime(5_000);
		await putChunk(app, source, 1, [fixtureRow(31), fixtureRow(32)]);
		const ids = async (query: string) =>
			(await allPages(app, query, 4)).users.map((user) => Number(String(user.user_id).slice(4)));
		const upTo = (n: number, keep: (i: number) => boolean) =>
			Array.from({ length: n }, (_, index) => index + 1).filter(keep);

		expect(await ids('&organization=globex')).toEqual(upTo(32, (i) => i % 3 === 1));
		expect(await ids('&role=admin')).toEqual(upTo(32, (i) => i % 4 === 0));
		expect(await ids('&role=adm')).toEqual([]);
		expect(await ids('&blocked=true')).toEqual(upTo(32, (i) => i % 5 === 0));
		expect(await ids('&blocked=false')).toEqual(upTo(32, (i) => i % 5 !== 0));
		expect(await ids('&organization=acme&role=admin&blocked=false')).toEqual(
			upTo(32, (i) => i % 3 === 0 && i % 4 === 0 && i % 5 !== 0)
		);
		const after = encodeURIComponent(new Date(2_000).toISOString());
		expect(await ids(`&created_after=${after}`)).toEqual([31, 32]);
		expect(await ids(`&created_before=${after}`)).toEqual(upTo(30, () => true));
	});

	it('refuses a cursor it did not give, one of other filters, an expired one and unknown filters', async () => {
		const { app, setTime } = await appWithUsers(6);
		const first = (await get(app, '/api/v1/users?limit=1&organization=acme')).json() as UserPage;
		expect(first.next).toEqual(expect.any(String));

		const forged = await get(app, '/api/v1/users?cursor=bm90LWEtY3Vyc29y');
		expect(forged.statusCode).toBe(400);
		expect(forged.json()).toMatchObject({ code: 'invalid_cursor' });

		const otherFilters = await get(app, `/api/v1/users?limit=2&cursor=${first.next}`);
		expect(otherFilters.statusCode).toBe(400);
		expect(otherFilters.json().message).toMatch(/other filters/);

		setTime(1_000 + USER_CURSOR_TTL_MS + 1);
		const expired = await get(app, `/api/v1/users?limit=1&organization=acme&cursor=${first.next}`);
		expect(expired.statusCode).toBe(400);
		expect(expired.json()).toMatchObject({ code: 'cursor_expired' });

		const typo = await get(app, '/api/v1/users?organisation=acme');
		expect(typo.statusCode).toBe(400);
		expect(typo.json().message).toMatch(/organisation/);
		expect((await get(app, '/api/v1/users?created_after=yesterday')).statusCode).toBe(400);
		expect((await get(app, '/api/v1/users?blocked=maybe')).statusCode).toBe(400);
	});

	it('needs the bearer token', async () => {
		const { app } = await appWithUsers(1);
		const response = await app.inject({ method: 'GET', url: '/api/v1/users' });
		expect(response.statusCode).toBe(401);
	});
});

describe('GET /users/:user_id/export', () => {
	it('packages the account, its connection, every import row and the audit trail', async () => {
		const { app, source, setTime } = await appWithUsers(3);
		setTime(2_000);
		const update = await createSource(app, { mode: 'create', upsert: true, name: 'fix names' });
		await putChunk(app, update, 0, [
			{ row: 7, user_id: 'ext-2', email: 'person2@example.com', name: 'P. Two' }
		]);
		setTime(3_000);
		const again = await createSource(app, { mode: 'create', name: 'again' });
		await putChunk(app, again, 0, [{ row: 1, user_id: 'ext-2', email: 'person2@example.com' }]);

		const response = await get(app, '/api/v1/users/ext-2/export');
		expect(response.statusCode).toBe(200);
		// The audit names the fields an import wrote, the password among them, never a value (a
		// bare password_hash is stored as the credential it is, in password).
		expect(response.body).not.toMatch(/\$2b\$/);
		const pack = response.json() as UserPackage;
		expect(Object.keys(pack.user).filter((key) => key.startsWith('password'))).toEqual([]);
		expect(pack.user).toMatchObject({ user_id: 'ext-2', name: 'P. Two', organization: 'initech' });
		expect(pack.account).toEqual({ createdBySource: source });
		expect(pack.connections).toEqual([
			{
				userId: 'ext-2',
				sourceId: source,
				kind: 'created',
				row: 2,
				at: new Date(1000).toISOString()
			}
		]);
		expect(
			pack.imports.map(({ sourceId, sourceName, row, status, at }) => [
				sourceId,
				sourceName,
				row,
				status,
				at
			])
		).toEqual([
			[source, 'test source', 2, 'imported', new Date(1000).toISOString()],
			[update, 'fix names', 7, 'updated', new Date(2000).toISOString()],
			[again, 'again', 1, 'already_exists', new Date(3000).toISOString()]
		]);
		expect(pack.audit).toEqual([
			{
				action: 'created',
				userId: 'ext-2',
				sourceId: source,
				row: 2,
				fields: expect.arrayContaining(['email', 'name', 'password']),
				at: new Date(1000).toISOString()
			},
			{
				action: 'updated',
				userId: 'ext-2',
				sourceId: update,
				row: 7,
				fields: ['email', 'name'],
				at: new Date(2000).toISOString()
			}
		]);
	});

	it('keeps the trail of a link that was rolled back; the user is then unknown', async () => {
		const database = await tempDatabase();
		await seedDatabase(database, 2);
		const app = await makeApp({ database });
		const link = await createSource(app, { mode: 'link' });
		await putChunk(app, link, 0, [{ row: 1, user_id: 'ext-a', email: 'user1@example.com' }]);
		const linked = (await get(app, '/api/v1/users/ext-a/export')).json() as UserPackage;
		expect(linked.user.email).toBe('user1@example.com');
		expect(linked.audit.map((entry) => entry.action)).toEqual(['linked']);
		expect(linked.imports.map((entry) => entry.status)).toEqual(['imported']);

		const created = await createSource(app, { mode: 'create' });
		await putChunk(app, created, 0, [{ row: 1, user_id: 'ext-b', email: 'new@example.com' }]);
		for (const id of [link, created]) {
			expect(
				(await app.inject({ method: 'DELETE', url: `/api/v1/sources/${id}`, headers: AUTH }))
					.statusCode
			).toBe(200);
		}
		const gone = await get(app, '/api/v1/users/ext-a/export');
		expect(gone.statusCode).toBe(404);
		expect(gone.json()).toMatchObject({ code: 'user_not_found' });

		// The rollback is on record, though nobody can ask for it through a connection any more.
		const trail = await queryDatabase<{ user_id: string; action: string }>(
			database,
			'SELECT user_id, action FROM audit_entries ORDER BY id'
		);
		expect(trail).toEqual([
			{ user_id: 'ext-a', action: 'linked' },
			{ user_id: 'ext-b', action: 'created' },
			{ user_id: 'ext-a', action: 'unlinked' },
			{ user_id: 'ext-b', action: 'removed' }
		]);
	});

	it('writes no audit entry for a dry run', async () => {
		const { app, database } = await appWithUsers(1);
		const dry = await createSource(app, { mode: 'create', dry_run: true });
		await putChunk(app, dry, 0, [{ row: 1, user_id: 'ext-z', email: 'z@example.com' }]);
		const trail = await queryDatabase(database, 'SELECT user_id FROM audit_entries');
		expect(trail).toEqual([{ user_id: 'ext-1' }]);
	});
});
