/**
 * The canonical form of a validated record: what is sent to the destination. Validation decides
 * whether a value is acceptable; this decides how it is written, so two spellings of the same value
 * ("Y" and "true", "01.02.2020" and "2020-02-01", "(201) 555-0123" and "+12015550123") arrive as one.
 */
import { readCredentialCell, readEmailsCell, readJsonCell } from '../identity/cells';
import type { Credential } from '../identity/credential';
import type { EmailAddress } from '../identity/emails';
import type { FirebaseHashConfig } from '../identity/firebase';
import { CREDENTIAL_FIELDS, acceptedField, credentialTakenBy } from '../profiles/rules';
import type { DestinationProfile } from '../profiles/types';
import { fieldByName } from '../schema/fields';
import type { DateColumnOrder, DateOrder, FieldName, Mapping } from '../types';
import { parseBoolean } from './rules/boolean';
import { parseDate, resolveDate } from './rules/date';
import { normalizePhone } from './rules/phone';

/** A row's mapped cells: trimmed text per field (canonical.ts). */
export type MappedRecord = Partial<Record<FieldName, string>>;

/**
 * A value as sent: text for the flat fields; the addresses of `emails`, the `password`
 * credential, and the JSON of identities and metadata as they are.
 */
export type CanonicalValue = string | EmailAddress[] | Credential | unknown;

export type CanonicalRecord = Partial<Record<FieldName, CanonicalValue>>;

export interface NormaliseOptions {
	/**
	 * Per date field, the order its column's slash dates were read with: the scan's resolved
	 * `dateOrders` (see dateOrdersByField). A field without an entry had no slash date in the scan.
	 */
	dateOrders: Partial<Record<FieldName, DateOrder>>;
	/** For a slash date in a field without a resolved order: the admin's choice. */
	dateOrder: DateOrder;
	/** ISO 3166 region for phone numbers without a country code, as in validation. */
	defaultRegion: string;
	/** The destination: only the fields it takes are written, a credential only if it takes it. */
	profile: DestinationProfile;
	/** The Firebase project's hash config, as in validation. */
	hashConfig?: FirebaseHashConfig | null;
	/**
	 * The admin's value mapping of roles: a source role (as written, trimmed) to the destination's
	 * role name. A role without an entry is sent as written; an entry of '' drops the role.
	 */
	roleMap?: Readonly<Record<string, string>>;
	/** The organization of every row that has none. */
	organization?: string;
}

/** A value validation accepted cannot be written canonically: the options differ from the scan's. */
export class NormaliseError extends Error {
	override readonly name = 'NormaliseError';
	constructor(
		readonly field: FieldName,
		message: string
	) {
		super(message);
	}
}

/** Values without a time of day: written as a calendar date, not as an instant. */
const DATE_ONLY = /^(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{4}\/\d{2}\/\d{2})$/;

function pad(value: number, width = 2): string {
	return String(value).padStart(width, '0');
}

/**
 * ISO 8601: `YYYY-MM-DD` for a calendar date (slash, dotted and year-first dates included), the UTC
 * instant `YYYY-MM-DDTHH:MM:SS.sssZ` for a value with a time or an epoch. Null when not a date.
 */
export function isoDate(value: string, order: DateOrder): string | null {
	const ms = resolveDate(parseDate(value), order);
	if (Number.isNaN(ms)) return null;
	const date = new Date(ms);
	if (!DATE_ONLY.test(value)) return date.toISOString();
	return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** The scan's per-column slash-date orders, keyed by the field each column maps to. */
export function dateOrdersByField(
	dateOrders: readonly DateColumnOrder[],
	mapping: Mapping
): Partial<Record<FieldName, DateOrder>> {
	const byField: Partial<Record<FieldName, DateOrder>> = {};
	for (const { column, used } of dateOrders) {
		const field = mapping[column];
		if (field) byField[field] = used;
	}
	return byField;
}

function canonicalValue(
	field: FieldName,
	value: string,
	options: NormaliseOptions
): string | string[] {
	switch (fieldByName(field).type) {
		case 'boolean': {
			const parsed = parseBoolean(value);
			if (parsed === null) throw new NormaliseError(field, `${field}: not a yes/no value.`);
			return parsed ? 'true' : 'false';
		}
		case 'date': {
			const iso = isoDate(value, options.dateOrders[field] ?? options.dateOrder);
			if (iso === null) throw new NormaliseError(field, `${field}: not a valid date.`);
			return iso;
		}
		case 'phone': {
			const e164 = normalizePhone(value, options.defaultRegion);
			if (e164 === null) throw new NormaliseError(field, `${field}: not a valid phone number.`);
			return e164;
		}
		case 'list':
			return listValue(value);
		default:
			// email, id, text: trimmed, otherwise exactly as written.
			return value;
	}
}

/** A list cell: the JSON array of strings it is written as, else its items between , or ;. */
export function listValue(value: string): string[] {
	if (value.startsWith('[')) {
		const read = readJsonCell(value, 'array');
		if ('value' in read && (read.value as unknown[]).every((item) => typeof item === 'string'))
			return (read.value as string[]).map((item) => item.trim()).filter((item) => item !== '');
	}
	return value
		.split(/[,;]/)
		.map((item) => item.trim())
		.filter((item) => item !== '');
}

/**
 * The row's credential (a structured `password`, else a bare `password_hash` with its salt) as the
 * profile takes it (credentialTakenBy), or null when the profile does not take it.
 */
function credentialOf(record: MappedRecord, options: NormaliseOptions): Credential | null {
	const field: FieldName = record.password ? 'password' : 'password_hash';
	const text = record[field]?.trim() ?? '';
	const context = {
		salt: record.password_salt?.trim() ?? '',
		firebase: options.hashConfig ?? null
	};
	const read = readCredentialCell(text, context);
	if (read === null) return null;
	if ('error' in read) throw new NormaliseError(field, `${field}: not a valid password hash.`);
	return credentialTakenBy(options.profile, read.credential)?.credential ?? null;
}

function structuredValue(field: FieldName, value: string): CanonicalValue {
	const { type, jsonShape } = fieldByName(field);
	if (type === 'emails') {
		const read = readEmailsCell(value);
		if ('error' in read) throw new NormaliseError(field, `${field}: not a list of addresses.`);
		return read.emails;
	}
	const read = readJsonCell(value, jsonShape ?? 'object');
	if ('error' in read) throw new NormaliseError(field, `${field}: ${read.error}.`);
	return read.value;
}

/** The destination's names of the roles, each once, in the source's order; '' drops a role. */
function mappedRoles(
	roles: readonly string[],
	roleMap: Readonly<Record<string, string>>
): string[] {
	const mapped = roles.map((role) => (Object.hasOwn(roleMap, role) ? roleMap[role].trim() : role));
	return [...new Set(mapped.filter((role) => role !== ''))];
}

/**
 * A record of mapped fields (canonicalRecord) in canonical form, with what the destination's
 * profile takes only: every value trimmed and empty ones dropped; booleans `true`/`false`; dates
 * ISO 8601 (slash dates read in their column's resolved order); phone numbers E.164; `emails` as
 * addresses, `email` their primary one when no column gave it; the credential as `password`, when
 * the destination takes its algorithm (else the user resets the password); json fields as their
 * JSON. Pure: the input is not changed. Meant for rows without errors; a value validation would
 * have refused throws NormaliseError (never a message with the value in it, so it can be shown and
 * logged).
 */
export function normaliseRecord(record: MappedRecord, options: NormaliseOptions): CanonicalRecord {
	const out: CanonicalRecord = {};
	for (const [field, raw] of Object.entries(record) as [FieldName, string | undefined][]) {
		const value = raw?.trim() ?? '';
		if (value === '' || CREDENTIAL_FIELDS.includes(field)) continue;
		if (!acceptedField(options.profile, field)) continue;
		const { type } = fieldByName(field);
		out[field] =
			type === 'emails' || type === 'json'
				? structuredValue(field, value)
				: canonicalValue(field, value, options);
	}
	if (out.roles && options.roleMap) out.roles = mappedRoles(out.roles as string[], options.roleMap);
	const organization = options.organization?.trim();
	if (
		out.organization === undefined &&
		organization &&
		acceptedField(options.profile, 'organization')
	)
		out.organization = organization;
	const credential = credentialOf(record, options);
	if (credential) out.password = credential;
	const emails = out.emails as EmailAddress[] | undefined;
	if (out.email === undefined && emails) {
		const primary = emails.filter((email) => email.primary);
		if (primary.length === 1) {
			out.email = primary[0].address;
			if (out.email_verified === undefined && acceptedField(options.profile, 'email_verified'))
				out.email_verified = String(primary[0].verified);
		}
	}
	return out;
}
