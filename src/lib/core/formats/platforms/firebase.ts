import type { FieldName } from '../../types';
import { keySet, share, type Preset } from '../preset';

/**
 * `firebase auth:export users.json`: `{"users": [...]}` (firebase-tools src/accountExporter.ts).
 * `passwordHash` and `salt` are standard base64 of the project's modified scrypt;
 * `customAttributes` is the custom claims as a JSON string; `providerUserInfo` the linked
 * Google, Facebook, Twitter and GitHub accounts.
 */
export const firebaseJson: Preset = {
	id: 'firebase-json',
	label: 'Firebase auth:export (JSON)',
	detect: (input) => input.format !== 'csv' && keySet(input).has('localid'),
	mapping: {
		localId: 'user_id',
		email: 'email',
		emailVerified: 'email_verified',
		passwordHash: 'password_hash',
		salt: 'password_salt',
		displayName: 'name',
		photoUrl: 'picture',
		// Epoch milliseconds as strings: the date rule reads 13-digit numbers as epoch ms.
		createdAt: 'registration_date',
		lastSignedInAt: 'last_login_date',
		lastLoginAt: 'last_login_date',
		phoneNumber: 'phone_number',
		disabled: 'blocked',
		customAttributes: 'app_metadata',
		providerUserInfo: 'identities'
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
	'password_salt',
	'name',
	'picture',
	// The provider columns are spread over 16 cells, not one identities value.
	...Array<null>(16).fill(null),
	'registration_date',
	'last_login_date',
	'phone_number',
	'blocked',
	// Custom claims: a JSON object as text.
	'app_metadata',
	// The empty field after the trailing comma.
	null
];

export const firebaseCsv: Preset = {
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
