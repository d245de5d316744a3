import { asJsonText, everyValue, isObject, keySet, reshaped, type Preset } from '../preset';

// An address list as Hanko writes it: an array of objects with an `address`.
const holdsAddresses = (value: string) => value.startsWith('[') && value.includes('"address"');

/**
 * `hanko user import` / `export` files: a JSON array of `{user_id?, emails: [{address,
 * is_primary, is_verified}], username?, password: {password: "$2a$…"}, otp_secret, created_at,
 * updated_at, webauthn_credentials}` (teamhanko/hanko backend/json_schema/hanko.user_import.json).
 * The address list stays whole (`emails`): the primary address is the user's email, and a user
 * with none or several is a row issue (validate/plan.ts), never a silent guess.
 */
export const hankoImport: Preset = {
	id: 'hanko-import',
	label: 'Hanko user import/export file (JSON)',
	detect(input) {
		if (input.format === 'csv') return false;
		const keys = keySet(input);
		return !keys.has('id') && !keys.has('email') && everyValue(input, 'emails', holdsAddresses);
	},
	mapping: {
		user_id: 'user_id',
		email: 'email',
		email_verified: 'email_verified',
		emails: 'emails',
		username: 'username',
		password: 'password',
		created_at: 'registration_date',
		updated_at: null,
		custom_user_id: null,
		// TOTP secrets and passkeys have no canonical field.
		otp_secret: null,
		webauthn_credentials: null
	},
	transformRecord: (record) =>
		reshaped(record, {
			// The bcrypt string itself; created_at/updated_at of the credential are not kept.
			password: isObject(record.password) ? (record.password.password ?? null) : record.password
		})
};

/**
 * A user of Hanko's admin API (`GET /users`): `id`, `emails` with `is_primary`/`is_verified`,
 * `username` as an object, `password` as metadata only (never the hash), `identities`,
 * `metadata` {public, private, unsafe} (teamhanko/hanko backend/dto/admin/user.go).
 */
export const hankoAdmin: Preset = {
	id: 'hanko',
	label: 'Hanko admin API users (JSON)',
	detect(input) {
		if (input.format === 'csv') return false;
		const keys = keySet(input);
		return keys.has('id') && !keys.has('userid') && everyValue(input, 'emails', holdsAddresses);
	},
	mapping: {
		id: 'user_id',
		email: 'email',
		email_verified: 'email_verified',
		emails: 'emails',
		username: 'username',
		given_name: 'given_name',
		family_name: 'family_name',
		name: 'name',
		picture: 'picture',
		identities: 'identities',
		metadata: 'app_metadata',
		created_at: 'registration_date',
		updated_at: null,
		// When the password was set, not the password: the admin API never returns the hash.
		password: null,
		otp: null,
		webauthn_credentials: null,
		ip_address: null,
		user_agent: null,
		organizations: null
	},
	transformRecord: (record) =>
		reshaped(record, {
			username: isObject(record.username) ? (record.username.username ?? null) : record.username,
			metadata: asJsonText(record.metadata)
		})
};
