import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import { describe, expect, it } from 'vitest';
import {
	CensusBuilder,
	TARGETS,
	censusOf,
	preflight,
	type ConvertPiece
} from '../../../src/lib/core/convert';
import { auth0User } from '../../../src/lib/core/convert/auth0';
import { COGNITO_HEADER } from '../../../src/lib/core/convert/cognito';
import { HANKO_ID_NAMESPACE, hankoUserId } from '../../../src/lib/core/convert/hanko';
import { credentialFromAuth0 } from '../../../src/lib/core/identity/auth0';
import type { CanonicalRecord } from '../../../src/lib/core/validate/normalize';
import { asyncOf, readFixture, writeAll } from './core-read';

const BCRYPT_2A = '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
const BCRYPT_2B = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
const BCRYPT_2A_CREDENTIAL = {
	algorithm: 'bcrypt',
	hash: BCRYPT_2A,
	params: { variant: '2a', cost: 10 }
};
const BCRYPT_2B_CREDENTIAL = {
	algorithm: 'bcrypt',
	hash: BCRYPT_2B,
	params: { variant: '2b', cost: 10 }
};
const MD5 = { algorithm: 'md5', hash: '5f4dcc3b5aa765d61d8327deb882cf99', encoding: 'hex' };

const user = (n: number, extra: CanonicalRecord = {}): CanonicalRecord => ({
	user_id: `u${n}`,
	email: `user${n}@example.org`,
	...extra
});

describe('auth0', () => {
	/** A user whose JSON in the file is exactly `bytes` long. */
	function userOfBytes(n: number, bytes: number): CanonicalRecord {
		const base = user(n, { user_metadata: { pad: '' } });
		const length = JSON.stringify(auth0User(base)).length;
		return user(n, { user_metadata: { pad: 'x'.repeat(bytes - length) } });
	}

	it('fills a file to exactly 500,000 bytes, and the user that would pass it starts the next file', async () => {
		// "[\n" + 9 × (user + ",\n") + last user + "\n]\n" = 500,000 bytes.
		const users = Array.from({ length: 9 }, (_, n) => userOfBytes(n, 50_000));
		const last = 500_000 - 2 - 9 * 50_002 - 3;
		const exact = await writeAll('auth0', [...users, userOfBytes(9, last)]);
		expect([...exact.files.values()].map((file) => file.bytes)).toEqual([500_000]);

		const over = await writeAll('auth0', [
			...users,
			userOfBytes(9, last + 1),
			userOfBytes(10, 200)
		]);
		const files = [...over.files.entries()];
		expect(files.map(([name, file]) => [name, file.rows])).toEqual([
			['users.json', 9],
			['users-2.json', 2]
		]);
		for (const [, file] of files) {
			expect(file.bytes).toBeLessThanOrEqual(500_000);
			expect(Buffer.byteLength(file.text)).toBe(file.bytes);
			expect(JSON.parse(file.text)).toHaveLength(file.rows);
		}
		expect(JSON.parse(files[1][1].text)[0].user_id).toBe('u9');
	});

	it('leaves out a user larger than a whole file, and users without an email', async () => {
		const written = await writeAll('auth0', [
			userOfBytes(1, 600_000),
			{ user_id: 'no-mail' },
			user(2)
		]);
		expect(written.skipped).toEqual([
			{ reason: 'too_large', record: 0 },
			{ reason: 'no_email', record: 1 }
		]);
		expect(JSON.parse(written.files.get('users.json')!.text)).toEqual([
			{ user_id: 'u2', email: 'user2@example.org' }
		]);
	});

	it('writes $2a$/$2b$ bcrypt as password_hash and every other accepted hash as custom_password_hash', async () => {
		const { records } = readFixture('auth0-bulk-import.json');
		const written = await writeAll('auth0', records);
		const users = JSON.parse(written.files.get('users.json')!.text) as Record<string, unknown>[];
		expect(users).toHaveLength(records.length);
		users.forEach((written, i) => {
			const credential = records[i].password as { algorithm: string } | undefined;
			if (!credential)
				expect(written.password_hash ?? written.custom_password_hash).toBeUndefined();
			else if (written.password_hash !== undefined) {
				expect(written.password_hash).toMatch(/^\$2[ab]\$/);
				expect(written.custom_password_hash).toBeUndefined();
			} else {
				const read = credentialFromAuth0(written.custom_password_hash);
				expect(read).toHaveProperty('credential.algorithm', credential.algorithm);
			}
		});
		expect(users.filter((user) => user.custom_password_hash).length).toBeGreaterThan(8);
	});

	it.each([
		'auth0-bulk-import.json',
		'auth0-export.ndjson',
		'hanko-import.json',
		'keycloak-realm.json',
		'supabase-users.csv',
		'clerk.csv'
	])('%s becomes files valid under Auth0’s documented user JSON schema', async (file) => {
		// auth0/docs-v2 main/docs/manage-users/user-migration/bulk-user-import-schema.mdx ("User JSON
		// schema", descriptions left out), with the phone_number and phone_verified the newer
		// localized copies of that page list (docs/platform-formats.md §1.2).
		const schema = JSON.parse(
			readFileSync(join(import.meta.dirname, 'auth0.user_import.schema.json'), 'utf8')
		);
		const ajv = new Ajv2020({ allErrors: true, strict: false });
		addFormats(ajv);
		const valid = ajv.compile({ type: 'array', items: schema });
		const written = await writeAll('auth0', readFixture(file).records);
		expect(written.files.size).toBeGreaterThan(0);
		for (const [name, { text }] of written.files)
			expect(valid(JSON.parse(text)), `${name}: ${JSON.stringify(valid.errors)}`).toBe(true);
	});

	it('strips the auth0| prefix that the import adds back', () => {
		expect(auth0User({ user_id: 'auth0|abc', email: 'a@example.org' }).user_id).toBe('abc');
		expect(auth0User({ user_id: 'google-oauth2|1', email: 'a@example.org' }).user_id).toBe(
			'google-oauth2|1'
		);
	});
});

describe('hanko', () => {
	// teamhanko/hanko backend/json_schema/hanko.user_import.json at f742d49643b2c3c7f13c7e13a49225771e4d793f (only re-indented by Prettier).
	const schema = JSON.parse(
		readFileSync(join(import.meta.dirname, 'hanko.user_import.schema.json'), 'utf8')
	);
	const ajv = new Ajv2020({ allErrors: true, strict: false });
	addFormats(ajv);
	const valid = ajv.compile(schema);

	it.each([
		'auth0-bulk-import.json',
		'auth0-export.ndjson',
		'hanko-import.json',
		'keycloak-realm.json',
		'loginsign.csv',
		'clerk.csv'
	])('%s becomes a file valid under Hanko’s published JSON schema', async (file) => {
		const written = await writeAll('hanko', readFixture(file).records);
		const users = JSON.parse(written.files.get('users.json')!.text);
		expect(valid(users), JSON.stringify(valid.errors)).toBe(true);
		for (const entry of users) {
			expect(
				entry.emails.filter((email: { is_primary: boolean }) => email.is_primary)
			).toHaveLength(1);
			expect(uuidVersion(entry.user_id)).toBeOneOf([4, 5]);
		}
	});

	it('keeps UUID v4 ids, gives every other id the same v5 on every run, and lists it in id-map.csv', async () => {
		const v4 = '3f1c6c2e-8d7a-4b1e-9b2f-2d6a9f1e4c55';
		const v7 = '018f3c2e-8d7a-7b1e-9b2f-2d6a9f1e4c55';
		expect(hankoUserId(v4)).toBe(v4);
		expect(hankoUserId('legacy-1')).toBe(hankoUserId('legacy-1'));
		expect(hankoUserId('legacy-1')).not.toBe(hankoUserId('legacy-2'));
		expect(uuidVersion(hankoUserId('legacy-1'))).toBe(5);
		expect(uuidVersion(hankoUserId(v7))).toBe(5);
		expect(isUuid(HANKO_ID_NAMESPACE)).toBe(true);
		const records = [user(1, { user_id: v4 }), user(2, { user_id: 'legacy,1' })];
		const first = await writeAll('hanko', records);
		const again = await writeAll('hanko', records);
		expect(again.files.get('users.json')!.text).toBe(first.files.get('users.json')!.text);
		expect(first.files.get('id-map.csv')!.text).toBe(
			`source_user_id,hanko_user_id\r\n"legacy,1",${hankoUserId('legacy,1')}\r\n`
		);
	});

	it('writes exactly one primary address, lower-cased, and leaves out users without one', async () => {
		const addresses = (...list: [string, boolean][]) =>
			list.map(([address, primary]) => ({ address, primary, verified: primary }));
		const written = await writeAll('hanko', [
			{ user_id: 'a', emails: addresses(['Ana@Example.org', true], ['ana@work.example', false]) },
			{ user_id: 'b', emails: addresses(['b@example.org', false]) },
			{ user_id: 'c', emails: addresses(['c@example.org', true], ['c2@example.org', true]) },
			{ user_id: 'd', username: 'dee' },
			{ user_id: 'e', email: 'e@example.org', password: BCRYPT_2A_CREDENTIAL },
			{ user_id: 'f', email: 'f@example.org', password: BCRYPT_2B_CREDENTIAL }
		]);
		expect(written.skipped.map(({ reason }) => reason)).toEqual([
			'no_primary_email',
			'several_primary_emails',
			'no_primary_email'
		]);
		const users = JSON.parse(written.files.get('users.json')!.text);
		expect(users[0].emails).toEqual([
			{ address: 'ana@example.org', is_primary: true, is_verified: true },
			{ address: 'ana@work.example', is_primary: false, is_verified: false }
		]);
		expect(users[1].password).toEqual({ password: BCRYPT_2A });
		// Hanko's validator takes $2a$ only: the $2b$ hash is written as $2a$ (identity/spellings.ts).
		expect(users[2].password).toEqual({ password: BCRYPT_2A });
	});
});

describe('cognito', () => {
	it('writes the template header, UTF-8 without BOM, commas escaped, usernames without spaces', async () => {
		const written = await writeAll('cognito', [
			user(1, { name: 'Núñez, Zoë', email_verified: 'true' }),
			{ username: 'has space', email: 'x@example.org' },
			{ email: 'nobody@example.org' }
		]);
		const text = written.files.get('users.csv')!.text;
		expect(text.charCodeAt(0)).not.toBe(0xfeff);
		const [header, row] = text.split('\n');
		expect(header).toBe(COGNITO_HEADER.join(','));
		expect(row).toBe('u1,Núñez\\, Zoë,,,,,,,,,user1@example.org,true,,,,,,,,,false');
		expect(written.skipped.map(({ reason }) => reason)).toEqual([
			'username_with_whitespace',
			'no_username'
		]);
	});

	it('splits by rows and by bytes, each file with the header', async () => {
		const records = Array.from({ length: 5 }, (_, n) => user(n));
		const byRows = await writeAll('cognito', records, { limits: { rowsPerFile: 2 } });
		expect([...byRows.files.values()].map((file) => file.rows)).toEqual([2, 2, 1]);
		expect([...byRows.files.keys()]).toEqual(['users.csv', 'users-2.csv', 'users-3.csv']);
		const header = COGNITO_HEADER.join(',').length + 1;
		const row = `u0,,,,,,,,,,user0@example.org,,,,,,,,,,false\n`.length;
		const byBytes = await writeAll('cognito', records, {
			limits: { bytesPerFile: header + 3 * row }
		});
		expect([...byBytes.files.values()].map((file) => [file.rows, file.bytes])).toEqual([
			[3, header + 3 * row],
			[2, header + 2 * row]
		]);
		for (const file of byBytes.files.values())
			expect(file.text.startsWith('cognito:username,')).toBe(true);
	});
});

describe('firebase', () => {
	it('writes one file per hash configuration and the auth:import command of each', async () => {
		const written = await writeAll('firebase', [
			user(1),
			user(2, { password: BCRYPT_2B_CREDENTIAL }),
			user(3, { password: MD5 }),
			user(4, { password: BCRYPT_2A_CREDENTIAL }),
			{ email: 'no-id@example.org' }
		]);
		const users = (name: string) => JSON.parse(written.files.get(name)!.text).users;
		expect(users('users.json').map((u: { localId: string }) => u.localId)).toEqual([
			'u1',
			'u2',
			'u4'
		]);
		expect(users('users.json')[1].passwordHash).toBe(Buffer.from(BCRYPT_2B).toString('base64'));
		expect(users('users-2.json')).toEqual([
			{ localId: 'u3', email: 'user3@example.org', passwordHash: 'X03MO1qnZdYdgyfeuILPmQ==' }
		]);
		expect(written.files.get('hash-flags.txt')!.text).toContain(
			'firebase auth:import users.json --hash-algo=BCRYPT\n' +
				'firebase auth:import users-2.json --hash-algo=MD5 --rounds=1\n'
		);
		expect(written.skipped).toEqual([{ reason: 'no_user_id', record: 4 }]);
	});
});

describe('csv, json and ndjson', () => {
	const records = [
		user(1, { roles: ['admin', 'ops'], email_verified: 'true', password: MD5 }),
		user(2, { name: 'Zoë, "Z"' })
	];

	it('write the chosen fields under their new names, and only a sample when asked', async () => {
		const options = { fields: ['email', 'name', 'roles'] as const, rename: { email: 'mail' } };
		const csv = await writeAll('csv', records, { ...options, fields: [...options.fields] });
		expect(csv.files.get('users.csv')!.text).toBe(
			'mail,name,roles\r\nuser1@example.org,,"[""admin"",""ops""]"\r\nuser2@example.org,"Zoë, ""Z""",\r\n'
		);
		const ndjson = await writeAll('ndjson', records, {
			fields: ['email', 'roles'],
			rename: { email: 'mail' },
			sample: 1
		});
		expect(ndjson.files.get('users.ndjson')!.text).toBe(
			'{"mail":"user1@example.org","roles":["admin","ops"]}\n'
		);
		const json = await writeAll('json', []);
		expect(JSON.parse(json.files.get('users.json')!.text)).toEqual([]);
	});
});

describe('streaming', () => {
	it('hands out pieces while the input is still being read', async () => {
		let read = 0;
		async function* many() {
			for (let n = 0; n < 20_000; n++) {
				read++;
				yield user(n);
			}
		}
		let readAtFirstData = -1;
		for await (const piece of TARGETS.ndjson.write(many(), {}) as AsyncIterable<ConvertPiece>)
			if (piece.kind === 'data' && readAtFirstData < 0) readAtFirstData = read;
		expect(readAtFirstData).toBeGreaterThan(0);
		expect(readAtFirstData).toBeLessThan(5_000);
	});
});

describe('pre-flight', () => {
	it('lists what the target cannot take and what happens to it', async () => {
		const records: CanonicalRecord[] = [
			user(1, { password: MD5, roles: ['admin'] }),
			user(2, { password: MD5 }),
			user(3, { password: BCRYPT_2A_CREDENTIAL }),
			{ user_id: '4', username: 'no-mail' },
			user(5, { password: BCRYPT_2B_CREDENTIAL })
		];
		const { census, builder } = await censusOf(TARGETS.hanko, asyncOf(records));
		expect(census).toEqual({
			records: 5,
			skipped: { no_primary_email: 1 },
			resets: { md5: 2 },
			respelled: { bcrypt: 1 },
			dropped: { roles: 1 },
			rewrittenIds: 4
		});
		const items = preflight(builder);
		expect(items.map(({ outcome, subject, count }) => [outcome, subject, count])).toEqual([
			['left_out', 'no_primary_email', 1],
			['reset', 'md5', 2],
			['dropped', 'roles', 1],
			['rewritten', 'bcrypt', 1],
			['rewritten', 'user_id', 4]
		]);
		expect(items[3].message).toBe(
			'1 bcrypt password hash → written as $2a$…, the way Hanko user import (JSON) takes it: the same hash, so that user keeps the password.'
		);
		expect(items[1].message).toMatch(
			/^2 md5 password hashes → those users reset their password\. Hanko takes bcrypt/
		);
		expect(items[0].message).toContain('without a primary email address → left out');
	});

	it('says why Firebase cannot hold a hash of an algorithm it verifies', () => {
		const { records } = readFixture('auth0-bulk-import.json');
		const builder = new CensusBuilder(TARGETS.firebase);
		records.forEach((record) => builder.add(record));
		const resets = Object.fromEntries(
			preflight(builder)
				.filter(({ outcome }) => outcome === 'reset')
				.map(({ subject, message }) => [subject, message])
		);
		expect(resets.bcrypt).toContain(
			'cannot express this bcrypt hash: it has a salt of its own, which the bcrypt string of auth:import cannot add.'
		);
		expect(resets.pbkdf2).toContain(
			'its 310,000 rounds are more than the 120,000 auth:import takes.'
		);
		expect(resets.sha1).toContain(
			"its password was hashed as latin1 text, and Firebase hashes the password's UTF-8 bytes."
		);
		// An algorithm Firebase does not verify gets the profile's reason instead.
		expect(resets.argon2).toContain('Firebase Authentication takes');
	});

	it('agrees with what the writer leaves out', async () => {
		const { records } = readFixture('auth0-bulk-import.json');
		for (const target of Object.values(TARGETS)) {
			const builder = new CensusBuilder(target);
			records.forEach((record) => builder.add(record));
			const written = await writeAll(target, records);
			const skipped = Object.values(builder.census.skipped).reduce((a, b) => a + (b ?? 0), 0);
			expect(written.skipped).toHaveLength(skipped);
		}
	});
});
