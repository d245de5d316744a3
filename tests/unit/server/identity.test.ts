/**
 * The reference API and the faithful user: the richer record checked by the core's own rules,
 * stored in both backends, the profile flags announced and applied, the upsert lookup key, the
 * migration from schema version 1, and no credential in a log line or a reason.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../../server/db';
import { MIGRATIONS as POSTGRES_MIGRATIONS } from '../../../server/postgres';
import { checkRow } from '../../../server/validate';
import { profileFromApiSchema } from '../../../src/lib/core/profiles/catalogue';
import { credentialVerdict } from '../../../src/lib/core/profiles/rules';
import type { ApiSchema } from '../../../src/lib/core/protocol/import-api';
import { TEST_BACKEND, queryDatabase } from '../../support/databases';
import { startReferenceApi } from '../../support/reference-api';
import { HASHES } from '../identity/fixtures';
import { AUTH, createSource, makeApp, putChunk, tempDatabase } from './helpers';

const UUID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const BCRYPT = { algorithm: 'bcrypt', hash: HASHES.bcrypt2b };
const MD5 = { algorithm: 'md5', hash: HASHES.md5, encoding: 'hex' };
const BASE = { user_id: 'u1', email: 'ada@example.com' };
const PRIMARY_SECOND = [
	{ address: 'old@example.com', primary: false, verified: false },
	{ address: 'ada@example.com', primary: true, verified: true }
];

describe('checkRow: the richer record', () => {
	const accepted: { name: string; row: Record<string, unknown>; values: Record<string, string> }[] =
		[
			{
				name: 'emails with the primary second, the one email names',
				row: { ...BASE, emails: PRIMARY_SECOND },
				values: { ...BASE, emails: JSON.stringify(PRIMARY_SECOND) }
			},
			{
				name: 'no addresses at all',
				row: { ...BASE, emails: [] },
				values: { ...BASE, emails: '[]' }
			},
			{
				name: 'a credential object',
				row: { ...BASE, password: BCRYPT },
				values: { ...BASE, password: JSON.stringify(BCRYPT) }
			},
			{
				name: 'a bare password_hash with its salt, read into a credential',
				row: { ...BASE, password_hash: HASHES.md5, password_salt: 'pepper' },
				values: {
					...BASE,
					password: JSON.stringify({
						algorithm: 'md5',
						hash: HASHES.md5,
						encoding: 'hex',
						params: {},
						guessed: true,
						salt: 'pepper'
					})
				}
			},
			{
				name: 'identities, metadata, phone_verified and picture',
				row: {
					...BASE,
					identities: [{ provider: 'auth0', user_id: 'x' }],
					app_metadata: { plan: 'pro', nested: { a: [1, 2] } },
					user_metadata: {},
					phone_verified: false,
					picture: 'https://example.com/a.png'
				},
				values: {
					...BASE,
					identities: '[{"provider":"auth0","user_id":"x"}]',
					app_metadata: '{"plan":"pro","nested":{"a":[1,2]}}',
					user_metadata: '{}',
					phone_verified: 'false',
					picture: 'https://example.com/a.png'
				}
			}
		];
	it.each(accepted)('takes $name', ({ row, values }) => {
		const check = checkRow(row);
		expect(check.ok).toBe(true);
		const got = check.ok ? check.values : {};
		// The bare hash's credential is whatever the core reads; compare it as read.
		if (values.password && row.password_hash) {
			expect(JSON.parse(got.password!)).toMatchObject({
				algorithm: 'md5',
				hash: HASHES.md5,
				salt: 'pepper'
			});
			expect({ ...got, password: values.password }).toEqual(values);
		} else expect(got).toEqual(values);
	});

	const refused: { name: string; row: Record<string, unknown>; reason: string }[] = [
		{
			name: 'two primary addresses',
			row: {
				...BASE,
				emails: PRIMARY_SECOND.map((email) => ({ ...email, primary: true }))
			},
			reason: 'emails has more than one primary address'
		},
		{
			name: 'no primary address',
			row: { ...BASE, emails: PRIMARY_SECOND.map((email) => ({ ...email, primary: false })) },
			reason: 'emails has no primary address'
		},
		{
			name: 'an email that is not the primary',
			row: { ...BASE, email: 'old@example.com', emails: PRIMARY_SECOND },
			reason: 'email is not the primary address of emails'
		},
		{
			name: 'addresses as strings',
			row: { ...BASE, emails: ['ada@example.com'] },
			reason: 'emails must be a list of {address, primary, verified}'
		},
		{
			name: 'an invalid address',
			row: { ...BASE, emails: [{ address: 'nope', primary: true, verified: true }] },
			reason: 'emails holds an address that is not valid'
		},
		{
			name: 'a malformed bcrypt hash',
			row: { ...BASE, password: { algorithm: 'bcrypt', hash: '$2b$99$short' } },
			reason: 'password is not a valid credential: bcrypt cost 99 is outside 04–31'
		},
		{
			name: 'a credential as text',
			row: { ...BASE, password: HASHES.bcrypt2b },
			reason: 'password must be a credential object {algorithm, hash, …}'
		},
		{
			name: 'both password and password_hash',
			row: { ...BASE, password: BCRYPT, password_hash: HASHES.bcrypt2b },
			reason: 'send the credential once: password, or password_hash with password_salt'
		},
		{
			name: 'a salt without a hash',
			row: { ...BASE, password_salt: 'pepper' },
			reason: 'password_salt needs password_hash'
		},
		{
			name: 'roles as text',
			row: { ...BASE, roles: 'admin' },
			reason: 'roles must be a list of strings'
		},
		{
			name: 'app_metadata as an array',
			row: { ...BASE, app_metadata: ['pro'] },
			reason: 'app_metadata must be a JSON object'
		},
		{
			name: 'identities as an object',
			row: { ...BASE, identities: { provider: 'x' } },
			reason: 'identities must be a JSON array'
		},
		{
			name: 'user_metadata over its announced length',
			row: { ...BASE, user_metadata: { bio: 'x'.repeat(1100) } },
			reason: 'user_metadata is longer than 1024 characters'
		},
		{
			name: 'phone_verified that is not a boolean',
			row: { ...BASE, phone_verified: 'maybe' },
			reason: 'phone_verified is not a boolean'
		}
	];
	it.each(refused)('refuses $name', ({ row, reason }) => {
		expect(checkRow(row)).toEqual({ ok: false, reason });
	});
});

async function schemaOf(app: Awaited<ReturnType<typeof makeApp>>): Promise<ApiSchema> {
	return (await app.inject({ method: 'GET', url: '/api/v1/schema', headers: AUTH })).json();
}

describe('the profile flags', () => {
	it('announce UUID ids, rows per source, algorithms and the lookup key, and apply them', async () => {
		const app = await makeApp({
			limits: { rowsPerSource: 10_000 },
			profile: { requireUuidUserId: true, acceptedAlgorithms: ['bcrypt'], lookupKey: 'email' }
		});
		const schema = await schemaOf(app);
		expect(schema).toMatchObject({
			requireUuidUserId: true,
			acceptedAlgorithms: ['bcrypt'],
			lookupKey: 'email',
			limits: { rowsPerSource: 10_000 }
		});
		const profile = profileFromApiSchema(schema);
		expect(profile.rules.requireUuid).toBe(true);
		expect(profile.limits.rowsPerImport).toBe(10_000);
		expect(credentialVerdict(profile, BCRYPT as never).verdict).toBe('accepted');
		expect(credentialVerdict(profile, MD5 as never).verdict).toBe('unsupported');

		const id = await createSource(app, { mode: 'create' });
		const response = await putChunk(app, id, 0, [
			{ row: 1, user_id: UUID, email: 'a@example.com', password: BCRYPT },
			{ row: 2, user_id: 'not-a-uuid', email: 'b@example.com' },
			{ row: 3, user_id: UUID.replace('7c', '8c'), email: 'c@example.com', password: MD5 },
			{
				row: 4,
				user_id: UUID.replace('7c', '9c'),
				email: 'd@example.com',
				password_hash: HASHES.md5
			}
		]);
		expect(response.json().results).toEqual([
			{ row: 1, status: 'imported' },
			{ row: 2, status: 'invalid_row', reason: 'user_id is not a UUID' },
			{
				row: 3,
				status: 'invalid_row',
				reason: 'password is a md5 hash, which this server does not accept'
			},
			{
				row: 4,
				status: 'invalid_row',
				reason: 'password_hash is a md5 hash, which this server does not accept'
			}
		]);
	});

	it('are read from the command line of the built server', async () => {
		const api = await startReferenceApi({
			args: [
				...['--require-uuid', '--rows-per-source', '5000'],
				...['--accept-hashes', 'bcrypt,argon2', '--lookup', 'email']
			]
		});
		try {
			const response = await fetch(`${api.url}/schema`, {
				headers: { authorization: `Bearer ${api.token}` }
			});
			const schema = (await response.json()) as ApiSchema;
			const profile = profileFromApiSchema(schema);
			expect(profile.rules.requireUuid).toBe(true);
			expect(profile.limits.rowsPerImport).toBe(5000);
			expect(profile.passwords[0].accepts.map((rule) => rule.algorithm)).toEqual([
				'bcrypt',
				'argon2'
			]);
			expect(schema.lookupKey).toBe('email');
		} finally {
			await api.stop();
		}
		await expect(startReferenceApi({ args: ['--accept-hashes', 'bcrypt,rot13'] })).rejects.toThrow(
			/--accept-hashes takes a comma-separated list of bcrypt, argon2/
		);
		await expect(startReferenceApi({ args: ['--lookup', 'phone'] })).rejects.toThrow(
			/--lookup takes user_id or email/
		);
	});
});

describe('storing the faithful user', () => {
	it('keeps emails, the credential, roles, identities and metadata as JSON', async () => {
		const database = await tempDatabase();
		const app = await makeApp({ database });
		const id = await createSource(app, { mode: 'create' });
		const record = {
			...BASE,
			emails: PRIMARY_SECOND,
			password: { algorithm: 'pbkdf2', hash: HASHES.pbkdf2Phc, params: { digest: 'sha256' } },
			roles: ['admin'],
			identities: [{ provider: 'google-oauth2', user_id: '1' }],
			app_metadata: { plan: 'pro' },
			user_metadata: { theme: 'dark' },
			phone_verified: 'true',
			picture: 'https://example.com/a.png'
		};
		expect((await putChunk(app, id, 0, [{ row: 1, ...record }])).json().results).toEqual([
			{ row: 1, status: 'imported' }
		]);
		const [stored] = await queryDatabase<Record<string, string>>(
			database,
			`SELECT email, emails, password, password_hash, roles, identities, app_metadata,
			  user_metadata, phone_verified, picture FROM accounts`
		);
		expect(stored.email).toBe('ada@example.com');
		expect(stored.password_hash).toBeNull();
		for (const field of ['emails', 'password', 'roles', 'identities', 'app_metadata'] as const) {
			expect(JSON.parse(stored[field])).toEqual(record[field]);
		}
		expect(JSON.parse(stored.user_metadata)).toEqual(record.user_metadata);
		expect(stored).toMatchObject({ phone_verified: 'true', picture: record.picture });
	});
});

describe('the upsert lookup key', () => {
	/** An account u1/ada@example.com, then an upsert of `row` on a server with that lookup key. */
	async function upsert(lookupKey: 'user_id' | 'email', row: Record<string, unknown>) {
		const database = await tempDatabase();
		const app = await makeApp({ database, profile: { lookupKey } });
		const first = await createSource(app, { mode: 'create' });
		await putChunk(app, first, 0, [{ row: 1, ...BASE, name: 'Ada' }]);
		const second = await createSource(app, { mode: 'create', upsert: true });
		const { results } = (await putChunk(app, second, 0, [{ row: 1, ...row }])).json();
		const accounts = await queryDatabase(
			database,
			`SELECT a.email, a.name, c.user_id FROM accounts a JOIN connections c ON c.account_id = a.id`
		);
		return { result: results[0], accounts };
	}

	it('by user_id (the default): the account of this user_id takes a new email', async () => {
		const moved = await upsert('user_id', { user_id: 'u1', email: 'new@example.com', name: 'B' });
		expect(moved.result).toEqual({ row: 1, status: 'updated' });
		expect(moved.accounts).toEqual([{ email: 'new@example.com', name: 'B', user_id: 'u1' }]);
		const other = await upsert('user_id', { user_id: 'u2', email: 'ada@example.com', name: 'B' });
		expect(other.result).toMatchObject({ status: 'already_exists' });
	});

	it('by email (as Auth0): the account with this email is updated and keeps its user_id', async () => {
		const kept = await upsert('email', { user_id: 'u2', email: 'ADA@example.com', name: 'B' });
		expect(kept.result).toEqual({
			row: 1,
			status: 'updated',
			reason: 'the account keeps its own user_id'
		});
		expect(kept.accounts).toEqual([{ email: 'ADA@example.com', name: 'B', user_id: 'u1' }]);
		const moved = await upsert('email', { user_id: 'u1', email: 'new@example.com', name: 'B' });
		expect(moved.result).toMatchObject({ status: 'already_exists' });
		expect(moved.accounts).toEqual([{ email: 'ada@example.com', name: 'Ada', user_id: 'u1' }]);
	});
});

describe('the migration from schema version 1', () => {
	it('keeps the accounts a version-1 database holds and adds the new columns', async () => {
		const database = await tempDatabase();
		const insert = `INSERT INTO accounts (email, email_key, name, password_hash, created_at,
			updated_at) VALUES ('old@example.com', 'old@example.com', 'Old', 'legacy', 1, 1)`;
		if (TEST_BACKEND === 'sqlite') {
			const db = new Database(database);
			db.exec(SQLITE_MIGRATIONS[0]);
			db.pragma('user_version = 1');
			db.exec(insert);
			db.close();
		} else {
			const client = new pg.Client({ connectionString: database });
			await client.connect();
			await client.query(POSTGRES_MIGRATIONS[0]);
			await client.query('CREATE TABLE ferry_schema_version (version INTEGER NOT NULL)');
			await client.query('INSERT INTO ferry_schema_version (version) VALUES (1)');
			await client.query(insert);
			await client.end();
		}
		const app = await makeApp({ database });
		const id = await createSource(app, { mode: 'create' });
		await putChunk(app, id, 0, [{ row: 1, ...BASE, app_metadata: { plan: 'pro' } }]);
		const rows = await queryDatabase(
			database,
			'SELECT email, name, password_hash, app_metadata FROM accounts ORDER BY id'
		);
		expect(rows).toEqual([
			{ email: 'old@example.com', name: 'Old', password_hash: 'legacy', app_metadata: null },
			{ email: 'ada@example.com', name: null, password_hash: null, app_metadata: '{"plan":"pro"}' }
		]);
	});
});

describe('credentials are never logged', () => {
	it('leaves hashes and salts out of log lines, reasons and error messages', async () => {
		const lines: string[] = [];
		const app = await makeApp({
			logger: { level: 'trace', stream: { write: (line: string) => lines.push(line) } },
			profile: { acceptedAlgorithms: ['bcrypt'] }
		});
		const id = await createSource(app, { mode: 'create' });
		const salt = 'c2FsdHNhbHRzYWx0';
		const broken = HASHES.bcrypt2b.slice(0, -3);
		const responses = [
			await putChunk(app, id, 0, [
				{ row: 1, user_id: 'u1', email: 'a@example.com', password: BCRYPT },
				{
					row: 2,
					user_id: 'u2',
					email: 'b@example.com',
					password_hash: HASHES.md5,
					password_salt: salt
				},
				{
					row: 3,
					user_id: 'u3',
					email: 'c@example.com',
					password: { algorithm: 'bcrypt', hash: broken }
				},
				{ row: 4, user_id: 'u4', email: 'd@example.com', password: { ...MD5, salt } }
			]),
			// A body that does not parse: its error message must not echo it.
			await app.inject({
				method: 'PUT',
				url: `/api/v1/sources/${id}/chunks/1`,
				headers: { ...AUTH, 'content-type': 'application/json' },
				payload: `{"rows":[{"row":5,"password_hash":"${HASHES.argon2id}"`
			})
		];
		const everything = [...lines, ...responses.map((response) => response.body)].join('\n');
		for (const secret of [HASHES.bcrypt2b, broken, HASHES.md5, HASHES.argon2id, salt]) {
			expect(everything).not.toContain(secret.slice(7, 30));
		}
		expect(responses[0].json().results.map((r: { status: string }) => r.status)).toEqual([
			'imported',
			'invalid_row',
			'invalid_row',
			'invalid_row'
		]);
	});
});
