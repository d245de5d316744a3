/**
 * Server-side validation of uploaded rows. The server never trusts the client: every row is checked
 * again, and a row that fails is reported as invalid_row and not applied.
 */
import { domainToASCII } from 'node:url';
import type { SchemaField } from '../src/lib/core/protocol/import-api';
import { REFERENCE_SCHEMA, schemaFields } from '../src/lib/core/schema/fields';
import type { FieldName } from '../src/lib/core/types';

/** What this server accepts and announces (GET /schema): the reference destination's fields. */
export const ACCEPTED_FIELDS: readonly SchemaField[] = schemaFields(REFERENCE_SCHEMA);

const ACCEPTED_BY_NAME = new Map<string, SchemaField>(
	ACCEPTED_FIELDS.map((field) => [field.name, field])
);

/** A row's canonical values, trimmed and as text; absent and empty fields are left out. */
export type RowValues = Partial<Record<FieldName, string>>;

export type RowCheck = { ok: true; values: RowValues } | { ok: false; reason: string };

const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no', 'y', 'n', '1', '0']);

// WHATWG's atext set for the local part (letters, digits and these symbols), dots handled apart.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** `local@domain` with an ASCII local part and at least two LDH labels; IDN domains are allowed. */
export function isValidEmail(email: string): boolean {
	if (email.length > 254) return false;
	const at = email.lastIndexOf('@');
	if (at <= 0 || at === email.length - 1) return false;
	const local = email.slice(0, at);
	if (local.length > 64 || !LOCAL_PART.test(local)) return false;
	const domain = domainToASCII(email.slice(at + 1));
	if (domain === '' || domain.length > 253) return false;
	const labels = domain.split('.');
	if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) return false;
	return !/^[0-9]+$/.test(labels[labels.length - 1]);
}

/** The value as stored text, or a reason why this field cannot take it. */
function valueAsText(
	{ name, type }: SchemaField,
	value: unknown
): { text: string } | { reason: string } | undefined {
	if (value === null || value === undefined) return undefined;
	if (typeof value === 'string') return { text: value.trim() };
	if (typeof value === 'boolean' && type === 'boolean') return { text: String(value) };
	if (typeof value === 'number' && Number.isFinite(value) && (type === 'date' || type === 'id')) {
		return { text: String(value) };
	}
	if (Array.isArray(value) && type === 'list' && value.every((item) => typeof item === 'string')) {
		return { text: JSON.stringify(value.map((item) => item.trim())) };
	}
	return { reason: `${name} has a value of the wrong type` };
}

function codePoints(text: string): number {
	let count = 0;
	for (const _ of text) count++;
	return count;
}

/**
 * Checks one uploaded row (its `row` number already taken out by the caller): only canonical field
 * names, the required fields present, a plausible email, booleans as words, lengths within limits.
 * Every problem is named in the reason, separated by "; ".
 */
export function checkRow(fields: Record<string, unknown>): RowCheck {
	const problems: string[] = [];
	const values: RowValues = {};
	for (const key of Object.keys(fields)) {
		const definition = ACCEPTED_BY_NAME.get(key);
		if (!definition) {
			problems.push(`unknown field ${JSON.stringify(key)}`);
			continue;
		}
		const converted = valueAsText(definition, fields[key]);
		if (!converted) continue;
		if ('reason' in converted) {
			problems.push(converted.reason);
			continue;
		}
		if (converted.text === '') continue;
		if (codePoints(converted.text) > definition.maxLength) {
			problems.push(`${key} is longer than ${definition.maxLength} characters`);
			continue;
		}
		if (definition.type === 'boolean' && !BOOLEAN_WORDS.has(converted.text.toLowerCase())) {
			problems.push(`${key} is not a boolean`);
			continue;
		}
		values[definition.name] = converted.text;
	}
	for (const definition of ACCEPTED_FIELDS) {
		if (definition.required && values[definition.name] === undefined) {
			if (!problems.some((problem) => problem.startsWith(definition.name + ' '))) {
				problems.push(`${definition.name} is required`);
			}
		}
	}
	if (values.email !== undefined && !isValidEmail(values.email)) {
		problems.push('email is not a valid address');
	}
	return problems.length > 0 ? { ok: false, reason: problems.join('; ') } : { ok: true, values };
}

/** Email key for case-insensitive matching. */
export function emailKey(email: string): string {
	return email.toLowerCase();
}

/** Names compare equal when they differ only in case, Unicode form or spacing. */
export function sameName(a: string, b: string): boolean {
	const normal = (text: string) => text.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
	return normal(a) === normal(b);
}
