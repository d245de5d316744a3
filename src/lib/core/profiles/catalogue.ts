/**
 * The destination profiles of DESIGN.md as data. Facts and their sources are in
 * docs/platform-formats.md; the reference profile is what the reference API announces.
 */
import { ALGORITHMS } from '../identity/credential';
import { AUTH0_ALGORITHMS, AUTH0_LDAP_SCHEMES } from '../identity/auth0';
import {
	DEFAULT_LIMITS,
	PROTOCOL_VERSION,
	ROW_STATUSES,
	type ApiSchema
} from '../protocol/import-api';
import { DEFAULT_MAX_LENGTH, REFERENCE_FIELDS, schemaFields } from '../schema/fields';
import type { FieldName } from '../types';
import type {
	AlgorithmRule,
	DestinationProfile,
	ProfileField,
	ProfileLimits,
	ProfileName,
	ValueRules
} from './types';

const BASE_RULES: ValueRules = {
	requireUuid: false,
	uuidVersion: null,
	phoneE164: false,
	isoDates: false,
	onePrimaryEmail: false,
	reservedMetadataKeys: [],
	unique: ['user_id', 'email'],
	requireOneOf: [],
	requireOneTrue: [],
	usernameWithoutWhitespace: false,
	oneHashConfigPerFile: false,
	totp: null
};

const NO_LIMITS: ProfileLimits = {
	bytesPerImport: null,
	rowsPerImport: null,
	rowsPerChunk: null,
	bytesPerChunk: null,
	charsPerRow: null
};

/** An optional field of the default length, or with what the profile says of it. */
function field(name: FieldName, options: Partial<ProfileField> = {}): ProfileField {
	return { name, required: false, maxLength: DEFAULT_MAX_LENGTH, ...options };
}

const KNOWN_ALGORITHMS = ALGORITHMS.filter((algorithm) => algorithm !== 'unknown');

/** What a reference API with its default flags announces in `GET /schema`. */
export const REFERENCE_API_SCHEMA: ApiSchema = {
	protocol: PROTOCOL_VERSION,
	name: 'Ferry reference import API',
	fields: schemaFields(REFERENCE_FIELDS),
	requireUuidUserId: false,
	limits: DEFAULT_LIMITS
};

/**
 * The profile of a reference-protocol destination, from what its `GET /schema` announces: its
 * fields, UUID ids, limits and accepted hash algorithms (absent: every known one). An `emails`
 * list needs exactly one primary address, the one `email` names (docs/import-api.md).
 */
export function profileFromApiSchema(schema: ApiSchema): DestinationProfile {
	const { limits } = schema;
	return {
		name: 'reference',
		label: schema.name,
		fields: schema.fields.map(({ name, required, maxLength }) => ({ name, required, maxLength })),
		// The protocol's `email` is the primary address, so an `emails` list needs exactly one.
		rules: { ...BASE_RULES, requireUuid: schema.requireUuidUserId, onePrimaryEmail: true },
		passwords: [
			{
				field: 'password',
				accepts: (schema.acceptedAlgorithms ?? KNOWN_ALGORITHMS).map((algorithm) => ({
					algorithm
				}))
			}
		],
		limits: {
			...NO_LIMITS,
			rowsPerImport: limits.rowsPerSource,
			rowsPerChunk: limits.rowsPerChunk,
			bytesPerChunk: limits.bytesPerChunk
		},
		statuses: ROW_STATUSES,
		source: 'GET /schema of the reference API (docs/import-api.md)'
	};
}

/** The reference API with its default flags: the destination a fresh install talks to. */
export const REFERENCE_PROFILE = profileFromApiSchema(REFERENCE_API_SCHEMA);
const REFERENCE = REFERENCE_PROFILE;

const LOGINSIGN: DestinationProfile = {
	...REFERENCE,
	name: 'loginsign',
	label: 'LoginSign',
	rules: { ...REFERENCE.rules, isoDates: true },
	limits: { ...REFERENCE.limits, rowsPerImport: 10_000 },
	statuses: ['imported', 'already_connected', 'not_found', 'name_mismatch', 'invalid_row'],
	source: 'DESIGN.md "Destination profiles"'
};

/** Every algorithm `custom_password_hash` takes, LDAP without `{CRYPT}` and pbkdf2 as PHC only. */
const AUTH0_CUSTOM: readonly AlgorithmRule[] = AUTH0_ALGORITHMS.map((algorithm): AlgorithmRule => {
	if (algorithm === 'ldap') return { algorithm, when: { scheme: AUTH0_LDAP_SCHEMES } };
	if (algorithm === 'pbkdf2') return { algorithm, when: { format: ['phc'] } };
	if (algorithm === 'argon2') return { algorithm, separateSalt: false };
	return { algorithm };
});

const AUTH0: DestinationProfile = {
	name: 'auth0',
	label: 'Auth0',
	fields: [
		field('email', { required: true }),
		field('email_verified'),
		field('user_id'),
		field('username'),
		field('given_name'),
		field('family_name'),
		field('name'),
		field('nickname'),
		field('picture'),
		field('blocked'),
		field('phone_number'),
		field('phone_verified'),
		field('app_metadata'),
		field('user_metadata'),
		field('password')
	],
	rules: {
		...BASE_RULES,
		phoneE164: true,
		unique: ['user_id', 'email', 'username', 'phone_number'],
		reservedMetadataKeys: [
			'__tenant',
			'_id',
			'blocked',
			'clientID',
			'created_at',
			'email_verified',
			'email',
			'globalClientID',
			'global_client_id',
			'identities',
			'lastIP',
			'lastLogin',
			'loginsCount',
			'metadata',
			'multifactor_last_modified',
			'multifactor',
			'updated_at',
			'user_id'
		]
	},
	passwords: [
		{
			field: 'password_hash',
			accepts: [{ algorithm: 'bcrypt', when: { variant: ['2a', '2b'] }, separateSalt: false }]
		},
		{ field: 'custom_password_hash', accepts: AUTH0_CUSTOM }
	],
	// "500KB" per file: read as 500,000 bytes, the smaller of its two meanings.
	limits: { ...NO_LIMITS, bytesPerImport: 500_000 },
	statuses: [],
	source: 'docs/platform-formats.md §1.1–1.2'
};

const HANKO: DestinationProfile = {
	name: 'hanko',
	label: 'Hanko',
	fields: [
		field('user_id'),
		field('emails'),
		field('username'),
		field('password'),
		field('registration_date', { key: 'created_at' })
	],
	rules: {
		...BASE_RULES,
		requireUuid: true,
		uuidVersion: 4,
		onePrimaryEmail: true,
		unique: ['user_id'],
		requireOneOf: [['emails', 'username']],
		totp: { periodSeconds: 30, digest: 'sha1' }
	},
	// The stored validator takes `$2a$` only (startswith=$2a$); `$fbscrypt$` support is unverified.
	passwords: [
		{
			field: 'password',
			accepts: [{ algorithm: 'bcrypt', when: { variant: ['2a'] }, separateSalt: false }]
		}
	],
	limits: NO_LIMITS,
	statuses: [],
	source: 'docs/platform-formats.md §2.1–2.3'
};

const COGNITO: DestinationProfile = {
	name: 'cognito',
	label: 'Amazon Cognito',
	fields: [
		field('username', { required: true, key: 'cognito:username' }),
		field('name'),
		field('given_name'),
		field('family_name'),
		field('nickname'),
		field('picture'),
		field('email'),
		field('email_verified'),
		field('phone_number'),
		field('phone_verified', { key: 'phone_number_verified' }),
		field('locale')
	],
	rules: {
		...BASE_RULES,
		phoneE164: true,
		unique: ['username'],
		requireOneTrue: ['email_verified', 'phone_verified'],
		usernameWithoutWhitespace: true
	},
	// The CSV import "does not support importing hashes": imported users reset their password.
	passwords: [],
	// "100 MB" read as 100,000,000 bytes, the smaller of its two meanings.
	limits: {
		...NO_LIMITS,
		bytesPerImport: 100_000_000,
		rowsPerImport: 500_000,
		charsPerRow: 16_000
	},
	statuses: ['imported', 'skipped', 'failed'],
	source: 'docs/platform-formats.md §4.2–4.3'
};

const FIREBASE: DestinationProfile = {
	name: 'firebase',
	label: 'Firebase Authentication',
	fields: [
		field('user_id', { maxLength: 128, key: 'localId' }),
		field('email'),
		field('email_verified', { key: 'emailVerified' }),
		field('password', { key: 'passwordHash' }),
		field('name', { key: 'displayName' }),
		field('picture', { key: 'photoUrl' }),
		field('registration_date', { key: 'createdAt' }),
		field('last_login_date', { key: 'lastSignedInAt' }),
		field('phone_number', { key: 'phoneNumber' }),
		field('blocked', { key: 'disabled' }),
		field('app_metadata', { key: 'customAttributes' }),
		field('identities', { key: 'providerUserInfo' })
	],
	rules: { ...BASE_RULES, phoneE164: true, unique: ['user_id'], oneHashConfigPerFile: true },
	// firebase auth:import's --hash-algo values, in our names.
	passwords: [
		{
			field: 'passwordHash',
			accepts: [
				{ algorithm: 'firebase-scrypt' },
				{ algorithm: 'scrypt' },
				{ algorithm: 'bcrypt' },
				{ algorithm: 'hmac', when: { digest: ['sha512', 'sha256', 'sha1', 'md5'] } },
				{ algorithm: 'md5' },
				{ algorithm: 'sha1' },
				{ algorithm: 'sha256' },
				{ algorithm: 'sha512' },
				{ algorithm: 'pbkdf2', when: { digest: ['sha1', 'sha256'] } }
			]
		}
	],
	limits: { ...NO_LIMITS, rowsPerChunk: 1000 },
	statuses: ['imported', 'failed'],
	source: 'docs/platform-formats.md §3.2'
};

export const PROFILES: Readonly<Record<ProfileName, DestinationProfile>> = {
	reference: REFERENCE,
	loginsign: LOGINSIGN,
	auth0: AUTH0,
	hanko: HANKO,
	cognito: COGNITO,
	firebase: FIREBASE
};

/** The profile of that name (the CLI's `--to`), or null for a name no profile has. */
export function profileByName(name: string): DestinationProfile | null {
	return Object.hasOwn(PROFILES, name) ? PROFILES[name as ProfileName] : null;
}
