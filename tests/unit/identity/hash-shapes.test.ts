import { describe, expect, it } from 'vitest';
import { recogniseHash } from '../../../src/lib/core/identity/hash-shapes';
import { HASHES } from './fixtures';

describe('recogniseHash: valid shapes', () => {
	const cases = [
		{
			name: 'bcrypt $2b$',
			value: HASHES.bcrypt2b,
			algorithm: 'bcrypt',
			params: { variant: '2b', cost: 10 }
		},
		{
			name: 'bcrypt $2a$',
			value: HASHES.bcrypt2a,
			algorithm: 'bcrypt',
			params: { variant: '2a', cost: 10 }
		},
		{
			name: 'bcrypt $2y$',
			value: HASHES.bcrypt2y,
			algorithm: 'bcrypt',
			params: { variant: '2y', cost: 10 }
		},
		{
			name: 'argon2id (Auth0 example)',
			value: HASHES.argon2id,
			algorithm: 'argon2',
			params: { variant: 'argon2id', version: 19, memory: 65536, iterations: 2, parallelism: 1 }
		},
		{
			name: 'argon2i (reference vector)',
			value: HASHES.argon2i,
			algorithm: 'argon2',
			params: { variant: 'argon2i', version: 19, memory: 65536, iterations: 2, parallelism: 1 }
		},
		{
			name: 'argon2i v1.0 without v=',
			value: HASHES.argon2iV10,
			algorithm: 'argon2',
			params: { variant: 'argon2i', version: 16, memory: 65536, iterations: 2, parallelism: 1 }
		},
		{
			name: 'PHC pbkdf2-sha256',
			value: HASHES.pbkdf2Phc,
			algorithm: 'pbkdf2',
			params: { digest: 'sha256', format: 'phc', iterations: 310000, keylen: 32 }
		},
		{
			name: 'PHC pbkdf2-sha512',
			value: HASHES.pbkdf2PhcSha512,
			algorithm: 'pbkdf2',
			params: { digest: 'sha512', format: 'phc', iterations: 210000, keylen: 64 }
		},
		{
			name: 'PHC pbkdf2 without i and l (Auth0 defaults them)',
			value:
				'$pbkdf2-sha512$$KNyFsA2rWoE$I2CQGI9H0JxdDf3kERRI97kPCGxh0KWBIV3MxyaS191gDGfzVBGyS4BibhgqWQ0/ails8mHuU9ckASxHOOq58w'.replace(
					'$$',
					'$'
				),
			algorithm: 'pbkdf2',
			params: { digest: 'sha512', format: 'phc' }
		},
		{
			name: 'passlib pbkdf2-sha256',
			value: HASHES.pbkdf2Passlib,
			algorithm: 'pbkdf2',
			params: { digest: 'sha256', format: 'passlib', iterations: 310000 }
		},
		{
			name: 'Django pbkdf2_sha256',
			value: HASHES.django,
			algorithm: 'pbkdf2',
			params: { digest: 'sha256', iterations: 310000, format: 'django' }
		},
		{
			name: 'PHC scrypt',
			value: HASHES.scryptPhc,
			algorithm: 'scrypt',
			params: { format: 'phc', cost: 16384, blockSize: 8, parallelization: 1, keylen: 32 }
		},
		{
			name: 'Firebase scrypt ($fbscrypt$)',
			value: HASHES.fbscrypt,
			algorithm: 'firebase-scrypt',
			params: {
				format: 'fbscrypt',
				memCost: 14,
				rounds: 8,
				parallelization: 1,
				saltSeparator: 'Bw==',
				signerKey: Buffer.alloc(64, 7).toString('base64')
			}
		},
		{ name: 'LDAP {SHA}', value: HASHES.ldapSha, algorithm: 'ldap', params: { scheme: 'SHA' } },
		{ name: 'LDAP {SSHA}', value: HASHES.ldapSsha, algorithm: 'ldap', params: { scheme: 'SSHA' } },
		{
			name: 'LDAP {SSHA512}',
			value: HASHES.ldapSsha512,
			algorithm: 'ldap',
			params: { scheme: 'SSHA512' }
		},
		{
			name: 'LDAP {SSHA384} (Auth0 example)',
			value: HASHES.ldapSsha384,
			algorithm: 'ldap',
			params: { scheme: 'SSHA384' }
		},
		{
			name: 'LDAP {ssha} in lower case',
			value: HASHES.ldapSsha.replace('SSHA', 'ssha'),
			algorithm: 'ldap',
			params: { scheme: 'SSHA' }
		},
		{
			name: 'LDAP {CRYPT} kept unchecked',
			value: `{CRYPT}${HASHES.bcrypt2b}`,
			algorithm: 'ldap',
			params: { scheme: 'CRYPT' }
		}
	];
	for (const { name, value, algorithm, params } of cases)
		it(name, () => {
			const result = recogniseHash(value);
			expect(result).toEqual({ credential: { algorithm, hash: value, params } });
		});

	const guesses = [
		{ value: HASHES.md5, algorithm: 'md5' },
		{ value: HASHES.sha1, algorithm: 'sha1' },
		{ value: HASHES.sha256, algorithm: 'sha256' },
		{ value: HASHES.sha512.toUpperCase(), algorithm: 'sha512' }
	];
	for (const { value, algorithm } of guesses)
		it(`${value.length} hex digits are a guessed ${algorithm}`, () => {
			expect(recogniseHash(value)).toEqual({
				credential: { algorithm, hash: value, encoding: 'hex', guessed: true }
			});
		});

	for (const value of [
		'hunter2',
		'deadbeef',
		'$1$abc$def',
		'$6$rounds=5000$salt$hash',
		'AbuUujgF0pPPkJPSFRTpmA=='
	])
		it(`${JSON.stringify(value)} is unknown`, () => {
			expect(recogniseHash(value)).toEqual({ credential: { algorithm: 'unknown', hash: value } });
		});

	it('trims the value', () => {
		expect(recogniseHash(` ${HASHES.bcrypt2b}\n`)).toMatchObject({
			credential: { hash: HASHES.bcrypt2b }
		});
	});
});

describe('recogniseHash: malformed shapes are errors with a reason', () => {
	const body = HASHES.bcrypt2b.slice(7);
	const cases = [
		{ name: 'empty', value: '', reason: /empty/ },
		{ name: 'bcrypt too short', value: '$2b$10$short', reason: /53 characters.*has 5/ },
		{ name: 'bcrypt cost 03', value: `$2b$03$${body}`, reason: /cost 03 is outside 04–31/ },
		{ name: 'bcrypt cost 32', value: `$2b$32$${body}`, reason: /cost 32/ },
		{ name: 'bcrypt one-digit cost', value: `$2b$9$${body}`, reason: /two-digit cost/ },
		{
			name: 'bcrypt bad character',
			value: `$2b$10$${body.slice(0, -1)}!`,
			reason: /other characters/
		},
		{ name: 'bcrypt 54 characters', value: `${HASHES.bcrypt2b}x`, reason: /has 54/ },
		{ name: 'bcrypt $2x$', value: `$2x$10$${body}`, reason: /\$2x\$ is not one of/ },
		{ name: 'bcrypt $2$', value: `$2$10$${body}`, reason: /\$2\$ is not one of/ },
		{
			name: 'argon2 unknown variant',
			value: HASHES.argon2id.replace('argon2id', 'argon2x'),
			reason: /variant argon2x/
		},
		{ name: 'argon2 version 20', value: HASHES.argon2id.replace('v=19', 'v=20'), reason: /v=20/ },
		{
			name: 'argon2 without m',
			value: HASHES.argon2id.replace('m=65536,', ''),
			reason: /parameter m/
		},
		{ name: 'argon2 t=0', value: HASHES.argon2id.replace('t=2', 't=0'), reason: /t=0/ },
		{
			name: 'argon2 without hash',
			value: '$argon2id$v=19$m=65536,t=2,p=1$J6Q/82PCyaNpYKRELJyTZg',
			reason: /salt and a hash/
		},
		{
			name: 'argon2 salt of 4 bytes',
			value: '$argon2id$v=19$m=65536,t=2,p=1$c29tZQ$m04qUAB8rexWDR4',
			reason: /fewer than 8/
		},
		{
			name: 'argon2 hash not base64',
			value: HASHES.argon2id.slice(0, -4) + '!!!!',
			reason: /not base64/
		},
		{
			name: 'pbkdf2 without digest',
			value: HASHES.pbkdf2Phc.replace('pbkdf2-sha256', 'pbkdf2'),
			reason: /digest/
		},
		{
			name: 'pbkdf2 l disagrees',
			value: HASHES.pbkdf2Phc.replace('l=32', 'l=64'),
			reason: /32 bytes but l=64/
		},
		{ name: 'pbkdf2 i=abc', value: HASHES.pbkdf2Phc.replace('i=310000', 'i=abc'), reason: /abc/ },
		{
			name: 'pbkdf2 bad pair',
			value: HASHES.pbkdf2Phc.replace('i=310000,', 'i=310000,x,'),
			reason: /not name=value/
		},
		{ name: 'Django short hash', value: HASHES.django.slice(0, -8), reason: /32 bytes/ },
		{ name: 'Django no iterations', value: 'pbkdf2_sha256$$salt$hash', reason: /iteration/ },
		{ name: 'Django missing parts', value: 'pbkdf2_sha256$310000$salt', reason: /separated by/ },
		{
			name: 'scrypt without ln',
			value: HASHES.scryptPhc.replace('ln=14,', ''),
			reason: /parameter ln/
		},
		{ name: 'fbscrypt without v=1', value: HASHES.fbscrypt.replace('v=1,', ''), reason: /v=1/ },
		{
			name: 'fbscrypt bad sk',
			value: HASHES.fbscrypt.replace(/sk=[^$]+/, 'sk=%%%'),
			reason: /sk is not base64/
		},
		{
			name: 'LDAP {SHA} wrong length',
			value: `{SHA}${Buffer.alloc(19).toString('base64')}`,
			reason: /19 bytes; it needs 20/
		},
		{
			name: 'LDAP {SSHA} without salt',
			value: HASHES.ldapSha.replace('SHA', 'SSHA'),
			reason: /more than 20/
		},
		{ name: 'LDAP {MD5} not base64', value: '{MD5}###', reason: /not base64/ }
	];
	for (const { name, value, reason } of cases)
		it(name, () => {
			const result = recogniseHash(value);
			expect(result).toHaveProperty('error');
			expect((result as { error: string }).error).toMatch(reason);
		});
});
