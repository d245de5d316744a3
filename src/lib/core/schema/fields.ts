/**
 * The canonical user fields (DESIGN.md) and what the reference destination takes of them: one
 * catalogue that the app, the CLI and the reference server (`server/`) all read.
 */
import type { SchemaField } from '../protocol/import-api';
import type { DestinationField, FieldName, FieldType, JsonShape } from '../types';

/** A user field every destination understands, and the header spellings that mean it. */
export interface CanonicalField {
	name: FieldName;
	type: FieldType;
	label: string;
	/** As written in DESIGN.md; compare after normalizeHeader(). */
	aliases: readonly string[];
	/** Each value must be a BCP 47 language tag (rules/locale.ts), at the destination as here. */
	languageTag?: true;
	/** A json field: what its value must be. */
	jsonShape?: JsonShape;
}

export const FIELDS: readonly CanonicalField[] = [
	{
		name: 'user_id',
		type: 'id',
		label: 'User ID',
		aliases: [
			'externalUserId',
			'user_id',
			'userid',
			'id',
			'legacyid',
			'customerid',
			'uid',
			'external_id',
			'customer_id',
			'localId'
		]
	},
	{
		name: 'email',
		type: 'email',
		label: 'Email',
		aliases: ['email', 'email_address', 'emailaddress', 'mail', 'e-mail']
	},
	{
		name: 'name',
		type: 'text',
		label: 'Full name',
		aliases: ['name', 'full_name', 'fullname', 'display_name', 'displayname']
	},
	{
		name: 'given_name',
		type: 'text',
		label: 'Given name',
		aliases: ['given_name', 'first_name', 'firstname']
	},
	{
		name: 'family_name',
		type: 'text',
		label: 'Family name',
		aliases: ['family_name', 'last_name', 'lastname', 'surname']
	},
	{
		name: 'username',
		type: 'text',
		label: 'Username',
		aliases: ['username', 'user_name', 'login', 'preferred_username', 'cognito:username']
	},
	{ name: 'nickname', type: 'text', label: 'Nickname', aliases: ['nickname'] },
	{
		name: 'email_verified',
		type: 'boolean',
		label: 'Email verified',
		aliases: ['email_verified', 'emailverified', 'verified']
	},
	{
		name: 'phone_number',
		type: 'phone',
		label: 'Phone number',
		aliases: ['phone_number', 'phone', 'mobile']
	},
	{
		name: 'registration_date',
		type: 'date',
		label: 'Registration date',
		aliases: [
			'registration_date',
			'registrationdate',
			'createdat',
			'created_at',
			'signupat',
			'signupdate',
			'created'
		]
	},
	{
		name: 'last_login_date',
		type: 'date',
		label: 'Last login',
		aliases: [
			'last_login_date',
			'lastlogindate',
			'lastlogin',
			'lastseenat',
			'lastactiveat',
			'last_login',
			'lastsignedinat'
		]
	},
	{
		name: 'locale',
		type: 'text',
		label: 'Locale',
		aliases: ['locale', 'language'],
		languageTag: true
	},
	{ name: 'roles', type: 'list', label: 'Roles', aliases: ['roles', 'role', 'groups'] },
	{
		name: 'organization',
		type: 'text',
		label: 'Organization',
		aliases: ['organization', 'organisation', 'org', 'company']
	},
	{
		name: 'blocked',
		type: 'boolean',
		label: 'Blocked',
		aliases: ['blocked', 'disabled', 'suspended']
	},
	{
		name: 'password_hash',
		type: 'hash',
		label: 'Password hash',
		aliases: ['password_hash', 'passwordhash', 'encrypted_password']
	},
	{
		name: 'password_salt',
		type: 'hash',
		label: 'Password salt',
		aliases: ['password_salt', 'salt', 'passwordsalt']
	},
	{
		name: 'picture',
		type: 'text',
		label: 'Picture',
		aliases: ['picture', 'photo_url', 'photourl', 'avatar']
	},
	{
		name: 'phone_verified',
		type: 'boolean',
		label: 'Phone verified',
		aliases: ['phone_verified', 'phone_number_verified']
	},
	{ name: 'emails', type: 'emails', label: 'Email addresses', aliases: ['emails'] },
	{
		name: 'password',
		type: 'credential',
		label: 'Password',
		aliases: ['password', 'custom_password_hash', 'credentials']
	},
	{
		name: 'identities',
		type: 'json',
		label: 'Linked identities',
		aliases: ['identities', 'providerUserInfo'],
		jsonShape: 'array'
	},
	{
		name: 'app_metadata',
		type: 'json',
		label: 'App metadata',
		aliases: ['app_metadata', 'custom_attributes', 'customAttributes'],
		jsonShape: 'object'
	},
	{
		name: 'user_metadata',
		type: 'json',
		label: 'User metadata',
		aliases: ['user_metadata'],
		jsonShape: 'object'
	}
];

/**
 * Types whose values are structured (JSON text when the source has structure): mapped only by an
 * exact name, never by a fuzzy guess or a dot path's last segment.
 */
export const STRUCTURED_TYPES: ReadonlySet<FieldType> = new Set(['emails', 'credential', 'json']);

/** Types whose values are secrets: never shown whole (identity/mask.ts). */
export const SECRET_TYPES: readonly FieldType[] = ['hash', 'credential'];

const BY_NAME = new Map(FIELDS.map((field) => [field.name, field]));

export function fieldByName(name: FieldName): CanonicalField {
	const field = BY_NAME.get(name);
	if (!field) throw new Error(`Unknown field: ${name}`);
	return field;
}

/** Characters a field's value may have at the reference destination. */
export const DEFAULT_MAX_LENGTH = 1024;
export const USER_ID_MAX_LENGTH = 255;

/** What the reference import API takes: every canonical field, user_id and email required. */
export const REFERENCE_FIELDS: readonly DestinationField[] = FIELDS.map((field) => ({
	name: field.name,
	required: field.name === 'user_id' || field.name === 'email',
	maxLength: field.name === 'user_id' ? USER_ID_MAX_LENGTH : DEFAULT_MAX_LENGTH
}));

/** A destination's fields as `GET /schema` announces them: with each field's type. */
export function schemaFields(fields: readonly DestinationField[]): SchemaField[] {
	return fields.map(({ name, required, maxLength }) => ({
		name,
		type: fieldByName(name).type,
		required,
		maxLength
	}));
}
