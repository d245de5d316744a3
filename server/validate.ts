/**
 * Server-side validation of uploaded rows. The server never trusts the client: every row is checked
 * again by the app's own rules (src/lib/core/validate/rules, the identity readers and the profile
 * rules of the profile this server announces), and a row that fails is reported as invalid_row,
 * with every reason, and not applied. Reasons never quote a password hash or a salt.
 */
import { readCredentialCell } from '../src/lib/core/identity/cells';
import { isRecord, type Credential } from '../src/lib/core/identity/credential';
import { primaryEmail, type EmailAddress } from '../src/lib/core/identity/emails';
import { REFERENCE_PROFILE } from '../src/lib/core/profiles/catalogue';
import {
	credentialVerdict,
	reservedMetadataKeys,
	userIdIssue
} from '../src/lib/core/profiles/rules';
import type { DestinationProfile } from '../src/lib/core/profiles/types';
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

/**
 * A row's canonical values, trimmed and as text, as the accounts table stores them: structured
 * values (emails, the password credential, roles, identities, metadata) as JSON text. Absent and
 * empty fields are left out; a bare password_hash (and its salt) arrives as the `password` credential.
 */
export type RowValues = Partial<Record<FieldName, string>>;

export type RowCheck = { ok: true; values: RowValues } | { ok: false; reason: string };

/**
 * No default region: the app sends phone numbers in E.164 (normaliseRecord), so a number without
 * its country code cannot be read the way the client read it.
 */
const NO_REGION = '';

type Converted = { text: string } | { reason: string } | undefined;

const EMAIL_KEYS = new Set(['address', 'primary', 'verified']);

/**
 * `emails` as the app sends it: `[{address, primary, verified}]`, each address valid. Whether one
 * of them is the primary `email` names is checked with the whole row (checkRow).
 */
function emailsAsText(name: string, value: unknown): Converted {
	const shape = `${name} must be a list of {address, primary, verified}`;
	if (!Array.isArray(value)) return { reason: shape };
	const emails: EmailAddress[] = [];
	for (const entry of value) {
		if (
			!isRecord(entry) ||
			Object.keys(entry).some((key) => !EMAIL_KEYS.has(key)) ||
			typeof entry.address !== 'string' ||
			typeof entry.primary !== 'boolean' ||
			typeof entry.verified !== 'boolean'
		)
			return { reason: shape };
		const address = entry.address.trim();
		if (!isValidEmail(address)) return { reason: `${name} holds an address that is not valid` };
		emails.push({ address, primary: entry.primary, verified: entry.verified });
	}
	return { text: JSON.stringify(emails) };
}

/** `password`: a credential object, read (and judged) with the whole row in checkRow. */
function credentialAsText(value: unknown): Converted {
	return isRecord(value)
		? { text: JSON.stringify(value) }
		: { reason: 'password must be a credential object {algorithm, hash, …}' };
}

/** identities (an array) and the metadata (objects): JSON of their shape, as the app sends it. */
function jsonAsText(name: FieldName, value: unknown): Converted {
	const shape = fieldByName(name).jsonShape ?? 'object';
	const fits = shape === 'array' ? Array.isArray(value) : isRecord(value);
	if (!fits) return { reason: `${name} must be a JSON ${shape}` };
	return { text: JSON.stringify(value) };
}

/** The value as stored text, or a reason why this field cannot take it. */
function valueAsText({ name, type }: SchemaField, value: unknown): Converted {
	if (value === null || value === undefined) return undefined;
	if (type === 'emails') return emailsAsText(name, value);
	if (type === 'credential') return credentialAsText(value);
	if (type === 'json') return jsonAsText(name, value);
	if (type === 'list') {
		if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
			return { reason: `${name} must be a list of strings` };
		if (value.some(hasControlCharacter)) return { reason: `${name} contains a control character` };
		return { text: JSON.stringify(value.map((item) => item.trim())) };
	}
	if (typeof value === 'string') return { text: value.trim() };
	if (typeof value === 'boolean' && type === 'boolean') return { text: String(value) };
	if (typeof value === 'number' && Number.isFinite(value) && (type === 'date' || type === 'id')) {
		return { text: String(value) };
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
	// The JSON text as stored: C0 controls are escaped in it, DEL and C1 are not.
	if (hasControlCharacter(text)) return 'contains a control character';
	// emails and the credential are bounded by the chunk's size and their own rules; identities
	// and metadata by the field's announced length, of their JSON text.
	if (definition.type !== 'emails' && definition.type !== 'credential') {
		if (tooLong(text, definition.maxLength)) {
			return `is longer than ${definition.maxLength} characters`;
		}
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

/** Why the row's `emails` cannot go with its `email`: the primary must be that address. */
function emailsProblem(values: RowValues): string | null {
	const emails = JSON.parse(values.emails!) as EmailAddress[];
	if (emails.length === 0) return null;
	const primary = primaryEmail(emails);
	if ('issue' in primary) {
		return primary.issue === 'no_primary_email'
			? 'emails has no primary address'
			: 'emails has more than one primary address';
	}
	if (values.email !== undefined && emailKey(values.email) !== emailKey(primary.address!)) {
		return 'email is not the primary address of emails';
	}
	return null;
}

/**
 * The row's credential: the `password` object, or a bare `password_hash` string (with its
 * `password_salt`) recognised by its shape, as readCredentialCell reads a cell. A reason when it
 * does not parse, when both are sent, or when this server does not take its algorithm.
 */
function credentialOf(
	values: RowValues,
	profile: DestinationProfile
): { credential: Credential } | { reason: string } | null {
	const { password, password_hash: hash, password_salt: salt } = values;
	if (password !== undefined && (hash !== undefined || salt !== undefined)) {
		return { reason: 'send the credential once: password, or password_hash with password_salt' };
	}
	if (password === undefined && hash === undefined) {
		return salt === undefined ? null : { reason: 'password_salt needs password_hash' };
	}
	const field = password !== undefined ? 'password' : 'password_hash';
	const read = readCredentialCell(password ?? hash!, { salt: salt ?? '', firebase: null });
	if (read === null) return null;
	if ('error' in read) {
		return { reason: `${field} is not a valid credential: ${read.error.replace(/\.$/, '')}` };
	}
	if (credentialVerdict(profile, read.credential).verdict !== 'accepted') {
		return {
			reason: `${field} is a ${read.credential.algorithm} hash, which this server does not accept`
		};
	}
	return { credential: read.credential };
}

/**
 * Checks one uploaded row (its `row` number already taken out by the caller) against the profile
 * this server announces: only canonical field names, the required fields present, and each value
 * as the app's validation would have it (email, boolean, phone, date, language tag, UUID ids when
 * required, no control characters, lengths within limits; `emails` with the primary `email`
 * names; the credential readable and of an accepted algorithm; metadata without reserved keys).
 * Every problem is named in the reason, separated by "; ".
 */
export function checkRow(
	fields: Record<string, unknown>,
	profile: DestinationProfile = REFERENCE_PROFILE
): RowCheck {
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
	if (values.user_id !== undefined && userIdIssue(profile, values.user_id)) {
		problems.push('user_id is not a UUID');
	}
	const emails = values.emails === undefined ? null : emailsProblem(values);
	if (emails) problems.push(emails);
	if (values.app_metadata !== undefined) {
		const reserved = reservedMetadataKeys(profile, JSON.parse(values.app_metadata));
		if (reserved.length > 0)
			problems.push(`app_metadata holds reserved keys ${reserved.join(', ')}`);
	}
	const credential = credentialOf(values, profile);
	delete values.password_hash;
	delete values.password_salt;
	if (credential && 'reason' in credential) problems.push(credential.reason);
	else if (credential) values.password = JSON.stringify(credential.credential);
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
