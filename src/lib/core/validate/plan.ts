import { readCredentialCell, readEmailsCell, readJsonCell } from '../identity/cells';
import type { Algorithm, CredentialResult } from '../identity/credential';
import { primaryEmail } from '../identity/emails';
import {
	acceptedField,
	credentialVerdict,
	reservedMetadataKeys,
	userIdIssue
} from '../profiles/rules';
import type { DestinationProfile, ProfileField } from '../profiles/types';
import { fieldByName } from '../schema/fields';
import type { FieldName, FieldType, IssueCode, Mapping, ValidationOptions } from '../types';
import { ISSUE_BIT } from './codes';
import { isValidBoolean, parseBoolean } from './rules/boolean';
import { isValidEmail } from './rules/email';
import { isValidLocale } from './rules/locale';
import { isValidPhone } from './rules/phone';
import { hasControlCharacter } from './rules/text';

/** The fields whose repeats are duplicates. */
export type DuplicateKey = 'user_id' | 'email';

/** A mapped column the destination accepts. */
export interface Check {
	column: number;
	field: FieldName;
	type: FieldType;
	maxLength: number;
	required: boolean;
	/** The value must be a UUID (user_id, when the destination requires UUIDs). */
	uuid: boolean;
	/**
	 * Judged by the JavaScript rules only, never on the bytes: language tags (Intl), structured
	 * values and credentials (JSON, hash shapes), UUIDs of a required version.
	 */
	inJs: boolean;
	/** The duplicate key the value is (an email is compared lower-cased). */
	key: 'none' | DuplicateKey;
	/** Index among the date checks, -1 for other types. */
	dateSlot: number;
}

/** A row issue a structured value or a credential brings, with why (explain.ts shows it). */
export interface ValueIssue {
	code: IssueCode;
	reason: string;
}

/** A record's trimmed cell by column ('' past its fields): rules that read a neighbour use it. */
export type CellReader = (column: number) => string;

/** Length in characters (code points), counted only when UTF-16 units could exceed the limit. */
export function tooLong(value: string, maxLength: number): boolean {
	if (value.length <= maxLength) return false;
	let count = 0;
	for (const _ of value) if (++count > maxLength) return true;
	return false;
}

/** What a plan is made from: the destination's profile, the mapping, the header and the options. */
export interface PlanInit {
	profile: DestinationProfile;
	mapping: Mapping;
	columns: string[];
	options: ValidationOptions;
}

/**
 * What to check in every row of one file: the mapped columns the destination's profile accepts,
 * the required fields, the duplicate keys and the date columns. Both engines check cells by it.
 */
export class ValidationPlan {
	readonly profile: DestinationProfile;
	readonly columns: string[];
	readonly options: ValidationOptions;
	readonly checks: Check[] = [];
	/** Per required field: its column, or -1 when unmapped. */
	readonly required: { field: FieldName; column: number }[];
	/**
	 * The column of the field that identifies a user at the destination, duplicates of which are
	 * duplicate_user_id: user_id, or the profile's own unique key where it has no user_id
	 * (Cognito's username).
	 */
	readonly userIdColumn: number;
	readonly userIdField: FieldName;
	/** The column of the row's primary address: `email`, else `emails` (its primary one). */
	readonly emailColumn: number;
	/** The column mapped to roles (-1: none): a scan gathers its distinct items. */
	readonly rolesColumn: number;
	/**
	 * What a row's duplicate keys depend on: the key checks' columns, fields and types (null when
	 * no check is a key). Two plans with the same signature find the same duplicates in a file,
	 * whatever else they check.
	 */
	readonly keySignature: string | null;
	readonly dateChecks: Check[] = [];
	readonly registrationSlot: number;
	readonly loginSlot: number;
	/** Bits every row carries: a required field no column is mapped to. */
	readonly constantMask: number;
	/**
	 * The profile's rules on a row's fields together (Hanko: emails or a username; Cognito: a
	 * verified email or phone), by the columns mapped to those fields.
	 */
	readonly #oneOf: { fields: FieldName[]; columns: number[] }[];
	readonly #oneTrue: { fields: FieldName[]; columns: number[] } | null;
	/** The column of password_salt, -1 when unmapped: read beside a bare hash. */
	readonly saltColumn: number;
	/** The columns a row's credential is read from, first found first: password, password_hash. */
	readonly credentialColumns: number[];
	/** The last credential read: a row's credential is judged, then counted, from one reading. */
	#lastCredential: { text: string; salt: string; read: CredentialResult | null } | null = null;
	/** `emails` stands in for a required `email`, so it needs exactly one primary address. */
	readonly #emailsArePrimary: boolean;
	/** The `email` column when an `emails` column is mapped too, else -1. */
	readonly #emailBeside: number;

	constructor(init: PlanInit) {
		const { profile, mapping, columns, options } = init;
		this.profile = profile;
		this.columns = columns;
		this.options = options;
		const columnOf = new Map<FieldName, number>();
		const accepted = new Map<FieldName, Omit<ProfileField, 'name'>>();
		mapping.forEach((field, column) => {
			const destination = field ? acceptedField(profile, field) : undefined;
			// A field mapped twice is a caller bug; the first column wins, as in automap.
			if (!field || !destination || column >= columns.length || columnOf.has(field)) return;
			columnOf.set(field, column);
			accepted.set(field, destination);
		});
		const emailRequired = profile.fields.some((f) => f.name === 'email' && f.required);
		const emailsColumn = columnOf.get('emails') ?? -1;
		const emailsStandIn = !columnOf.has('email') && emailsColumn >= 0;
		this.#emailsArePrimary = emailsStandIn && emailRequired;
		this.emailColumn = columnOf.get('email') ?? emailsColumn;
		this.#emailBeside = emailsColumn >= 0 ? (columnOf.get('email') ?? -1) : -1;
		const uuidVersioned = profile.rules.requireUuid && profile.rules.uuidVersion !== null;
		const { unique } = profile.rules;
		this.userIdField = unique.includes('user_id')
			? 'user_id'
			: (unique.find((name) => name !== 'email') ?? 'user_id');
		const usernameChecked = profile.rules.usernameWithoutWhitespace;
		for (const [field, column] of columnOf) {
			const { type, languageTag } = fieldByName(field);
			const destination = accepted.get(field)!;
			const isUserId = field === 'user_id';
			const check: Check = {
				column,
				field,
				type,
				maxLength: destination.maxLength,
				required: destination.required || (field === 'emails' && this.#emailsArePrimary),
				uuid: isUserId && profile.rules.requireUuid,
				inJs:
					languageTag === true ||
					type === 'emails' ||
					type === 'json' ||
					type === 'credential' ||
					field === 'password_hash' ||
					(isUserId && uuidVersioned) ||
					(field === 'username' && usernameChecked),
				key:
					field === this.userIdField
						? 'user_id'
						: field === 'email' || (field === 'emails' && emailsStandIn)
							? 'email'
							: 'none',
				dateSlot: type === 'date' ? this.dateChecks.length : -1
			};
			this.checks.push(check);
			if (type === 'date') this.dateChecks.push(check);
		}
		this.required = profile.fields
			.filter((field) => field.required)
			.map((field) => ({
				field: field.name,
				column:
					columnOf.get(field.name) ?? (field.name === 'email' && emailsStandIn ? emailsColumn : -1)
			}));
		this.constantMask = this.required.some(({ column }) => column < 0)
			? ISSUE_BIT.missing_required
			: 0;
		this.userIdColumn = columnOf.get(this.userIdField) ?? -1;
		this.rolesColumn = columnOf.get('roles') ?? -1;
		const keyed = this.checks.filter((check) => check.key !== 'none');
		this.keySignature =
			keyed.length > 0
				? JSON.stringify(keyed.map(({ column, field, type, key }) => [column, field, type, key]))
				: null;
		this.saltColumn = columnOf.get('password_salt') ?? -1;
		const columnsOf = (fields: readonly FieldName[]) =>
			fields.map((field) => columnOf.get(field) ?? -1).filter((column) => column >= 0);
		this.#oneOf = profile.rules.requireOneOf.map((fields) => ({
			fields: [...fields],
			columns: columnsOf(fields)
		}));
		const { requireOneTrue } = profile.rules;
		this.#oneTrue =
			requireOneTrue.length > 0
				? { fields: [...requireOneTrue], columns: columnsOf(requireOneTrue) }
				: null;
		this.credentialColumns = columnsOf(['password', 'password_hash']);
		this.registrationSlot = this.dateChecks.findIndex((c) => c.field === 'registration_date');
		this.loginSlot = this.dateChecks.findIndex((c) => c.field === 'last_login_date');
	}

	/**
	 * The issue bits of one non-empty trimmed value, but for what a date parses as: its length,
	 * control characters (in any field, as the destination checks) and its type's rule. `cellOf`
	 * reads the row's other cells (a bare hash's salt).
	 */
	valueBits(check: Check, value: string, cellOf: CellReader): number {
		let mask = tooLong(value, check.maxLength) ? ISSUE_BIT.value_too_long : 0;
		if (hasControlCharacter(value)) mask |= ISSUE_BIT.invalid_characters;
		const issue = this.#valueIssue(check, value);
		if (issue) mask |= ISSUE_BIT[issue];
		if (check.inJs)
			for (const { code } of this.valueIssues(check, value, cellOf)) mask |= ISSUE_BIT[code];
		return mask;
	}

	/**
	 * Every bit this check can give a row (valueBits, or missing_required for an empty required
	 * value): a row whose mask has none of them got nothing from it. Kept beside valueBits and
	 * valueIssues, which give them.
	 */
	possibleBits(check: Check): number {
		let mask = ISSUE_BIT.value_too_long | ISSUE_BIT.invalid_characters;
		if (check.required) mask |= ISSUE_BIT.missing_required;
		switch (check.type) {
			case 'email':
				return mask | ISSUE_BIT.invalid_email;
			case 'boolean':
				return mask | ISSUE_BIT.invalid_boolean;
			case 'phone':
				return mask | ISSUE_BIT.invalid_phone;
			case 'id':
				return mask | ISSUE_BIT.invalid_uuid;
			case 'date':
				return mask | ISSUE_BIT.invalid_date;
			case 'emails':
				return (
					mask |
					ISSUE_BIT.invalid_json |
					ISSUE_BIT.invalid_email |
					ISSUE_BIT.missing_required |
					ISSUE_BIT.no_primary_email |
					ISSUE_BIT.several_primary_emails
				);
			case 'json':
				return mask | ISSUE_BIT.invalid_json | ISSUE_BIT.reserved_metadata_key;
			case 'credential':
			case 'hash':
				return mask | ISSUE_BIT.invalid_password_hash | ISSUE_BIT.unsupported_password_hash;
			default:
				return fieldByName(check.field).languageTag ? mask | ISSUE_BIT.invalid_locale : mask;
		}
	}

	#valueIssue(check: Check, value: string): IssueCode | null {
		switch (check.type) {
			case 'email':
				return isValidEmail(value) ? null : 'invalid_email';
			case 'boolean':
				return isValidBoolean(value) ? null : 'invalid_boolean';
			case 'phone':
				return isValidPhone(value, this.options.defaultRegion) ? null : 'invalid_phone';
			case 'id':
				return check.uuid ? userIdIssue(this.profile, value) : null;
			default:
				return fieldByName(check.field).languageTag && !isValidLocale(value)
					? 'invalid_locale'
					: null;
		}
	}

	/**
	 * The issues of a structured value or a credential, with their reasons: one function for the
	 * verdict (valueBits) and the message (explain), so the two never disagree.
	 */
	valueIssues(check: Check, value: string, cellOf: CellReader): ValueIssue[] {
		switch (check.type) {
			case 'emails':
				return this.#emailsIssues(value, cellOf);
			case 'json': {
				const shape = fieldByName(check.field).jsonShape ?? 'object';
				const read = readJsonCell(value, shape);
				if ('error' in read) return [{ code: 'invalid_json', reason: read.error }];
				if (check.field !== 'app_metadata') return [];
				const reserved = reservedMetadataKeys(this.profile, read.value);
				return reserved.length === 0
					? []
					: [
							{
								code: 'reserved_metadata_key',
								reason: `${this.profile.label} reserves ${reserved.map((key) => JSON.stringify(key)).join(', ')}`
							}
						];
			}
			case 'text':
				return check.field === 'username' &&
					this.profile.rules.usernameWithoutWhitespace &&
					/\s/.test(value)
					? [
							{
								code: 'invalid_characters',
								reason: `${this.profile.label} usernames may not contain spaces`
							}
						]
					: [];
			case 'credential':
			case 'hash':
				return check.field === 'password_salt' ? [] : this.#credentialIssues(value, cellOf);
			default:
				return [];
		}
	}

	#emailsIssues(value: string, cellOf: CellReader): ValueIssue[] {
		const read = readEmailsCell(value);
		if ('error' in read) return [{ code: 'invalid_json', reason: read.error }];
		const issues: ValueIssue[] = read.emails
			.filter(({ address }) => !isValidEmail(address))
			.map(({ address }) => ({
				code: 'invalid_email',
				reason: `${JSON.stringify(address)} is not a valid email address`
			}));
		if (read.emails.length === 0) {
			if (this.#emailsArePrimary) issues.push({ code: 'missing_required', reason: 'no address' });
			return issues;
		}
		const primary = primaryEmail(read.emails);
		const email = this.#emailBeside >= 0 ? cellOf(this.#emailBeside) : '';
		// An email column beside the list must be its primary address: the destination gets one.
		if ('address' in primary && primary.address && email !== '')
			if (primary.address.toLowerCase() !== email.toLowerCase())
				issues.push({
					code: 'invalid_email',
					reason: `the primary address of the list is ${JSON.stringify(primary.address)}, not the email column's ${JSON.stringify(email)}`
				});
		if (!this.profile.rules.onePrimaryEmail && !this.#emailsArePrimary) return issues;
		if ('issue' in primary)
			issues.push({
				code: primary.issue,
				reason:
					primary.issue === 'no_primary_email'
						? `none of ${read.emails.length} addresses is marked primary`
						: `${read.emails.filter((email) => email.primary).length} addresses are marked primary`
			});
		return issues;
	}

	#readCredential(text: string, cellOf: CellReader): CredentialResult | null {
		const salt = this.saltColumn >= 0 ? cellOf(this.saltColumn) : '';
		const last = this.#lastCredential;
		if (last && last.text === text && last.salt === salt) return last.read;
		const read = readCredentialCell(text, { salt, firebase: this.options.hashConfig ?? null });
		this.#lastCredential = { text, salt, read };
		return read;
	}

	/**
	 * The algorithm of the row's credential (its first non-empty credential column), 'invalid' when
	 * it does not parse, null when the row has none: what the credential census counts.
	 */
	rowAlgorithm(cellOf: CellReader): Algorithm | 'invalid' | null {
		for (const column of this.credentialColumns) {
			const text = cellOf(column);
			if (text === '') continue;
			const read = this.#readCredential(text, cellOf);
			if (read === null) return null;
			return 'error' in read ? 'invalid' : read.credential.algorithm;
		}
		return null;
	}

	#credentialIssues(value: string, cellOf: CellReader): ValueIssue[] {
		const read = this.#readCredential(value, cellOf);
		if (read === null) return [];
		if ('error' in read) return [{ code: 'invalid_password_hash', reason: read.error }];
		const verdict = credentialVerdict(this.profile, read.credential);
		return verdict.verdict === 'accepted'
			? []
			: [{ code: 'unsupported_password_hash', reason: verdict.reason }];
	}

	/**
	 * The row's duplicate key of this check from its trimmed value: an email lower-cased, the
	 * primary one of an `emails` value ('' when it has none: no key).
	 */
	keyText(check: Check, value: string): string {
		if (check.key === 'user_id') return value;
		if (check.type !== 'emails') return value.toLowerCase();
		const read = readEmailsCell(value);
		if ('error' in read) return '';
		const primary = primaryEmail(read.emails);
		return 'address' in primary && primary.address !== null ? primary.address.toLowerCase() : '';
	}

	/** The profile has rules on a row's fields together: every row is read for rowIssues. */
	get hasRowRules(): boolean {
		return this.#oneOf.length > 0 || this.#oneTrue !== null;
	}

	/** missing_required when a row has none of a group's fields, or none of them true. */
	rowIssues(cellOf: CellReader): ValueIssue[] {
		const issues: ValueIssue[] = [];
		const label = this.profile.label;
		for (const { fields, columns } of this.#oneOf)
			if (!columns.some((column) => this.#holdsValue(column, cellOf(column))))
				issues.push({
					code: 'missing_required',
					reason: `${label} needs one of ${fields.join(', ')}`
				});
		const oneTrue = this.#oneTrue;
		if (oneTrue && !oneTrue.columns.some((column) => parseBoolean(cellOf(column)) === true))
			issues.push({
				code: 'missing_required',
				reason: `${label} needs ${oneTrue.fields.join(' or ')} to be true`
			});
		return issues;
	}

	/** A cell that gives its field a value: an address list needs an address. */
	#holdsValue(column: number, value: string): boolean {
		if (value === '') return false;
		if (this.checks.find((check) => check.column === column)?.type !== 'emails') return true;
		const read = readEmailsCell(value);
		return 'error' in read || read.emails.length > 0;
	}

	/** The bits of rowIssues. */
	rowBits(cellOf: CellReader): number {
		return this.rowIssues(cellOf).length > 0 ? ISSUE_BIT.missing_required : 0;
	}

	/** ragged_row: a field past the header's width that is not blank. */
	raggedBits(fields: string[], fieldCount: number): number {
		if (fieldCount > this.columns.length)
			for (let i = this.columns.length; i < fields.length; i++)
				if (fields[i].trim() !== '') return ISSUE_BIT.ragged_row;
		return 0;
	}
}
