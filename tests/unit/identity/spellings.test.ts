// One hash, several spellings: every spelling Ferry reads of a pbkdf2 hash (Django, passlib, hash
// and salt kept apart as Keycloak and Firebase keep them) becomes a PHC string Auth0's reader
// takes and from which the password derives the very key it holds; a `$2b$` or `$2y$` bcrypt
// string becomes the `$2a$` one Hanko imports, which bcryptjs (like Go's bcrypt, with which Hanko
// verifies) checks the same. So no user of such a hash has to reset a password.
import bcrypt from 'bcryptjs';
import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auth0User } from '../../../src/lib/core/convert/auth0';
import { hankoUser } from '../../../src/lib/core/convert/hanko';
import { credentialFromAuth0 } from '../../../src/lib/core/identity/auth0';
import type { Credential } from '../../../src/lib/core/identity/credential';
import { recogniseHash } from '../../../src/lib/core/identity/hash-shapes';
import { bcryptAs2a, pbkdf2AsPhc } from '../../../src/lib/core/identity/spellings';
import { HASHES } from './fixtures';

const PASSWORD = HASHES.password;
/** Salt bytes whose base64 has '+' and '/' (passlib writes '.' for '+'). */
const SALT = Buffer.from([0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06]);
const DJANGO_SALT = 'Zm9vYmFyYmF6cXV4';

const key = (salt: Buffer | string, iterations: number, bytes: number, digest: string) =>
	pbkdf2Sync(PASSWORD, salt, iterations, bytes, digest);
const ab64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '').replaceAll('+', '.');

function read(hash: string): Credential {
	const result = recogniseHash(hash);
	if (!('credential' in result)) throw new Error(result.error);
	return result.credential;
}

/** As Keycloak's and Firebase's readers give it: base64 key and salt beside the parameters. */
function apart(digest: string, iterations: number, bytes: number): Credential {
	return {
		algorithm: 'pbkdf2',
		hash: key(SALT, iterations, bytes, digest).toString('base64'),
		encoding: 'base64',
		salt: SALT.toString('base64'),
		salt_encoding: 'base64',
		params: { digest, iterations, keylen: bytes }
	};
}

const SPELLINGS: { name: string; credential: Credential; digest: string; iterations: number }[] = [
	{
		name: 'Django pbkdf2_sha256',
		credential: read(
			`pbkdf2_sha256$260000$${DJANGO_SALT}$${key(DJANGO_SALT, 260_000, 32, 'sha256').toString('base64')}`
		),
		digest: 'sha256',
		iterations: 260_000
	},
	{
		name: 'Django pbkdf2_sha1',
		credential: read(
			`pbkdf2_sha1$30000$${DJANGO_SALT}$${key(DJANGO_SALT, 30_000, 20, 'sha1').toString('base64')}`
		),
		digest: 'sha1',
		iterations: 30_000
	},
	{
		name: 'passlib pbkdf2-sha256',
		credential: read(`$pbkdf2-sha256$29000$${ab64(SALT)}$${ab64(key(SALT, 29_000, 32, 'sha256'))}`),
		digest: 'sha256',
		iterations: 29_000
	},
	{
		name: 'passlib pbkdf2-sha512',
		credential: read(`$pbkdf2-sha512$25000$${ab64(SALT)}$${ab64(key(SALT, 25_000, 64, 'sha512'))}`),
		digest: 'sha512',
		iterations: 25_000
	},
	{
		name: 'Keycloak pbkdf2-sha256, key and salt apart',
		credential: apart('sha256', 27_500, 32),
		digest: 'sha256',
		iterations: 27_500
	},
	{
		name: 'Keycloak pbkdf2-sha512, key and salt apart',
		credential: apart('sha512', 30_000, 64),
		digest: 'sha512',
		iterations: 30_000
	},
	{
		name: 'PHC already (left as it is)',
		credential: read(HASHES.pbkdf2Phc),
		digest: 'sha256',
		iterations: 310_000
	}
];

/** Whether `password` derives the key of this PHC pbkdf2 string with its own parameters. */
function derives(phc: string, password: string): boolean {
	const match =
		/^\$pbkdf2-([a-z0-9]+)\$i=([0-9]+),l=([0-9]+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(phc);
	if (!match) throw new Error(`not a PHC pbkdf2 string with i and l: ${phc}`);
	const [, digest, iterations, bytes, salt, held] = match;
	const derived = pbkdf2Sync(
		password,
		Buffer.from(salt, 'base64'),
		Number(iterations),
		Number(bytes),
		digest
	);
	return derived.equals(Buffer.from(held, 'base64'));
}

describe('pbkdf2AsPhc', () => {
	for (const { name, credential, digest, iterations } of SPELLINGS)
		it(name, () => {
			const phc = pbkdf2AsPhc(credential)!;
			expect(phc.params).toMatchObject({ digest, iterations, format: 'phc' });
			expect(derives(phc.hash, PASSWORD)).toBe(true);
			expect(derives(phc.hash, `${PASSWORD}!`)).toBe(false);
			// Auth0's reader (identity/auth0.ts, from its import schema) takes it as it is written.
			expect(
				credentialFromAuth0({ algorithm: 'pbkdf2', hash: { value: phc.hash, encoding: 'utf8' } })
			).toEqual({
				credential: { algorithm: 'pbkdf2', hash: phc.hash, encoding: 'utf8', params: phc.params }
			});
		});

	it('gives nothing for what it cannot write', () => {
		const keycloak = apart('sha256', 27_500, 32);
		expect(pbkdf2AsPhc({ ...keycloak, salt: undefined })).toBeNull();
		expect(pbkdf2AsPhc({ ...keycloak, params: { digest: 'sha256' } })).toBeNull();
		expect(pbkdf2AsPhc(read(HASHES.bcrypt2b))).toBeNull();
	});
});

describe('the Auth0 bulk import', () => {
	it('writes a Django pbkdf2 hash as the PHC string that verifies the password', () => {
		const { credential } = SPELLINGS[0];
		const user = auth0User({ email: 'ana@example.org', password: credential });
		const written = user.custom_password_hash as { algorithm: string; hash: { value: string } };
		expect(written.algorithm).toBe('pbkdf2');
		expect(written.hash.value).toBe(pbkdf2AsPhc(credential)!.hash);
		expect(derives(written.hash.value, PASSWORD)).toBe(true);
	});
});

describe('bcryptAs2a', () => {
	const cases = [
		{ name: '$2b$ (Auth0\'s example, "hello")', hash: HASHES.bcrypt2b, password: 'hello' },
		{
			name: '$2y$ (PHP\'s example, "rasmuslerdorf")',
			hash: HASHES.bcrypt2y,
			password: 'rasmuslerdorf'
		}
	];
	for (const { name, hash, password } of cases)
		it(name, () => {
			expect(bcrypt.compareSync(password, hash)).toBe(true);
			const rewritten = bcryptAs2a(read(hash))!;
			expect(rewritten.hash).toBe(`$2a$${hash.slice(4)}`);
			expect(rewritten.params).toEqual({ variant: '2a', cost: 10 });
			expect(bcrypt.compareSync(password, rewritten.hash)).toBe(true);
			expect(bcrypt.compareSync(`${password}!`, rewritten.hash)).toBe(false);
		});

	it('gives nothing for $2a$ already, a bcrypt with a salt of its own, or another algorithm', () => {
		expect(bcryptAs2a(read(HASHES.bcrypt2a))).toBeNull();
		expect(bcryptAs2a({ ...read(HASHES.bcrypt2b), salt: 'pepper' })).toBeNull();
		expect(bcryptAs2a(read(HASHES.md5))).toBeNull();
	});
});

describe('the Hanko import', () => {
	it('writes a $2b$ hash as the $2a$ string that verifies the password', () => {
		const user = hankoUser({
			email: 'ana@example.org',
			emails: [{ address: 'ana@example.org', primary: true, verified: true }],
			password: read(HASHES.bcrypt2b)
		});
		const written = (user.password as { password: string }).password;
		expect(written.startsWith('$2a$')).toBe(true);
		expect(bcrypt.compareSync('hello', written)).toBe(true);
	});
});
