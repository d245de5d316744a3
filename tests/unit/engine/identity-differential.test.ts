/**
 * The faithful user's rules (emails, credentials, metadata, UUID versions) give the same verdicts
 * and explanations in every engine, for every profile: the WASM kernel hands these cells to the
 * JavaScript rules, and a row's primary address is its duplicate key in both.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import { PROFILES } from '../../../src/lib/core/profiles/catalogue';
import type { ProfileName } from '../../../src/lib/core/profiles/types';
import type { Mapping } from '../../../src/lib/core/types';
import { HASHES } from '../identity/fixtures';
import {
	expectSameAsReference,
	loadEngines,
	outcome,
	prepareBytes,
	utf8,
	type Engines
} from './helpers';

let engines: Engines;
beforeAll(async () => {
	engines = await loadEngines();
});

const header =
	'user_id,emails,password_hash,salt,password,app_metadata,identities,username,email_verified\n';
const mapping = (): Mapping => [
	'user_id',
	'emails',
	'password_hash',
	'password_salt',
	'password',
	'app_metadata',
	'identities',
	'username',
	'email_verified'
];
const csv = (value: string) => `"${value.replaceAll('"', '""')}"`;
const json = (value: unknown) => csv(JSON.stringify(value));

const EMAILS = [
	json([{ address: 'a@example.com', is_primary: true, is_verified: true }]),
	json([
		{ address: 'b@example.com', is_primary: false },
		{ address: 'B2@Example.com', is_primary: true }
	]),
	json([{ address: 'c@example.com' }, { address: 'd@example.com' }]),
	json([
		{ address: 'e@example.com', primary: true },
		{ address: 'f@example.com', primary: true }
	]),
	json([]),
	json(['plain@example.com', 'second@example.com']),
	'list@example.com; other@example.com',
	json([{ address: 'not an address', primary: true }]),
	json({ address: 'x@example.com' }),
	csv('[{"address": "broken"'),
	json([{ address: 'b2@example.com', primary: true }])
];
const HASH_CELLS = [
	HASHES.bcrypt2a,
	HASHES.bcrypt2b,
	HASHES.argon2id,
	HASHES.md5,
	HASHES.ldapSsha,
	'$2b$10$short',
	'$argon2id$v=19$m=65536',
	'opaque-value',
	''
];
const PASSWORDS = [
	json({ algorithm: 'md5', hash: { value: HASHES.md5, encoding: 'hex' } }),
	json({ algorithm: 'bcrypt', hash: { value: HASHES.bcrypt2b } }),
	json({ algorithm: 'sha256', hash: { value: 'zz', encoding: 'hex' } }),
	json({ algorithm: 'bcrypt', hash: HASHES.bcrypt2a }),
	json({ algorithm: 'md5', hash: HASHES.bcrypt2a }),
	json([{ type: 'password', secretData: '{}', credentialData: '{}' }]),
	csv('{not json'),
	''
];
const METADATA = [
	json({ plan: 'pro' }),
	json({ blocked: true }),
	json(['not', 'an', 'object']),
	csv('{"a":'),
	''
];
const IDENTITIES = [json([{ provider: 'google-oauth2', user_id: '1' }]), json({}), ''];
const USERNAMES = ['ada', 'grace', 'ada lovelace', csv(' tab\there '), '', 'zoë'];
const IDS = [
	'7c9e6679-7425-40de-944b-e07fc1f90ae7',
	'7c9e6679-7425-10de-944b-e07fc1f90ae7',
	'u-1',
	''
];

function rows(count: number): string {
	const lines: string[] = [];
	for (let i = 0; i < count; i++) {
		const pick = <T>(list: T[], salt: number) => list[(i * salt + (i >> 2)) % list.length];
		lines.push(
			[
				pick(IDS, 1) === '' ? '' : `${pick(IDS, 1)}`,
				pick(EMAILS, 3),
				pick(HASH_CELLS, 5),
				i % 4 === 0 ? HASHES.keycloakSalt : '',
				pick(PASSWORDS, 7),
				pick(METADATA, 11),
				pick(IDENTITIES, 13),
				pick(USERNAMES, 17),
				pick(['true', 'no', ''], 19)
			].join(',') + (i % 3 ? '\n' : '\r\n')
		);
	}
	return lines.join('');
}

const PROFILE_CASES: ProfileName[] = [
	'reference',
	'hanko',
	'auth0',
	'loginsign',
	'firebase',
	'cognito'
];

describe('the faithful user’s rules: the same verdicts in every engine', () => {
	for (const name of PROFILE_CASES)
		it(`${name}: whole, sliced and in ranges`, async () => {
			const prepared = prepareBytes(utf8(header + rows(600)), header, mapping, PROFILES[name]);
			const reference = await outcome(referenceEngine, prepared.request);
			if (!('result' in reference)) throw new Error(JSON.stringify(reference.error));
			const counts = reference.result.issueCounts;
			// The file exercises the rules it is meant to, on this profile.
			expect(counts.invalid_password_hash).toBeGreaterThan(0);
			expect(counts.invalid_json).toBeGreaterThan(0);
			expect(counts.duplicate_email).toBeGreaterThan(0);
			if (name === 'hanko') {
				expect(counts.no_primary_email).toBeGreaterThan(0);
				expect(counts.several_primary_emails).toBeGreaterThan(0);
				expect(counts.invalid_uuid).toBeGreaterThan(0);
				expect(counts.unsupported_password_hash).toBeGreaterThan(0);
			}
			if (name === 'auth0') expect(counts.reserved_metadata_key).toBeGreaterThan(0);
			if (name === 'cognito') {
				expect(counts.duplicate_user_id).toBeGreaterThan(0);
				expect(counts.invalid_characters).toBeGreaterThan(0);
			}
			// The census counts each row's credential once: the structured one first.
			const census = reference.result.credentials;
			expect(Object.keys(census).sort()).toEqual(
				expect.arrayContaining(['bcrypt', 'invalid', 'md5'])
			);
			const withCredential = Object.values(census).reduce((sum, rows) => sum + (rows ?? 0), 0);
			expect(withCredential).toBeLessThanOrEqual(reference.result.rows);
			for (const engine of [engines.simd, engines.scalar, await engines.ranged(5)])
				await expectSameAsReference(engine, prepared, `${name} ${engine.name}`, {
					sameProgress: true
				});
			for (const sliceSize of [1, 7, 64])
				await expectSameAsReference(
					await engines.sliced(sliceSize),
					prepared,
					`${name} slice ${sliceSize}`
				);
		});
});
