import { describe, expect, it } from 'vitest';
import {
	credentialFromFirebase,
	type FirebaseHashConfig
} from '../../../src/lib/core/identity/firebase';
import { credentialFromKeycloak } from '../../../src/lib/core/identity/keycloak';
import { HASHES } from './fixtures';

// Shaped like a console's hash config and an auth:export user (docs/platform-formats.md §3.3).
const CONFIG: FirebaseHashConfig = {
	algorithm: 'SCRYPT',
	signerKey: Buffer.alloc(64, 3).toString('base64'),
	saltSeparator: 'Bw==',
	rounds: 8,
	memCost: 14
};
const PASSWORD_HASH =
	'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==';
const SALT = '42xEC+ixf3L2lw==';

describe('credentialFromFirebase', () => {
	it('reads a modified-scrypt hash with the project config', () => {
		expect(credentialFromFirebase(PASSWORD_HASH, SALT, CONFIG)).toEqual({
			credential: {
				algorithm: 'firebase-scrypt',
				hash: PASSWORD_HASH,
				encoding: 'base64',
				salt: SALT,
				salt_encoding: 'base64',
				params: { rounds: 8, memCost: 14, signerKey: CONFIG.signerKey, saltSeparator: 'Bw==' }
			}
		});
	});
	it('a user without a hash has no credential', () => {
		expect(credentialFromFirebase('', '', CONFIG)).toBeNull();
	});
	const invalid = [
		{
			name: 'another algorithm',
			config: { ...CONFIG, algorithm: 'ARGON2' },
			reason: /no hash algorithm "ARGON2"/
		},
		{ name: 'no signer key', config: { ...CONFIG, signerKey: undefined }, reason: /signer key/ },
		{ name: 'bad separator', config: { ...CONFIG, saltSeparator: '%' }, reason: /separator/ },
		{ name: 'rounds 9', config: { ...CONFIG, rounds: 9 }, reason: /rounds from 1 to 8/ },
		{ name: 'memory cost 15', config: { ...CONFIG, memCost: 15 }, reason: /memory cost/ },
		{ name: 'hash not base64', hash: '***', reason: /passwordHash is not base64/ },
		{ name: 'no salt', salt: '', reason: /salt is missing/ }
	];
	for (const { name, config = CONFIG, hash = PASSWORD_HASH, salt = SALT, reason } of invalid)
		it(name, () => {
			const result = credentialFromFirebase(hash, salt, config);
			expect((result as { error: string }).error).toMatch(reason);
		});
});

function keycloakPassword(secret: object | string, data: object | string) {
	return {
		type: 'password',
		createdDate: 1710234902114,
		secretData: typeof secret === 'string' ? secret : JSON.stringify(secret),
		credentialData: typeof data === 'string' ? data : JSON.stringify(data)
	};
}

/** What Keycloak's pbkdf2 providers read as: base64 hash and salt beside the parameters. */
function keycloakPbkdf2(iterations: number, digest: string) {
	return {
		algorithm: 'pbkdf2',
		hash: HASHES.keycloakSha256,
		encoding: 'base64',
		salt: HASHES.keycloakSalt,
		salt_encoding: 'base64',
		params: { iterations, digest, keylen: 32 }
	};
}

describe('credentialFromKeycloak', () => {
	const valid = [
		{
			name: 'pbkdf2-sha256',
			credentials: [
				keycloakPassword(
					{ value: HASHES.keycloakSha256, salt: HASHES.keycloakSalt, additionalParameters: {} },
					{ hashIterations: 310000, algorithm: 'pbkdf2-sha256', additionalParameters: {} }
				)
			],
			expected: keycloakPbkdf2(310000, 'sha256')
		},
		{
			name: 'pbkdf2 (sha1) beside an OTP credential',
			credentials: [
				{ type: 'otp', secretData: '{"value":"JBSWY3DPEHPK3PXP"}', credentialData: '{}' },
				keycloakPassword(
					{ value: HASHES.keycloakSha256, salt: HASHES.keycloakSalt },
					{ hashIterations: 27500, algorithm: 'pbkdf2' }
				)
			],
			expected: keycloakPbkdf2(27500, 'sha1')
		},
		{
			name: 'argon2 keeps its extra parameters',
			credentials: [
				keycloakPassword(
					{ value: HASHES.keycloakSha256, salt: HASHES.keycloakSalt },
					{
						hashIterations: 5,
						algorithm: 'argon2',
						additionalParameters: { type: ['id'], memory: ['7168'] }
					}
				)
			],
			expected: {
				algorithm: 'argon2',
				hash: HASHES.keycloakSha256,
				encoding: 'base64',
				salt: HASHES.keycloakSalt,
				salt_encoding: 'base64',
				params: { type: 'id', memory: '7168', iterations: 5 }
			}
		},
		{
			name: 'an unknown provider, no salt',
			credentials: [
				keycloakPassword(
					{ value: HASHES.keycloakSha256, salt: '__SALT__' },
					{ hashIterations: 1, algorithm: 'bcrypt-provider' }
				)
			],
			expected: {
				algorithm: 'unknown',
				hash: HASHES.keycloakSha256,
				encoding: 'base64',
				params: { iterations: 1, keycloakAlgorithm: 'bcrypt-provider' }
			}
		}
	];
	for (const { name, credentials, expected } of valid)
		it(name, () => {
			expect(credentialFromKeycloak(credentials)).toEqual({ credential: expected });
		});

	it('no password credential is no credential', () => {
		expect(credentialFromKeycloak([])).toBeNull();
		expect(credentialFromKeycloak(undefined)).toBeNull();
		expect(credentialFromKeycloak([{ type: 'otp' }])).toBeNull();
	});

	const good = { value: HASHES.keycloakSha256, salt: HASHES.keycloakSalt };
	const data = { hashIterations: 27500, algorithm: 'pbkdf2-sha256' };
	const invalid = [
		{ name: 'not an array', credentials: { type: 'password' }, reason: /must be an array/ },
		{
			name: 'secretData not JSON',
			credentials: [keycloakPassword('{value:', data)],
			reason: /secretData is not valid JSON/
		},
		{
			name: 'credentialData an array',
			credentials: [keycloakPassword(good, '[1]')],
			reason: /not a JSON object/
		},
		{
			name: 'hash not base64',
			credentials: [keycloakPassword({ ...good, value: '***' }, data)],
			reason: /value is not a base64 hash/
		},
		{
			name: 'salt not base64',
			credentials: [keycloakPassword({ ...good, salt: '***' }, data)],
			reason: /salt is not base64/
		},
		{
			name: 'zero iterations',
			credentials: [keycloakPassword(good, { ...data, hashIterations: 0 })],
			reason: /hashIterations/
		},
		{
			name: 'no algorithm',
			credentials: [keycloakPassword(good, { hashIterations: 1 })],
			reason: /algorithm is missing/
		},
		{
			name: 'two passwords',
			credentials: [keycloakPassword(good, data), keycloakPassword(good, data)],
			reason: /more than one/
		}
	];
	for (const { name, credentials, reason } of invalid)
		it(name, () => {
			expect((credentialFromKeycloak(credentials) as { error: string }).error).toMatch(reason);
		});
});
