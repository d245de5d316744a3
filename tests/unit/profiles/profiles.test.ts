import { describe, expect, it } from 'vitest';
import type { Credential } from '../../../src/lib/core/identity/credential';
import { recogniseHash } from '../../../src/lib/core/identity/hash-shapes';
import {
	PROFILES,
	profileByName,
	profileFromApiSchema
} from '../../../src/lib/core/profiles/catalogue';
import {
	credentialVerdict,
	reservedMetadataKeys,
	userIdIssue
} from '../../../src/lib/core/profiles/rules';
import { PROFILE_NAMES } from '../../../src/lib/core/profiles/types';
import { DEFAULT_LIMITS, PROTOCOL_VERSION } from '../../../src/lib/core/protocol/import-api';
import { REFERENCE_FIELDS, schemaFields } from '../../../src/lib/core/schema/fields';
import { HASHES } from '../identity/fixtures';

function credential(hash: string): Credential {
	const result = recogniseHash(hash);
	if (!('credential' in result)) throw new Error(result.error);
	return result.credential;
}

const SALTED_BCRYPT: Credential = { ...credential(HASHES.bcrypt2b), salt: 'pepper' };
const KEYCLOAK_PBKDF2: Credential = {
	algorithm: 'pbkdf2',
	hash: HASHES.keycloakSha256,
	encoding: 'base64',
	salt: HASHES.keycloakSalt,
	salt_encoding: 'base64',
	params: { digest: 'sha256', iterations: 27500, keylen: 32 }
};

describe('profileByName', () => {
	for (const name of PROFILE_NAMES) it(name, () => expect(profileByName(name)?.name).toBe(name));
	it('an unknown name', () => {
		expect(profileByName('okta')).toBeNull();
		expect(profileByName('toString')).toBeNull();
	});
});

describe('credentialVerdict per profile', () => {
	const cases: { profile: keyof typeof PROFILES; credential: Credential; field: string | null }[] =
		[
			{ profile: 'auth0', credential: credential(HASHES.bcrypt2a), field: 'password_hash' },
			{ profile: 'auth0', credential: credential(HASHES.bcrypt2b), field: 'password_hash' },
			{ profile: 'auth0', credential: credential(HASHES.bcrypt2y), field: 'custom_password_hash' },
			{ profile: 'auth0', credential: SALTED_BCRYPT, field: 'custom_password_hash' },
			{ profile: 'auth0', credential: credential(HASHES.argon2id), field: 'custom_password_hash' },
			{ profile: 'auth0', credential: credential(HASHES.pbkdf2Phc), field: 'custom_password_hash' },
			// Taken written as a PHC string (credentialTakenBy).
			{ profile: 'auth0', credential: credential(HASHES.django), field: 'custom_password_hash' },
			{
				profile: 'auth0',
				credential: credential(HASHES.pbkdf2Passlib),
				field: 'custom_password_hash'
			},
			{ profile: 'auth0', credential: KEYCLOAK_PBKDF2, field: 'custom_password_hash' },
			{ profile: 'auth0', credential: { ...KEYCLOAK_PBKDF2, salt: undefined }, field: null },
			{ profile: 'auth0', credential: credential(HASHES.ldapSsha), field: 'custom_password_hash' },
			{ profile: 'auth0', credential: credential(`{CRYPT}${HASHES.bcrypt2b}`), field: null },
			{ profile: 'auth0', credential: credential(HASHES.md5), field: 'custom_password_hash' },
			{ profile: 'auth0', credential: credential(HASHES.fbscrypt), field: null },
			{ profile: 'auth0', credential: credential('hunter2'), field: null },
			{ profile: 'hanko', credential: credential(HASHES.bcrypt2a), field: 'password' },
			// Taken written as $2a$ (credentialTakenBy); one with a salt of its own is not.
			{ profile: 'hanko', credential: credential(HASHES.bcrypt2b), field: 'password' },
			{ profile: 'hanko', credential: credential(HASHES.bcrypt2y), field: 'password' },
			{ profile: 'hanko', credential: SALTED_BCRYPT, field: null },
			{ profile: 'hanko', credential: { ...credential(HASHES.bcrypt2a), salt: 'x' }, field: null },
			{ profile: 'hanko', credential: credential(HASHES.md5), field: null },
			{ profile: 'cognito', credential: credential(HASHES.bcrypt2a), field: null },
			{ profile: 'firebase', credential: credential(HASHES.fbscrypt), field: 'passwordHash' },
			{ profile: 'firebase', credential: credential(HASHES.pbkdf2Phc), field: 'passwordHash' },
			{ profile: 'firebase', credential: credential(HASHES.pbkdf2PhcSha512), field: null },
			{ profile: 'firebase', credential: credential(HASHES.ldapSsha), field: null },
			{ profile: 'reference', credential: credential(HASHES.ldapSsha), field: 'password' },
			{ profile: 'reference', credential: credential('hunter2'), field: null },
			{ profile: 'loginsign', credential: credential(HASHES.argon2i), field: 'password' }
		];
	for (const { profile, credential: given, field } of cases)
		it(`${profile}: ${given.algorithm} ${given.hash.slice(0, 12)}${given.salt ? ' + salt' : ''}`, () => {
			const verdict = credentialVerdict(PROFILES[profile], given);
			if (field) expect(verdict).toEqual({ verdict: 'accepted', field });
			else
				expect(verdict).toMatchObject({
					verdict: 'unsupported',
					code: 'unsupported_password_hash'
				});
		});

	it('the reason says what the destination takes', () => {
		expect(credentialVerdict(PROFILES.hanko, credential(HASHES.md5))).toEqual({
			verdict: 'unsupported',
			code: 'unsupported_password_hash',
			reason:
				'Hanko takes bcrypt (variant 2a, no separate salt) only, not this md5 hash: the user will reset the password.'
		});
		expect(credentialVerdict(PROFILES.cognito, credential(HASHES.bcrypt2a))).toMatchObject({
			reason:
				'Amazon Cognito takes no password hashes, not this bcrypt hash: the user will reset the password.'
		});
	});
});

describe('user id rules', () => {
	const cases = [
		{ profile: 'hanko', userId: '3f1c6c2e-8d7a-4b1e-9b2f-2d6a9f1e4c55', issue: null },
		{ profile: 'hanko', userId: '3F1C6C2E-8D7A-4B1E-9B2F-2D6A9F1E4C55', issue: null },
		{ profile: 'hanko', userId: '3f1c6c2e-8d7a-1b1e-9b2f-2d6a9f1e4c55', issue: 'invalid_uuid' },
		{ profile: 'hanko', userId: '3f1c6c2e-8d7a-4b1e-cb2f-2d6a9f1e4c55', issue: 'invalid_uuid' },
		{ profile: 'hanko', userId: '7f3a9c', issue: 'invalid_uuid' },
		{ profile: 'hanko', userId: '', issue: null },
		{ profile: 'reference', userId: '7f3a9c', issue: null },
		{ profile: 'auth0', userId: '7f3a9c', issue: null }
	] as const;
	for (const { profile, userId, issue } of cases)
		it(`${profile}: ${JSON.stringify(userId)}`, () => {
			expect(userIdIssue(PROFILES[profile], userId)).toBe(issue);
		});
});

describe('reserved app_metadata keys', () => {
	it('Auth0 reserves its own keys', () => {
		expect(
			reservedMetadataKeys(PROFILES.auth0, { roles: ['editor'], email: 'x', loginsCount: 3 })
		).toEqual(['email', 'loginsCount']);
	});
	it('other profiles reserve none', () => {
		expect(reservedMetadataKeys(PROFILES.reference, { email: 'x' })).toEqual([]);
		expect(reservedMetadataKeys(PROFILES.auth0, 'not an object')).toEqual([]);
	});
});

describe('each profile says what it takes', () => {
	const requiredOf = (name: keyof typeof PROFILES) =>
		PROFILES[name].fields.filter((field) => field.required).map((field) => field.name);
	const cases = [
		{
			name: 'reference',
			required: ['user_id', 'email'],
			rowsPerImport: DEFAULT_LIMITS.rowsPerSource
		},
		{ name: 'loginsign', required: ['user_id', 'email'], rowsPerImport: 10_000 },
		{ name: 'auth0', required: ['email'], rowsPerImport: null },
		{ name: 'hanko', required: [], rowsPerImport: null },
		{ name: 'cognito', required: ['username'], rowsPerImport: 500_000 },
		{ name: 'firebase', required: [], rowsPerImport: null }
	] as const;
	for (const { name, required, rowsPerImport } of cases)
		it(name, () => {
			expect(requiredOf(name)).toEqual(required);
			expect(PROFILES[name].limits.rowsPerImport).toBe(rowsPerImport);
			for (const field of PROFILES[name].fields) expect(field.maxLength).toBeGreaterThan(0);
		});

	it('the reference profile is the reference fields and limits', () => {
		expect(PROFILES.reference.fields).toEqual(REFERENCE_FIELDS);
		expect(PROFILES.reference.limits).toMatchObject({
			rowsPerChunk: DEFAULT_LIMITS.rowsPerChunk,
			bytesPerChunk: DEFAULT_LIMITS.bytesPerChunk
		});
	});
	it('value rules', () => {
		expect(PROFILES.auth0.rules).toMatchObject({ phoneE164: true });
		expect(PROFILES.auth0.limits.bytesPerImport).toBe(500_000);
		expect(PROFILES.hanko.rules).toMatchObject({
			requireUuid: true,
			uuidVersion: 4,
			onePrimaryEmail: true,
			requireOneOf: [['emails', 'username']],
			totp: { periodSeconds: 30, digest: 'sha1' }
		});
		expect(PROFILES.cognito.rules).toMatchObject({
			usernameWithoutWhitespace: true,
			requireOneTrue: ['email_verified', 'phone_verified']
		});
		expect(PROFILES.cognito.fields[0]).toEqual({
			name: 'username',
			required: true,
			maxLength: 1024,
			key: 'cognito:username'
		});
		expect(PROFILES.cognito.limits).toMatchObject({
			bytesPerImport: 100_000_000,
			charsPerRow: 16_000
		});
		expect(PROFILES.firebase.fields.find((field) => field.name === 'user_id')).toMatchObject({
			maxLength: 128,
			key: 'localId'
		});
		expect(PROFILES.firebase.rules.oneHashConfigPerFile).toBe(true);
		expect(PROFILES.firebase.limits.rowsPerChunk).toBe(1000);
		expect(PROFILES.loginsign.rules.isoDates).toBe(true);
		expect(PROFILES.loginsign.statuses).toEqual([
			'imported',
			'already_connected',
			'not_found',
			'name_mismatch',
			'invalid_row'
		]);
	});
});

describe('profileFromApiSchema', () => {
	const schema = {
		protocol: PROTOCOL_VERSION,
		name: 'Staging reference API',
		fields: schemaFields(REFERENCE_FIELDS),
		requireUuidUserId: true,
		limits: { rowsPerChunk: 500, bytesPerChunk: 262_144, rowsPerSource: 10_000 }
	};
	it('takes the announced rules and limits', () => {
		const profile = profileFromApiSchema(schema);
		expect(profile.label).toBe('Staging reference API');
		expect(profile.rules.requireUuid).toBe(true);
		expect(profile.limits).toMatchObject({ rowsPerImport: 10_000, rowsPerChunk: 500 });
		expect(profile.fields[0]).toEqual({ name: 'user_id', required: true, maxLength: 255 });
	});
	it('takes the accepted algorithms when announced', () => {
		const profile = profileFromApiSchema({ ...schema, acceptedAlgorithms: ['bcrypt', 'argon2'] });
		expect(credentialVerdict(profile, credential(HASHES.argon2id)).verdict).toBe('accepted');
		expect(credentialVerdict(profile, credential(HASHES.md5)).verdict).toBe('unsupported');
	});
});
