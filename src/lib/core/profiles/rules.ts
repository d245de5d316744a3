/** The profile rules that are decided per value: what a destination makes of one row's data. */
import type { Credential } from '../identity/credential';
import { isRecord } from '../identity/credential';
import { respellings } from '../identity/spellings';
import { isValidUuid } from '../validate/rules/uuid';
import { DEFAULT_MAX_LENGTH } from '../schema/fields';
import type { FieldName } from '../types';
import type { AlgorithmRule, DestinationProfile, ProfileField } from './types';

/**
 * The fields a profile accepts through another: a destination that takes only `emails` (Hanko)
 * still takes a file's single `email` column as its primary address, and one that takes a
 * `password` credential takes it from a bare `password_hash` (with its `password_salt`) too.
 */
const STANDS_IN_FOR: Partial<Record<FieldName, readonly FieldName[]>> = {
	email: ['emails'],
	emails: ['email'],
	password: ['password_hash'],
	password_hash: ['password'],
	password_salt: ['password', 'password_hash']
};

/** The fields a row's password credential is read from, judged even where no password is taken. */
export const CREDENTIAL_FIELDS: readonly FieldName[] = [
	'password',
	'password_hash',
	'password_salt'
];

type Acceptance = Omit<ProfileField, 'name'> | undefined;

function acceptance(profile: DestinationProfile, field: FieldName): Acceptance {
	const own = profile.fields.find((candidate) => candidate.name === field);
	if (own) return own;
	const other = profile.fields.find((candidate) => STANDS_IN_FOR[field]?.includes(candidate.name));
	if (other) return { required: false, maxLength: other.maxLength };
	// A hash is judged even where the destination takes none: the row then says the user resets.
	return CREDENTIAL_FIELDS.includes(field)
		? { required: false, maxLength: DEFAULT_MAX_LENGTH }
		: undefined;
}

/** Per profile, each field's acceptance once: every sent row asks it of every field. */
const ACCEPTANCES = new WeakMap<DestinationProfile, Map<FieldName, Acceptance>>();

/** What the profile takes of this field (its own entry, or that of the field it stands in for). */
export function acceptedField(profile: DestinationProfile, field: FieldName): Acceptance {
	let known = ACCEPTANCES.get(profile);
	if (!known) ACCEPTANCES.set(profile, (known = new Map()));
	if (!known.has(field)) known.set(field, acceptance(profile, field));
	return known.get(field);
}

/** Required fields of the profile that no mapped field gives (email is given by emails). */
export function unmetRequiredFields(
	profile: DestinationProfile,
	mapped: ReadonlySet<FieldName | null>
): FieldName[] {
	return profile.fields
		.filter(({ name, required }) => required && !mapped.has(name))
		.filter(({ name }) => !(name === 'email' && mapped.has('emails')))
		.map(({ name }) => name);
}

export type CredentialVerdict =
	| { verdict: 'accepted'; field: string }
	| { verdict: 'unsupported'; code: 'unsupported_password_hash'; reason: string };

function accepts(rule: AlgorithmRule, credential: Credential): boolean {
	if (rule.algorithm !== credential.algorithm) return false;
	if (rule.separateSalt === false && credential.salt !== undefined) return false;
	return Object.entries(rule.when ?? {}).every(([name, allowed]) => {
		const value = credential.params?.[name];
		return value !== undefined && allowed.includes(value);
	});
}

/** "bcrypt with variant 2a", "pbkdf2", …: how the reason names what the destination takes. */
function describe(rule: AlgorithmRule): string {
	const conditions = Object.entries(rule.when ?? {}).map(
		([name, allowed]) => `${name} ${allowed.join('/')}`
	);
	if (rule.separateSalt === false) conditions.push('no separate salt');
	return conditions.length > 0 ? `${rule.algorithm} (${conditions.join(', ')})` : rule.algorithm;
}

/** The field of the profile that takes this credential as it is written, or null. */
function routeOf(profile: DestinationProfile, credential: Credential): string | null {
	for (const route of profile.passwords)
		if (route.accepts.some((rule) => accepts(rule, credential))) return route.field;
	return null;
}

/**
 * The credential as the destination takes it, and the field it goes in: itself, or the same hash
 * written another way that the destination takes (identity/spellings.ts: pbkdf2 as a PHC string,
 * bcrypt as `$2a$`); null when the destination takes none of them.
 */
export function credentialTakenBy(
	profile: DestinationProfile,
	credential: Credential
): { credential: Credential; field: string } | null {
	const field = routeOf(profile, credential);
	if (field !== null) return { credential, field };
	for (const respelled of respellings(credential)) {
		const respelledField = routeOf(profile, respelled);
		if (respelledField !== null) return { credential: respelled, field: respelledField };
	}
	return null;
}

/**
 * Whether the destination takes this credential (as it is, or written as credentialTakenBy
 * writes it), and in which of its fields. An unsupported one is the warning
 * unsupported_password_hash: the row goes without it and the user resets the password.
 */
export function credentialVerdict(
	profile: DestinationProfile,
	credential: Credential
): CredentialVerdict {
	const taken = credentialTakenBy(profile, credential);
	if (taken) return { verdict: 'accepted', field: taken.field };
	const rules = profile.passwords.flatMap((route) => route.accepts);
	const takes =
		rules.length === 0
			? 'takes no password hashes'
			: `takes ${[...new Set(rules.map(describe))].join(', ')} only`;
	return {
		verdict: 'unsupported',
		code: 'unsupported_password_hash',
		reason: `${profile.label} ${takes}, not this ${credential.algorithm} hash: the user will reset the password.`
	};
}

/** invalid_uuid when the profile requires UUID user ids (of its version) and this is not one. */
export function userIdIssue(profile: DestinationProfile, userId: string): 'invalid_uuid' | null {
	const { requireUuid, uuidVersion } = profile.rules;
	if (!requireUuid || userId === '') return null;
	if (!isValidUuid(userId)) return 'invalid_uuid';
	if (uuidVersion === null) return null;
	// The version is the first digit of the third group, the RFC 9562 variant 8–b of the fourth.
	return userId[14] === String(uuidVersion) && /[89ab]/i.test(userId[19]) ? null : 'invalid_uuid';
}

/** The keys of `app_metadata` the profile reserves (reserved_metadata_key when any). */
export function reservedMetadataKeys(profile: DestinationProfile, metadata: unknown): string[] {
	if (!isRecord(metadata)) return [];
	return Object.keys(metadata).filter((key) => profile.rules.reservedMetadataKeys.includes(key));
}
