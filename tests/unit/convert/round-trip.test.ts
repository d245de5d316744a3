// Every file a target writes, read back by Ferry's own reading (sniff, preset, mapping, validation,
// normalisation), gives the canonical records it was written from, as far as the target holds them.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TARGETS, TARGET_NAMES, type TargetName } from '../../../src/lib/core/convert';
import { hankoUserId } from '../../../src/lib/core/convert/hanko';
import { asBase64, decode } from '../../../src/lib/core/convert/hashes';
import { addressesOf, instant, primaryAddress } from '../../../src/lib/core/convert/records';
import type { Credential, Encoding } from '../../../src/lib/core/identity/credential';
import { PROFILES } from '../../../src/lib/core/profiles/catalogue';
import { credentialTakenBy, credentialVerdict } from '../../../src/lib/core/profiles/rules';
import {
	firebaseConfigFromFlags,
	type FirebaseHashConfig
} from '../../../src/lib/core/identity/firebase';
import type { FieldName } from '../../../src/lib/core/types';
import type { CanonicalRecord } from '../../../src/lib/core/validate/normalize';
import { FIXTURES, readFixture, readText, writeAll } from './core-read';

/** The project hash config the Firebase fixture is read with (its hashes are test values). */
const FIREBASE_CONFIG: FirebaseHashConfig = {
	algorithm: 'SCRYPT',
	signerKey: 'c2lnbmVyLWtleQ==',
	saltSeparator: 'Bw==',
	rounds: 8,
	memCost: 14
};

const SOURCES = readdirSync(FIXTURES).map((file) => ({
	file,
	records: readFixture(file, file.startsWith('firebase') ? FIREBASE_CONFIG : null).records
}));

function pick(record: CanonicalRecord, fields: readonly FieldName[]): CanonicalRecord {
	return Object.fromEntries(
		Object.entries(record).filter(([field]) => fields.includes(field as FieldName))
	);
}

/**
 * A credential as Firebase's file holds it: hash, salt and HMAC key as base64 bytes, the salt's
 * place as --hash-input-order says it, and the params its flags give (Auth0's names).
 */
function heldByFirebase(credential: Credential): Credential {
	const { algorithm, params = {} } = credential;
	if (algorithm === 'bcrypt' || algorithm === 'firebase-scrypt') return credential;
	const held: Credential = {
		algorithm,
		hash: asBase64(credential.hash, credential.encoding ?? 'hex'),
		encoding: 'base64'
	};
	if (credential.salt !== undefined) {
		held.salt = asBase64(credential.salt, credential.salt_encoding ?? 'utf8');
		held.salt_encoding = 'base64';
	}
	if (algorithm === 'pbkdf2') {
		const keylen = decode(held.hash, 'base64').length;
		return { ...held, params: { iterations: params.iterations, digest: params.digest, keylen } };
	}
	if (algorithm === 'scrypt') {
		const { keylen, cost, blockSize, parallelization } = params;
		return { ...held, params: { keylen, cost, blockSize, parallelization } };
	}
	if (held.salt !== undefined) held.salt_position = credential.salt_position ?? 'prefix';
	if (algorithm === 'hmac') {
		const key = asBase64(String(params.key), (params.keyEncoding as Encoding) ?? 'utf8');
		held.params = { digest: params.digest, key, keyEncoding: 'base64' };
	}
	return held;
}

/** The hash config of each file, from its line of hash-flags.txt (null: no flags). */
function firebaseConfigs(flagsFile: string): Map<string, FirebaseHashConfig | null> {
	const configs = new Map<string, FirebaseHashConfig | null>();
	for (const line of flagsFile.split('\n')) {
		if (!line.startsWith('firebase ')) continue;
		const parsed = firebaseConfigFromFlags(line);
		if ('error' in parsed) {
			if (!/no --hash-algo/.test(parsed.error)) throw new Error(parsed.error);
			configs.set(line.split(' ')[2], null);
		} else configs.set(parsed.file!, parsed.config);
	}
	return configs;
}

const iso = (value: string) => new Date(Date.parse(instant(value))).toISOString();

/** What reading the target's file back gives for one record it wrote. */
function heldBy(name: TargetName, record: CanonicalRecord): CanonicalRecord {
	const target = TARGETS[name];
	const held = pick(record, target.holds);
	if (held.password && !target.keepsPassword(held.password as never)) delete held.password;
	// Written the way the target's destination takes it (pbkdf2 as a PHC string for Auth0).
	if (held.password && target.profile)
		held.password = credentialTakenBy(target.profile, held.password as Credential)?.credential;
	// A written algorithm is stated, no longer guessed from a digest's length.
	if (held.password) held.password = { ...(held.password as object), guessed: undefined };
	const text = (field: FieldName) => record[field] as string | undefined;
	switch (name) {
		case 'auth0':
			if (held.user_id) held.user_id = (held.user_id as string).replace(/^auth0\|/, '');
			// custom_password_hash states the hash's encoding (a PHC string's is utf8).
			if (held.password) {
				const password = held.password as Credential;
				const verdict = credentialVerdict(PROFILES.auth0, password);
				if (verdict.verdict === 'accepted' && verdict.field === 'custom_password_hash')
					held.password = { encoding: 'utf8', ...password };
			}
			return held;
		case 'hanko': {
			const primary = primaryAddress(record) as { address: string; verified: boolean };
			const seen = new Set<string>();
			const out: CanonicalRecord = {
				emails: addressesOf(record)
					.map((address) => ({ ...address, address: address.address.toLowerCase() }))
					.filter(({ address }) => !seen.has(address) && seen.add(address)),
				email: primary.address.toLowerCase(),
				email_verified: String(primary.verified)
			};
			if (text('user_id')) out.user_id = hankoUserId(text('user_id')!);
			if (held.username) out.username = held.username;
			if (held.password) out.password = held.password;
			if (text('registration_date')) out.registration_date = iso(text('registration_date')!);
			return out;
		}
		case 'cognito':
			return { ...held, user_id: text('user_id') || text('username') };
		case 'firebase':
			for (const field of ['registration_date', 'last_login_date'] as const)
				if (held[field]) held[field] = iso(held[field] as string);
			if (held.password) held.password = heldByFirebase(held.password as Credential);
			if (
				Array.isArray(held.identities) &&
				!held.identities.every((entry) => typeof entry?.providerId === 'string')
			)
				delete held.identities;
			if (Array.isArray(held.identities) && held.identities.length === 0) delete held.identities;
			return held;
		default:
			return held;
	}
}

const byId = (records: CanonicalRecord[]) =>
	[...records].sort((a, b) => String(a.user_id).localeCompare(String(b.user_id)));

describe.each(TARGET_NAMES.map((name) => [name]))('%s round trip', (name) => {
	it.each(SOURCES.map(({ file, records }) => [file, records] as const))(
		'%s: read back to the same canonical records',
		async (_file, records) => {
			const target = TARGETS[name];
			const written = await writeAll(target, records);
			const kept = records.filter((record) => target.skipReason(record) === null);
			expect(written.skipped.length).toBe(records.length - kept.length);
			// Each Firebase file is read with the config parsed from its own auth:import command.
			const configs = firebaseConfigs(written.files.get('hash-flags.txt')?.text ?? '');
			const back: CanonicalRecord[] = [];
			for (const [file, { text, rows }] of written.files) {
				if (!file.startsWith('users')) continue;
				const read = readText(text, undefined, configs.get(file) ?? null);
				expect(read.invalid).toBe(0);
				expect(read.records).toHaveLength(rows);
				back.push(...read.records);
			}
			expect(byId(back)).toEqual(byId(kept.map((record) => heldBy(name, record))));
		}
	);
});

it('cognito: the fixtures hold values with a comma, which it writes as \\,', async () => {
	const written = await writeAll(
		'cognito',
		SOURCES.flatMap(({ records }) => records)
	);
	const text = [...written.files.values()].map((file) => file.text).join('');
	expect(text).toContain('\\,');
});
