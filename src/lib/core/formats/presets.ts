import { normalizeHeader } from '../mapping/normalize';
import { REPORT_COLUMNS, restoreFormula } from '../report/csv';
import type { FieldName, Format } from '../types';

/** What detection sees: the layout's keys (header cells or JSON dot paths) and the first rows. */
export interface PresetInput {
	format: Format;
	keys: string[];
	header: boolean;
	/** Rows aligned to keys. */
	sample: string[][];
}

/** A recognised export: how to spot it and how its keys map to canonical fields. */
export interface Preset {
	id: string;
	label: string;
	detect(input: PresetInput): boolean;
	/** Key → field; null marks a key that is known and deliberately not imported. */
	mapping: Readonly<Record<string, FieldName | null>>;
	/** Reshapes one raw JSON record before it is flattened into columns. */
	transformRecord?(record: Record<string, unknown>): Record<string, unknown>;
	/** CSV: gives back a cell's value as the export's writer had it before it encoded it. */
	restoreCell?(cell: string): string;
}

const keySet = (input: PresetInput) => new Set(input.keys.map(normalizeHeader));
const hasAll = (keys: Set<string>, names: string[]) =>
	names.every((name) => keys.has(normalizeHeader(name)));
const hasPrefix = (input: PresetInput, prefix: string) =>
	input.keys.some((key) => key.startsWith(prefix));

/** Share of sample rows whose value in `column` passes `test` (empty values count as passing). */
function share(sample: string[][], column: number, test: (value: string) => boolean): number {
	if (sample.length === 0) return 0;
	const passing = sample.filter((row) => {
		const value = (row[column] ?? '').trim();
		return value === '' || test(value);
	});
	return passing.length / sample.length;
}

/**
 * Copies a record without one key. Keys are defined, not assigned, so an own `__proto__` key
 * (JSON.parse creates those) stays an inert data property instead of replacing the prototype.
 */
function copyWithout(record: Record<string, unknown>, omit: string): Record<string, unknown> {
	const copy: Record<string, unknown> = {};
	for (const key of Object.keys(record)) if (key !== omit) define(copy, key, record[key]);
	return copy;
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
	Object.defineProperty(target, key, {
		value,
		enumerable: true,
		writable: true,
		configurable: true
	});
}

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

// Auth0's user export job and its bulk-import format share their user attribute names.
const AUTH0_FIELDS: Record<string, FieldName | null> = {
	user_id: 'user_id',
	email: 'email',
	email_verified: 'email_verified',
	name: 'name',
	given_name: 'given_name',
	family_name: 'family_name',
	nickname: 'nickname',
	username: 'username',
	phone_number: 'phone_number',
	blocked: 'blocked',
	password_hash: 'password_hash',
	created_at: 'registration_date',
	last_login: 'last_login_date',
	// Profile bookkeeping, not a login: must not be guessed as last_login_date.
	updated_at: null,
	picture: null,
	last_ip: null,
	logins_count: null,
	phone_verified: null
};

const auth0Export: Preset = {
	id: 'auth0-export',
	label: 'Auth0 user export (NDJSON)',
	detect(input) {
		if (input.format !== 'ndjson') return false;
		const keys = keySet(input);
		if (!hasAll(keys, ['user_id', 'email'])) return false;
		if (hasPrefix(input, 'identities.') || keys.has('loginscount') || keys.has('lastlogin'))
			return true;
		// Auth0 user ids carry their connection: "auth0|…", "google-oauth2|…".
		const id = input.keys.indexOf('user_id');
		return share(input.sample, id, (value) => /^[\w-]+\|./.test(value)) === 1;
	},
	mapping: AUTH0_FIELDS
};

const auth0BulkImport: Preset = {
	id: 'auth0-bulk-import',
	label: 'Auth0 bulk user import (JSON)',
	detect(input) {
		if (input.format !== 'json') return false;
		const keys = keySet(input);
		if (!keys.has('email')) return false;
		return (
			keys.has('passwordhash') ||
			['custom_password_hash.', 'app_metadata.', 'user_metadata.', 'mfa_factors.'].some((prefix) =>
				hasPrefix(input, prefix)
			)
		);
	},
	mapping: AUTH0_FIELDS
};

const auth0DashboardCsv: Preset = {
	id: 'auth0-dashboard-csv',
	label: 'Auth0 dashboard user list (CSV)',
	detect: (input) =>
		input.format === 'csv' &&
		input.header &&
		hasAll(keySet(input), ['Id', 'email', 'Connection', 'Created At', 'Updated At']),
	mapping: {
		Id: 'user_id',
		Nickname: 'nickname',
		Name: 'name',
		email: 'email',
		'Created At': 'registration_date',
		// When the profile last changed, not when the user last logged in.
		'Updated At': null,
		// The Auth0 connection (database or social provider) has no place in the destination.
		Connection: null
	}
};

/** Hanko keeps several addresses per user; the primary one (or else the first) is the email. */
function hankoRecord(record: Record<string, unknown>): Record<string, unknown> {
	const emails = Array.isArray(record.emails) ? record.emails.filter(isObject) : [];
	const primary = emails.find((entry) => entry.is_primary === true) ?? emails[0];
	const copy = copyWithout(record, 'emails');
	if (primary) {
		define(copy, 'email', primary.address ?? '');
		define(copy, 'email_verified', primary.is_verified ?? '');
	}
	return copy;
}

const hanko: Preset = {
	id: 'hanko',
	label: 'Hanko user export (JSON)',
	detect(input) {
		if (input.format === 'csv') return false;
		const keys = keySet(input);
		return (
			keys.has('id') && !keys.has('userid') && (keys.has('emails') || hasPrefix(input, 'emails.'))
		);
	},
	mapping: {
		id: 'user_id',
		email: 'email',
		email_verified: 'email_verified',
		username: 'username',
		created_at: 'registration_date',
		updated_at: null
	},
	transformRecord: hankoRecord
};

const firebaseJson: Preset = {
	id: 'firebase-json',
	label: 'Firebase auth:export (JSON)',
	detect: (input) => input.format !== 'csv' && keySet(input).has('localid'),
	mapping: {
		localId: 'user_id',
		email: 'email',
		emailVerified: 'email_verified',
		passwordHash: 'password_hash',
		displayName: 'name',
		// Epoch milliseconds as strings: the date rule reads 13-digit numbers as epoch ms.
		createdAt: 'registration_date',
		lastSignedInAt: 'last_login_date',
		lastLoginAt: 'last_login_date',
		phoneNumber: 'phone_number',
		disabled: 'blocked',
		salt: null,
		photoUrl: null,
		customAttributes: null
	}
};

/**
 * `firebase auth:export --format=csv` writes no header. Column order per firebase-tools'
 * accountExporter: UID, Email, Email Verified, Password Hash, Password Salt, Name, Photo URL,
 * four fields each for Google, Facebook, Twitter and GitHub (ID, Email, Display Name, Photo URL),
 * User Creation Time, Last Sign-In Time, Phone Number, then in newer versions Disabled and the
 * custom claims; every line ends with a comma, so a last empty field follows.
 */
const FIREBASE_CSV_COLUMNS: (FieldName | null)[] = [
	'user_id',
	'email',
	'email_verified',
	'password_hash',
	null,
	'name',
	...Array<null>(17).fill(null),
	'registration_date',
	'last_login_date',
	'phone_number',
	'blocked',
	// Custom claims (JSON) and the empty field after the trailing comma.
	null,
	null
];

const firebaseCsv: Preset = {
	id: 'firebase-csv',
	label: 'Firebase auth:export (headerless CSV)',
	detect(input) {
		const count = input.keys.length;
		if (input.format !== 'csv' || input.header || count < 26 || count > 29) return false;
		if (input.sample.length === 0) return false;
		const epochMs = (value: string) => /^\d{13}$/.test(value);
		return (
			share(input.sample, 0, (value) => /^\S+$/.test(value)) === 1 &&
			share(input.sample, 1, (value) => value.includes('@')) === 1 &&
			share(input.sample, 2, (value) => value === 'true' || value === 'false') === 1 &&
			share(input.sample, 23, epochMs) === 1 &&
			share(input.sample, 24, epochMs) === 1 &&
			input.sample.some((row) => (row[0] ?? '').trim() !== '')
		);
	},
	// Headerless files get the display names "Column 1..N" as their keys.
	mapping: Object.fromEntries(
		FIREBASE_CSV_COLUMNS.map((field, index) => [`Column ${index + 1}`, field])
	)
};

const loginSign: Preset = {
	id: 'loginsign-csv',
	label: 'LoginSign user export (CSV)',
	detect: (input) =>
		input.format === 'csv' &&
		input.header &&
		hasAll(keySet(input), ['user_id', 'email', 'name', 'registration_date', 'last_login_date']),
	mapping: {
		user_id: 'user_id',
		email: 'email',
		name: 'name',
		registration_date: 'registration_date',
		last_login_date: 'last_login_date'
	}
};

const cognito: Preset = {
	id: 'cognito-csv',
	label: 'Amazon Cognito user pool (CSV)',
	detect: (input) =>
		input.format === 'csv' &&
		input.header &&
		hasAll(keySet(input), ['cognito:username', 'cognito:mfa_enabled', 'email']),
	mapping: {
		// cognito:username is the pool's own identifier of the user: required, unique and immutable
		// within the pool (`sub` is not part of the CSV). It is the only column that can play
		// user_id, which the destination requires; preferred_username is the user-facing handle.
		'cognito:username': 'user_id',
		preferred_username: 'username',
		name: 'name',
		given_name: 'given_name',
		family_name: 'family_name',
		nickname: 'nickname',
		email: 'email',
		email_verified: 'email_verified',
		phone_number: 'phone_number',
		locale: 'locale',
		// Attribute bookkeeping (epoch seconds of the last profile change), not a login.
		updated_at: null,
		middle_name: null,
		profile: null,
		picture: null,
		website: null,
		gender: null,
		birthdate: null,
		zoneinfo: null,
		address: null,
		phone_number_verified: null,
		'cognito:mfa_enabled': null
	}
};

/**
 * A failure report Ferry wrote (docs/report-format.md), fixed and dropped again: its own columns
 * are not imported, the source's columns map as they did, and every cell loses the quote the
 * report's formula protection added (`'+14155550100` is read as `+14155550100`).
 */
const ferryFailureReport: Preset = {
	id: 'ferry-failure-report',
	label: 'Ferry failure report',
	detect: (input) =>
		input.format === 'csv' &&
		input.header &&
		REPORT_COLUMNS.every((column, index) => input.keys[index] === column),
	mapping: Object.fromEntries(REPORT_COLUMNS.map((column) => [column, null])),
	restoreCell: restoreFormula
};

/** In detection order: the more specific signatures first. */
export const PRESETS: readonly Preset[] = [
	ferryFailureReport,
	firebaseJson,
	firebaseCsv,
	hanko,
	cognito,
	auth0DashboardCsv,
	auth0Export,
	auth0BulkImport,
	loginSign
];

const BY_ID = new Map(PRESETS.map((preset) => [preset.id, preset]));

export function presetById(id: string | null): Preset | null {
	return (id && BY_ID.get(id)) || null;
}

/** The id of the first preset whose signature matches, or null. */
export function detectPreset(input: PresetInput): string | null {
	return PRESETS.find((preset) => preset.detect(input))?.id ?? null;
}

/** Applies the preset's record transform; the record itself when there is none. */
export function transformRecord(
	preset: string | null,
	record: Record<string, unknown>
): Record<string, unknown> {
	const transform = presetById(preset)?.transformRecord;
	return transform ? transform(record) : record;
}

/** How a preset restores each CSV cell, or null when it reads cells as they are. */
export function cellRestorer(preset: string | null): ((cell: string) => string) | null {
	return presetById(preset)?.restoreCell ?? null;
}

/** Key → field for the keys a preset imports. */
export function presetMapping(preset: string | null): ReadonlyMap<string, FieldName> {
	const mapping = presetById(preset)?.mapping ?? {};
	const entries = Object.entries(mapping).filter(
		(entry): entry is [string, FieldName] => entry[1] !== null
	);
	return new Map(entries);
}

/** Keys a preset knows and deliberately leaves unmapped, normalised. */
export function presetIgnoredKeys(preset: string | null): ReadonlySet<string> {
	const mapping = presetById(preset)?.mapping ?? {};
	return new Set(
		Object.entries(mapping)
			.filter(([, field]) => field === null)
			.map(([key]) => normalizeHeader(key))
	);
}
