import { describe, expect, it } from 'vitest';
import {
	credentialFromAuth0,
	credentialFromAuth0PasswordHash
} from '../../../src/lib/core/identity/auth0';
import { HASHES } from './fixtures';

/** Every algorithm Auth0 documents, with a valid object (shapes from Auth0's own examples). */
const VALID = [
	{
		name: 'argon2',
		input: { algorithm: 'argon2', hash: { value: HASHES.argon2id } },
		expected: {
			algorithm: 'argon2',
			hash: HASHES.argon2id,
			params: { variant: 'argon2id', version: 19, memory: 65536, iterations: 2, parallelism: 1 }
		}
	},
	{
		name: 'bcrypt with a salt',
		input: {
			algorithm: 'bcrypt',
			hash: { value: HASHES.bcrypt2y, encoding: 'utf8' },
			salt: { value: 'pepper', position: 'suffix' }
		},
		expected: {
			algorithm: 'bcrypt',
			hash: HASHES.bcrypt2y,
			encoding: 'utf8',
			salt: 'pepper',
			salt_encoding: 'utf8',
			salt_position: 'suffix',
			params: { variant: '2y', cost: 10 }
		}
	},
	{
		name: 'hmac',
		input: {
			algorithm: 'hmac',
			hash: {
				value: 'cg7f42jH39/2EaAU4wNd4s2lKIk=',
				encoding: 'base64',
				digest: 'sha1',
				key: { value: '736868', encoding: 'hex' }
			}
		},
		expected: {
			algorithm: 'hmac',
			hash: 'cg7f42jH39/2EaAU4wNd4s2lKIk=',
			encoding: 'base64',
			params: { digest: 'sha1', key: '736868', keyEncoding: 'hex' }
		}
	},
	{
		name: 'ldap',
		input: { algorithm: 'ldap', hash: { value: HASHES.ldapSsha384, encoding: 'utf8' } },
		expected: {
			algorithm: 'ldap',
			hash: HASHES.ldapSsha384,
			encoding: 'utf8',
			params: { scheme: 'SSHA384' }
		}
	},
	{
		name: 'md4 in base64',
		input: { algorithm: 'md4', hash: { value: 'AbuUujgF0pPPkJPSFRTpmA==', encoding: 'base64' } },
		expected: { algorithm: 'md4', hash: 'AbuUujgF0pPPkJPSFRTpmA==', encoding: 'base64' }
	},
	{
		name: 'md5 in upper-case hex',
		input: { algorithm: 'md5', hash: { value: HASHES.md5.toUpperCase(), encoding: 'hex' } },
		expected: { algorithm: 'md5', hash: HASHES.md5.toUpperCase(), encoding: 'hex' }
	},
	{
		name: 'sha1',
		input: { algorithm: 'sha1', hash: { value: HASHES.sha1, encoding: 'hex' } },
		expected: { algorithm: 'sha1', hash: HASHES.sha1, encoding: 'hex' }
	},
	{
		name: 'sha256 with a prefix salt (Auth0 example)',
		input: {
			algorithm: 'sha256',
			hash: {
				value: 'd24e794fce503c3ddb1cd1ba1dd5d9b250cf9917336a0316fefd87fecf79200f',
				encoding: 'hex'
			},
			salt: { value: 'abc123', position: 'prefix' }
		},
		expected: {
			algorithm: 'sha256',
			hash: 'd24e794fce503c3ddb1cd1ba1dd5d9b250cf9917336a0316fefd87fecf79200f',
			encoding: 'hex',
			salt: 'abc123',
			salt_encoding: 'utf8',
			salt_position: 'prefix'
		}
	},
	{
		name: 'sha512 with a ucs2 password',
		input: {
			algorithm: 'sha512',
			hash: { value: HASHES.sha512, encoding: 'hex' },
			password: { encoding: 'ucs2' }
		},
		expected: {
			algorithm: 'sha512',
			hash: HASHES.sha512,
			encoding: 'hex',
			params: { passwordEncoding: 'ucs2' }
		}
	},
	{
		name: 'pbkdf2',
		input: { algorithm: 'pbkdf2', hash: { value: HASHES.pbkdf2PhcSha512, encoding: 'utf8' } },
		expected: {
			algorithm: 'pbkdf2',
			hash: HASHES.pbkdf2PhcSha512,
			encoding: 'utf8',
			params: { digest: 'sha512', format: 'phc', iterations: 210000, keylen: 64 }
		}
	},
	{
		name: 'scrypt with defaults',
		input: {
			algorithm: 'scrypt',
			hash: { value: HASHES.scryptHex, encoding: 'hex' },
			salt: { value: HASHES.saltHex, encoding: 'hex' },
			keylen: 32
		},
		expected: {
			algorithm: 'scrypt',
			hash: HASHES.scryptHex,
			encoding: 'hex',
			salt: HASHES.saltHex,
			salt_encoding: 'hex',
			salt_position: 'prefix',
			params: { keylen: 32, cost: 16384, blockSize: 8, parallelization: 1 }
		}
	}
];

describe('credentialFromAuth0: every documented algorithm, valid', () => {
	for (const { name, input, expected } of VALID)
		it(name, () => {
			expect(credentialFromAuth0(input)).toEqual({ credential: expected });
		});
});

/** Every algorithm with an object Auth0 would refuse, and the reason it gives. */
const INVALID = [
	{
		name: 'argon2 with a salt object',
		input: { algorithm: 'argon2', hash: { value: HASHES.argon2id }, salt: { value: 'x' } },
		reason: /salt object is not allowed/
	},
	{
		name: 'argon2 in base64',
		input: { algorithm: 'argon2', hash: { value: HASHES.argon2id, encoding: 'base64' } },
		reason: /must be utf8/
	},
	{
		name: 'bcrypt $2x$',
		input: { algorithm: 'bcrypt', hash: { value: `$2x$${HASHES.bcrypt2b.slice(4)}` } },
		reason: /\$2x\$/
	},
	{
		name: 'bcrypt holding an argon2 string',
		input: { algorithm: 'bcrypt', hash: { value: HASHES.argon2id } },
		reason: /not a bcrypt string \(it looks like argon2\)/
	},
	{
		name: 'hmac without digest',
		input: {
			algorithm: 'hmac',
			hash: { value: 'cg7f42jH39/2EaAU4wNd4s2lKIk=', encoding: 'base64' }
		},
		reason: /needs hash.digest/
	},
	{
		name: 'hmac without key',
		input: {
			algorithm: 'hmac',
			hash: { value: 'cg7f42jH39/2EaAU4wNd4s2lKIk=', encoding: 'base64', digest: 'sha1' }
		},
		reason: /needs hash.key/
	},
	{
		name: 'hmac with an unknown digest',
		input: {
			algorithm: 'hmac',
			hash: { value: 'cg7f42jH', encoding: 'base64', digest: 'sha3', key: { value: 'k' } }
		},
		reason: /hash.digest must be one of/
	},
	{
		name: 'ldap {CRYPT}',
		input: { algorithm: 'ldap', hash: { value: `{CRYPT}${HASHES.bcrypt2b}` } },
		reason: /\{CRYPT\}/
	},
	{
		name: 'ldap with a salt',
		input: { algorithm: 'ldap', hash: { value: HASHES.ldapSsha }, salt: { value: 'x' } },
		reason: /not allowed/
	},
	{
		name: 'md4 in utf8',
		input: { algorithm: 'md4', hash: { value: 'AbuUujgF0pPPkJPSFRTpmA==', encoding: 'utf8' } },
		reason: /hex or base64, not utf8/
	},
	{
		name: 'md5 without encoding',
		input: { algorithm: 'md5', hash: { value: HASHES.md5 } },
		reason: /must be hex or base64\./
	},
	{
		name: 'sha1 of the wrong length',
		input: { algorithm: 'sha1', hash: { value: HASHES.md5, encoding: 'hex' } },
		reason: /20 bytes; this hex value holds 16/
	},
	{
		name: 'sha256 in bad hex',
		input: { algorithm: 'sha256', hash: { value: 'xyz', encoding: 'hex' } },
		reason: /not valid hex/
	},
	{
		name: 'sha512 with a bad salt position',
		input: {
			algorithm: 'sha512',
			hash: { value: HASHES.sha512, encoding: 'hex' },
			salt: { value: 'abc', position: 'middle' }
		},
		reason: /salt.position must be one of prefix, suffix/
	},
	{
		name: 'pbkdf2 in Django form',
		input: { algorithm: 'pbkdf2', hash: { value: HASHES.django } },
		reason: /PHC string/
	},
	{
		name: 'scrypt without keylen',
		input: { algorithm: 'scrypt', hash: { value: HASHES.scryptHex, encoding: 'hex' } },
		reason: /keylen/
	},
	{
		name: 'scrypt cost not a power of two',
		input: {
			algorithm: 'scrypt',
			hash: { value: HASHES.scryptHex, encoding: 'hex' },
			keylen: 32,
			cost: 1000
		},
		reason: /power of two/
	},
	{
		name: 'scrypt keylen disagrees with the hash',
		input: { algorithm: 'scrypt', hash: { value: HASHES.scryptHex, encoding: 'hex' }, keylen: 64 },
		reason: /32 bytes but keylen is 64/
	},
	{
		name: 'unknown algorithm',
		input: { algorithm: 'crc32', hash: { value: 'x' } },
		reason: /algorithm must be one of/
	},
	{ name: 'no algorithm', input: { hash: { value: 'x' } }, reason: /needs an algorithm/ },
	{
		name: 'hash as a string (legacy flat shape)',
		input: { algorithm: 'md5', hash: HASHES.md5 },
		reason: /hash object/
	},
	{
		name: 'empty hash value',
		input: { algorithm: 'md5', hash: { value: '', encoding: 'hex' } },
		reason: /non-empty/
	},
	{
		name: 'legacy salt_prefix',
		input: { algorithm: 'md5', hash: { value: HASHES.md5, encoding: 'hex' }, salt_prefix: 'x' },
		reason: /unknown property "salt_prefix"/
	},
	{
		name: 'bad password encoding',
		input: {
			algorithm: 'md5',
			hash: { value: HASHES.md5, encoding: 'hex' },
			password: { encoding: 'ebcdic' }
		},
		reason: /password.encoding/
	},
	{ name: 'not an object', input: 'bcrypt', reason: /must be an object/ }
];

describe('credentialFromAuth0: invalid objects are errors with the reason', () => {
	for (const { name, input, reason } of INVALID)
		it(name, () => {
			const result = credentialFromAuth0(input);
			expect(result).toHaveProperty('error');
			expect((result as { error: string }).error).toMatch(reason);
		});
});

describe("Auth0's password_hash", () => {
	it('takes a bcrypt string', () => {
		expect(credentialFromAuth0PasswordHash(HASHES.bcrypt2a)).toEqual({
			credential: {
				algorithm: 'bcrypt',
				hash: HASHES.bcrypt2a,
				params: { variant: '2a', cost: 10 }
			}
		});
	});
	const refused = [
		{ value: HASHES.md5, reason: /looks like md5/ },
		{ value: 'plain', reason: /is not a bcrypt string/ },
		{ value: '$2b$10$short', reason: /53 characters/ },
		{ value: 42, reason: /must be a bcrypt string/ }
	];
	for (const { value, reason } of refused)
		it(`refuses ${JSON.stringify(value)}`, () => {
			expect((credentialFromAuth0PasswordHash(value) as { error: string }).error).toMatch(reason);
		});
});
