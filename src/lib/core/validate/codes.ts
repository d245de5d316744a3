import type { IssueCode } from '../types';

/** Every issue code; a code's index is its bit in a row's Uint32 issue mask. */
export const ISSUE_CODES: readonly IssueCode[] = [
	'missing_required',
	'invalid_email',
	'invalid_date',
	'invalid_boolean',
	'invalid_phone',
	'invalid_uuid',
	'duplicate_user_id',
	'duplicate_email',
	'ragged_row',
	'value_too_long',
	'future_date',
	'login_before_registration',
	// Appended, so that the bits of the codes before them (stored with scans) keep their meaning.
	'malformed_quotes',
	'invalid_characters',
	'invalid_locale',
	'no_primary_email',
	'several_primary_emails',
	'invalid_password_hash',
	'unsupported_password_hash',
	'reserved_metadata_key',
	'invalid_json',
	'record_too_large'
];

/** Errors keep a row out of the upload; warnings don't. */
export const SEVERITY: Record<IssueCode, 'error' | 'warning'> = {
	missing_required: 'error',
	invalid_email: 'error',
	invalid_date: 'error',
	invalid_boolean: 'error',
	invalid_phone: 'error',
	invalid_uuid: 'error',
	duplicate_user_id: 'error',
	duplicate_email: 'error',
	ragged_row: 'error',
	value_too_long: 'error',
	future_date: 'warning',
	login_before_registration: 'warning',
	malformed_quotes: 'error',
	invalid_characters: 'error',
	invalid_locale: 'error',
	no_primary_email: 'error',
	several_primary_emails: 'error',
	invalid_password_hash: 'error',
	// The row still goes, without the hash: the user resets the password.
	unsupported_password_hash: 'warning',
	reserved_metadata_key: 'error',
	invalid_json: 'error',
	record_too_large: 'error'
};

export const ISSUE_LABELS: Record<IssueCode, string> = {
	missing_required: 'Required field is empty',
	invalid_email: 'Invalid email address',
	invalid_date: 'Unrecognised or impossible date',
	invalid_boolean: 'Not a yes/no value',
	invalid_phone: 'Phone number cannot be normalised',
	invalid_uuid: 'User ID is not a UUID',
	duplicate_user_id: 'User ID repeats an earlier row',
	duplicate_email: 'Email repeats an earlier row',
	ragged_row: 'More fields than the header',
	value_too_long: 'Value longer than the destination allows',
	future_date: 'Date in the future',
	login_before_registration: 'Last login before registration',
	malformed_quotes: 'Misplaced quote in the CSV',
	invalid_characters: 'Control character in the value',
	invalid_locale: 'Not a language tag',
	no_primary_email: 'No address is marked primary',
	several_primary_emails: 'More than one address is marked primary',
	invalid_password_hash: 'Password hash does not parse as its algorithm',
	unsupported_password_hash: 'Destination does not take this password hash: the user will reset it',
	reserved_metadata_key: 'app_metadata holds a key the destination reserves',
	invalid_json: 'Structured value of the wrong shape',
	record_too_large: 'Record too large to read: skipped'
};

export function bitOf(code: IssueCode): number {
	return 1 << ISSUE_CODES.indexOf(code);
}

/** Every code's bit, looked up by name (bitOf without the search, for per-cell checks). */
export const ISSUE_BIT = Object.fromEntries(
	ISSUE_CODES.map((code) => [code, bitOf(code)])
) as Record<IssueCode, number>;

function maskOf(severity: 'error' | 'warning'): number {
	return ISSUE_CODES.reduce(
		(mask, code, bit) => (SEVERITY[code] === severity ? mask | (1 << bit) : mask),
		0
	);
}

export const ERROR_MASK = maskOf('error');
export const WARNING_MASK = maskOf('warning');
/** Every code's bit: "rows with any issue". */
export const ALL_ISSUES_MASK = ERROR_MASK | WARNING_MASK;

/** The codes whose bits are set in a row's mask, in ISSUE_CODES order. */
export function codesOf(mask: number): IssueCode[] {
	return ISSUE_CODES.filter((_, bit) => (mask & (1 << bit)) !== 0);
}
