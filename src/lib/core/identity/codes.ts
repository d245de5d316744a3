/**
 * The row codes the faithful-identities rules bring (DESIGN.md "Validation rules"). They are not
 * in validate/codes.ts yet: that list's order is the bit layout of the WASM kernel's issue mask,
 * and these join it when the rules are wired into both engines. Until then this is their one list.
 */
export const IDENTITY_ISSUE_CODES = [
	'no_primary_email',
	'several_primary_emails',
	'invalid_password_hash',
	'unsupported_password_hash',
	'reserved_metadata_key'
] as const;

export type IdentityIssueCode = (typeof IDENTITY_ISSUE_CODES)[number];

/** Errors keep a row out of the upload; an unsupported hash only costs the user a password reset. */
export const IDENTITY_SEVERITY: Record<IdentityIssueCode, 'error' | 'warning'> = {
	no_primary_email: 'error',
	several_primary_emails: 'error',
	invalid_password_hash: 'error',
	unsupported_password_hash: 'warning',
	reserved_metadata_key: 'error'
};

export const IDENTITY_ISSUE_LABELS: Record<IdentityIssueCode, string> = {
	no_primary_email: 'No address is marked primary',
	several_primary_emails: 'More than one address is marked primary',
	invalid_password_hash: 'Password hash does not parse as its algorithm',
	unsupported_password_hash: 'Destination does not take this password hash: the user will reset it',
	reserved_metadata_key: 'app_metadata holds a key the destination reserves'
};
