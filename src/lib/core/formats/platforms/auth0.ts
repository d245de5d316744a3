import type { FieldName } from '../../types';
import { everyValue, hasAll, hasAny, keySet, type Preset } from '../preset';

// Auth0's user export job and its bulk-import format share their user attribute names
// (auth0/docs-v2 bulk-user-import-schema.mdx, bulk-user-exports.mdx).
const AUTH0_FIELDS: Record<string, FieldName | null> = {
	// Kept as written: an export's "auth0|…" is the id Auth0 knows the user by.
	user_id: 'user_id',
	email: 'email',
	email_verified: 'email_verified',
	name: 'name',
	given_name: 'given_name',
	family_name: 'family_name',
	nickname: 'nickname',
	username: 'username',
	picture: 'picture',
	phone_number: 'phone_number',
	phone_verified: 'phone_verified',
	blocked: 'blocked',
	password_hash: 'password_hash',
	custom_password_hash: 'password',
	identities: 'identities',
	app_metadata: 'app_metadata',
	user_metadata: 'user_metadata',
	created_at: 'registration_date',
	last_login: 'last_login_date',
	// Profile bookkeeping, not a login: must not be guessed as last_login_date.
	updated_at: null,
	last_ip: null,
	logins_count: null,
	// MFA enrolments (TOTP secrets among them) have no canonical field.
	mfa_factors: null
};

export const auth0Export: Preset = {
	id: 'auth0-export',
	label: 'Auth0 user export (NDJSON)',
	detect(input) {
		if (input.format !== 'ndjson') return false;
		const keys = keySet(input);
		if (!hasAll(keys, ['user_id', 'email'])) return false;
		if (hasAny(keys, ['identities', 'logins_count', 'last_login'])) return true;
		// Auth0 user ids carry their connection: "auth0|…", "google-oauth2|…".
		return everyValue(input, 'user_id', (value) => /^[\w-]+\|./.test(value));
	},
	mapping: AUTH0_FIELDS
};

export const auth0BulkImport: Preset = {
	id: 'auth0-bulk-import',
	label: 'Auth0 bulk user import (JSON)',
	detect(input) {
		if (input.format !== 'json') return false;
		const keys = keySet(input);
		return (
			keys.has('email') &&
			hasAny(keys, [
				'password_hash',
				'custom_password_hash',
				'app_metadata',
				'user_metadata',
				'mfa_factors'
			])
		);
	},
	mapping: AUTH0_FIELDS
};

/**
 * The dashboard's user export (formerly the User Import / Export extension), whose default columns
 * are Id, Given Name, Family Name, Nickname, Name, Email, Email Verified, Picture, Connection,
 * Created At, Updated At (auth0-user-import-export-extension client/reducers/export.js). The export
 * job writes each string cell with a leading `'` against CSV injection (bulk-user-exports.mdx).
 */
export const auth0DashboardCsv: Preset = {
	id: 'auth0-dashboard-csv',
	label: 'Auth0 dashboard user list (CSV)',
	detect: (input) =>
		input.format === 'csv' &&
		input.header &&
		hasAll(keySet(input), ['Id', 'email', 'Connection', 'Created At', 'Updated At']),
	mapping: {
		Id: 'user_id',
		'Given Name': 'given_name',
		'Family Name': 'family_name',
		Nickname: 'nickname',
		Name: 'name',
		email: 'email',
		'Email Verified': 'email_verified',
		Picture: 'picture',
		'Created At': 'registration_date',
		// When the profile last changed, not when the user last logged in.
		'Updated At': null,
		// The Auth0 connection (database or social provider) has no place in the destination.
		Connection: null
	},
	restoreCell: (cell) => (cell.startsWith("'") ? cell.slice(1) : cell),
	restoreNote: {
		done: 'un-escaped',
		why: "the quote Auth0's export puts before each text value is taken off"
	}
};
