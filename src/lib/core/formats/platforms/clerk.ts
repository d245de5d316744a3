import { hasAll, keySet, type Preset } from '../preset';

/**
 * The Clerk Dashboard's user export (Settings → User exports), the only export with password
 * digests. Clerk does not document its header; the columns are those of the files WorkOS's
 * migrate-clerk-users reads (example-input.csv): id, first_name, last_name, username,
 * primary_email_address, primary_phone_number, verified_email_addresses,
 * unverified_email_addresses, verified_phone_numbers, unverified_phone_numbers, totp_secret,
 * password_digest, password_hasher.
 */
export const clerkCsv: Preset = {
	id: 'clerk-csv',
	label: 'Clerk dashboard user export (CSV)',
	detect: (input) =>
		input.format === 'csv' &&
		input.header &&
		hasAll(keySet(input), ['id', 'primary_email_address', 'password_digest', 'password_hasher']),
	mapping: {
		id: 'user_id',
		first_name: 'given_name',
		last_name: 'family_name',
		username: 'username',
		primary_email_address: 'email',
		primary_phone_number: 'phone_number',
		password_digest: 'password_hash',
		// The digest's shape names its algorithm; Clerk's hasher name is not a field of its own.
		password_hasher: null,
		// Two columns of addresses split by verification: no one column is the `emails` list.
		verified_email_addresses: null,
		unverified_email_addresses: null,
		verified_phone_numbers: null,
		unverified_phone_numbers: null,
		totp_secret: null
	}
};
