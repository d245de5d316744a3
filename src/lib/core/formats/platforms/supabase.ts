import { hasAll, keySet, type Preset } from '../preset';

/** Postgres writes a whole-hour offset of a timestamptz as `+00`; the date rule wants `+00:00`. */
const POSTGRES_TIMESTAMP = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?[+-]\d{2})$/;

/**
 * The `auth.users` table as CSV (`\copy auth.users to 'users.csv' csv header`, or the table
 * editor's export): the GoTrue model's columns (supabase/auth internal/models/user.go).
 * `encrypted_password` is a bcrypt (or `$argon2…`, `$fbscrypt$…`) string; the metadata columns
 * hold JSON objects as text.
 */
export const supabaseCsv: Preset = {
	id: 'supabase-users-csv',
	label: 'Supabase auth.users (CSV)',
	detect: (input) =>
		input.format === 'csv' &&
		input.header &&
		hasAll(keySet(input), ['id', 'aud', 'email', 'encrypted_password']),
	mapping: {
		id: 'user_id',
		email: 'email',
		encrypted_password: 'password_hash',
		phone: 'phone_number',
		created_at: 'registration_date',
		last_sign_in_at: 'last_login_date',
		raw_app_meta_data: 'app_metadata',
		raw_user_meta_data: 'user_metadata',
		// Confirmation and ban times, not booleans: a per-row rule would be needed to read them
		// as email_verified, phone_verified or blocked (raw_user_meta_data keeps email_verified).
		email_confirmed_at: null,
		phone_confirmed_at: null,
		confirmed_at: null,
		banned_until: null,
		updated_at: null,
		deleted_at: null,
		invited_at: null,
		instance_id: null,
		aud: null,
		// The Postgres role for row-level security, not an application role.
		role: null,
		is_super_admin: null,
		is_sso_user: null,
		is_anonymous: null,
		confirmation_token: null,
		confirmation_sent_at: null,
		recovery_token: null,
		recovery_sent_at: null,
		email_change_token_new: null,
		email_change_token_current: null,
		email_change: null,
		email_change_sent_at: null,
		email_change_confirm_status: null,
		phone_change: null,
		phone_change_token: null,
		phone_change_sent_at: null,
		reauthentication_token: null,
		reauthentication_sent_at: null
	},
	restoreCell: (cell) => (POSTGRES_TIMESTAMP.test(cell) ? `${cell}:00` : cell),
	restoreNote: {
		done: 'completed',
		why: "Postgres' time-zone offsets such as +00 are read as +00:00"
	}
};
