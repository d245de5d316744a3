/**
 * What the reference import API accepts: the 16 canonical user fields of Ferry (DESIGN.md), which of
 * them it requires, how long they may be, and how big chunks and sources may get.
 */
import type { FieldName, FieldType } from '../src/lib/core/types';

export const PROTOCOL_VERSION = 1;

export interface ServerField {
	name: FieldName;
	type: FieldType;
	required: boolean;
	/** Characters (Unicode code points) of the value as stored. */
	maxLength: number;
}

const DEFAULT_MAX_LENGTH = 1024;
const USER_ID_MAX_LENGTH = 255;

function field(name: FieldName, type: FieldType, required = false): ServerField {
	const maxLength = name === 'user_id' ? USER_ID_MAX_LENGTH : DEFAULT_MAX_LENGTH;
	return { name, type, required, maxLength };
}

export const FIELDS: readonly ServerField[] = [
	field('user_id', 'id', true),
	field('email', 'email', true),
	field('name', 'text'),
	field('given_name', 'text'),
	field('family_name', 'text'),
	field('username', 'text'),
	field('nickname', 'text'),
	field('email_verified', 'boolean'),
	field('phone_number', 'phone'),
	field('registration_date', 'date'),
	field('last_login_date', 'date'),
	field('locale', 'text'),
	field('roles', 'list'),
	field('organization', 'text'),
	field('blocked', 'boolean'),
	field('password_hash', 'hash')
];

export const FIELD_NAMES: readonly FieldName[] = FIELDS.map((entry) => entry.name);

const FIELDS_BY_NAME = new Map<string, ServerField>(FIELDS.map((entry) => [entry.name, entry]));

/** The field with this exact name, or undefined for anything that is not canonical. */
export function canonicalField(name: string): ServerField | undefined {
	return FIELDS_BY_NAME.get(name);
}

export interface Limits {
	/** Rows in one chunk request. */
	rowsPerChunk: number;
	/** Bytes of one chunk request's JSON body, uncompressed. */
	bytesPerChunk: number;
	/** Rows received for one source, over all its chunks. */
	rowsPerSource: number;
}

export const DEFAULT_LIMITS: Limits = {
	rowsPerChunk: 1000,
	bytesPerChunk: 1_048_576,
	rowsPerSource: 1_000_000
};

export const ROW_STATUSES = [
	'imported',
	'already_connected',
	'not_found',
	'name_mismatch',
	'invalid_row',
	'already_exists',
	'updated'
] as const;

export type RowStatus = (typeof ROW_STATUSES)[number];

export type ImportMode = 'link' | 'create';
