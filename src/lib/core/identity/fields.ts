/**
 * The canonical fields of a faithful user that are not in FieldName (types.ts) yet; they join it
 * when mapping can take structured values.
 */
export const IDENTITY_FIELDS = [
	'emails',
	'password',
	'phone_verified',
	'picture',
	'identities',
	'app_metadata',
	'user_metadata'
] as const;

export type IdentityFieldName = (typeof IDENTITY_FIELDS)[number];
