/**
 * A destination profile (DESIGN.md "Destination profiles"): what a destination takes, as data, so
 * validation asks the chosen profile instead of branching per destination in code.
 */
import type { Algorithm } from '../identity/credential';
import type { FieldName } from '../types';

export const PROFILE_NAMES = [
	'reference',
	'loginsign',
	'auth0',
	'hanko',
	'cognito',
	'firebase'
] as const;

export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface ProfileField {
	name: FieldName;
	required: boolean;
	/** Characters (code points) of the value. */
	maxLength: number;
	/** The destination's own name for the field, where it differs (`cognito:username`, `localId`). */
	key?: string;
}

export interface ValueRules {
	/** user_id must be a UUID when given (the row code invalid_uuid). */
	requireUuid: boolean;
	/** The UUID version required on top of the layout, or null for any. */
	uuidVersion: number | null;
	/** phone_number must be E.164 as written, not only normalisable to it. */
	phoneE164: boolean;
	/** Dates must be ISO-like (`YYYY-MM-DD[THH:MM…]`), not slash or dotted dates. */
	isoDates: boolean;
	/** Exactly one address of `emails` is primary (no_primary_email, several_primary_emails). */
	onePrimaryEmail: boolean;
	/** Keys `app_metadata` may not hold (reserved_metadata_key). */
	reservedMetadataKeys: readonly string[];
	/** Fields no two rows may share. */
	unique: readonly FieldName[];
	/** Groups of fields of which each row needs at least one non-empty. */
	requireOneOf: readonly (readonly FieldName[])[];
	/** Boolean fields of which each row needs at least one true (Cognito's auto-verified attribute). */
	requireOneTrue: readonly FieldName[];
	/** username may not hold spaces or tabs. */
	usernameWithoutWhitespace: boolean;
	/** Every password hash of a file shares one hash configuration (Firebase's import flags). */
	oneHashConfigPerFile: boolean;
	/** TOTP secrets the destination can take, when it takes any. */
	totp: { periodSeconds: number; digest: 'sha1' } | null;
}

/** One accepted algorithm, optionally only with some parameter values (bcrypt `$2a$` only). */
export interface AlgorithmRule {
	algorithm: Algorithm;
	/** Each named param must be one of the listed values. */
	when?: Readonly<Record<string, readonly (string | number)[]>>;
	/** False: the destination cannot take a salt kept beside the hash (only an embedded one). */
	separateSalt?: false;
}

/** A field the destination takes a password hash in, and what it accepts there. */
export interface PasswordRoute {
	/** The destination's field: Auth0's `password_hash` or `custom_password_hash`, Firebase's `passwordHash`. */
	field: string;
	accepts: readonly AlgorithmRule[];
}

/** Null where the destination documents no limit. */
export interface ProfileLimits {
	/** Bytes of one import file or source. */
	bytesPerImport: number | null;
	/** Rows of one import; a larger file is sent as several imports, not refused. */
	rowsPerImport: number | null;
	/** Rows of one request. */
	rowsPerChunk: number | null;
	/** Bytes of one request's body. */
	bytesPerChunk: number | null;
	/** Characters of one row of the import file. */
	charsPerRow: number | null;
}

export interface DestinationProfile {
	name: ProfileName;
	label: string;
	fields: readonly ProfileField[];
	rules: ValueRules;
	/** Tried in order: the first route that accepts a credential carries it. Empty: no passwords. */
	passwords: readonly PasswordRoute[];
	limits: ProfileLimits;
	/** The per-row outcomes the destination reports (empty where it documents none). */
	statuses: readonly string[];
	/** Where the profile's facts come from (docs/platform-formats.md sections). */
	source: string;
}
