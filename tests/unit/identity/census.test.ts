import { describe, expect, it } from 'vitest';
import { censusSentence } from '../../../src/lib/core/identity/census';
import { PROFILES, REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';

describe('censusSentence', () => {
	const cases = [
		{
			name: 'the issue example: Hanko and md5',
			credentials: { bcrypt: 9970, md5: 30 },
			profile: PROFILES.hanko,
			unsupported: 30,
			expected:
				'9,970 bcrypt, 30 md5 — Hanko takes bcrypt (variant 2a) only: 30 users will reset their password'
		},
		{
			name: 'most common first, whatever the algorithm order',
			credentials: { bcrypt: 2, md5: 1200, sha1: 40 },
			profile: PROFILES.firebase,
			unsupported: 0,
			expected: '1,200 md5, 40 sha1, 2 bcrypt — Firebase Authentication takes all of them'
		},
		{
			name: 'hashes that do not parse come last and are not said to be taken',
			credentials: { invalid: 50, argon2: 3 },
			profile: PROFILES.auth0,
			unsupported: 0,
			expected: '3 argon2, 50 invalid — Auth0 takes every valid one'
		},
		{
			name: 'a destination that takes no hashes',
			credentials: { bcrypt: 1 },
			profile: PROFILES.cognito,
			unsupported: 1,
			expected:
				'1 bcrypt — Amazon Cognito takes no password hashes: 1 user will reset their password'
		},
		{
			name: 'unrecognised shapes against the reference API, which takes every known algorithm',
			credentials: { unknown: 2, bcrypt: 8 },
			profile: REFERENCE_PROFILE,
			unsupported: 2,
			expected:
				'8 bcrypt, 2 unrecognised — Ferry reference import API takes bcrypt, argon2, scrypt, firebase-scrypt, pbkdf2, md4, md5, sha1, sha256, sha512, ldap, hmac only: 2 users will reset their password'
		},
		{
			name: 'a route with conditions names them',
			credentials: { sha256: 1 },
			profile: { ...PROFILES.auth0, passwords: PROFILES.auth0.passwords.slice(0, 1) },
			unsupported: 1,
			expected:
				'1 sha256 — Auth0 takes bcrypt (variant 2a/2b) only: 1 user will reset their password'
		}
	];
	for (const { name, credentials, profile, unsupported, expected } of cases)
		it(name, () => {
			expect(censusSentence(credentials, profile, unsupported)).toBe(expected);
		});

	it('no line when no row has a hash', () => {
		expect(censusSentence({}, PROFILES.hanko, 0)).toBeNull();
		expect(censusSentence({ md5: 0 }, PROFILES.hanko, 0)).toBeNull();
	});

	it("Auth0 names each algorithm once, bcrypt without the password_hash route's variants", () => {
		const sentence = censusSentence({ md5: 1 }, PROFILES.auth0, 1)!;
		expect(sentence.match(/\bbcrypt\b/g)).toHaveLength(1);
		expect(sentence).toContain('bcrypt, ');
		expect(sentence).toContain('pbkdf2 (format phc)');
	});
});
