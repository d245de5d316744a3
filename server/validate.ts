/**
 * Server-side validation of uploaded rows. The server never trusts the client: every row is checked
 * again by the app's own rules (src/lib/core/validate/rules), and a row that fails is reported as
 * invalid_row, with every reason, and not applied.
 */
import type { SchemaField } from '../src/lib/core/protocol/import-api';
import { fieldByName, REFERENCE_FIELDS, schemaFields } from '../src/lib/core/schema/fields';
import type { FieldName } from '../src/lib/core/types';
import { tooLong } from '../src/lib/core/validate/plan';
import { isValidBoolean } from '../src/lib/core/validate/rules/boolean';
import { parseDate, resolveDate } from '../src/lib/core/validate/rules/date';
import { isValidEmail } from '../src/lib/core/validate/rules/email';
import { isValidLocale } from '../src/lib/core/validate/rules/locale';
import { normalizePhone } from '../src/lib/core/validate/rules/phone';
import { hasControlCharacter } from '../src/lib/core/validate/rules/text';

export { isValidEmail };

/** What this server accepts and announces (GET /schema): the reference destination's fields. */
export const ACCEPTED_FIELDS: readonly SchemaField[] = schemaFields(REFERENCE_FIELDS);

const ACCEPTED_BY_NAME = new Map<string, SchemaField>(
	ACCEPTED_FIELDS.map((field) => [field.name, field])
);

/** The accepted fields whose value must be a language tag, looked up once rather than per value. */
const LANGUAGE_TAG_FIELDS = new Set<string>(
	ACCEPTED_FIELDS.filter((field) => fieldByName(field.name).languageTag).map((field) => field.name)
);

/** A row's canonical values, trimmed and as text; absent and empty fields are left out. */
export type RowValues = Partial<Record<FieldName, string>>;

export type RowCheck = { ok: true; values: RowValues } | { ok: false; reason: string };

/**
 * No default region: the app sends phone numbers in E.164 (normaliseRecord), so a number without
 * its country code cannot be read the way the client read it.
 */
const NO_REGION = '';

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
		if (value.some(hasControlCharacter)) return { reason: `${name} contains a control character` };
		return { text: JSON.stringify(value.map((item) => item.trim())) };
	}
	return { reason: `${name} has a value of the wrong type` };
}

/** A date the client would have accepted: one instant, or a slash date both orders read alike. */
function dateProblem(value: string): string | null {
	const parsed = parseDate(value);
	const dmy = resolveDate(parsed, 'dmy');
	const mdy = resolveDate(parsed, 'mdy');
	if (Number.isNaN(dmy) && Number.isNaN(mdy)) return 'is not a date';
	if (!Number.isNaN(dmy) && !Number.isNaN(mdy) && dmy !== mdy) {
		return 'is ambiguous (day and month could be swapped); send ISO 8601';
	}
	return null;
}

/** Why one non-empty trimmed value does not fit its field, or null. */
function valueProblem(definition: SchemaField, text: string): string | null {
	if (hasControlCharacter(text)) return 'contains a control character';
	if (tooLong(text, definition.maxLength)) {
		return `is longer than ${definition.maxLength} characters`;
	}
	switch (definition.type) {
		case 'boolean':
			return isValidBoolean(text) ? null : 'is not a boolean';
		case 'email':
			return isValidEmail(text) ? null : 'is not a valid address';
		case 'phone':
			return normalizePhone(text, NO_REGION) === null
				? 'is not a valid phone number with its country code'
				: null;
		case 'date':
			return dateProblem(text);
		default:
			if (LANGUAGE_TAG_FIELDS.has(definition.name) && !isValidLocale(text)) {
				return 'is not a language tag';
			}
			return null;
	}
}

/**
 * Checks one uploaded row (its `row` number already taken out by the caller): only canonical field
 * names, the required fields present, and each value as the app's validation would have it (email,
 * boolean, phone, date, language tag, no control characters, lengths within limits). Every problem
 * is named in the reason, separated by "; ".
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
		const problem = valueProblem(definition, converted.text);
		if (problem) {
			problems.push(`${key} ${problem}`);
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
