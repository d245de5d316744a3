import { fieldByName } from '../schema/fields';
import type {
	DestinationSchema,
	FieldName,
	FieldType,
	IssueCode,
	Mapping,
	ValidationOptions
} from '../types';
import { ISSUE_BIT } from './codes';
import { isValidBoolean } from './rules/boolean';
import { isValidEmail } from './rules/email';
import { isValidLocale } from './rules/locale';
import { isValidPhone } from './rules/phone';
import { hasControlCharacter } from './rules/text';
import { isValidUuid } from './rules/uuid';

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
	/** The value must be a BCP 47 language tag (a field with `languageTag`, e.g. locale). */
	locale: boolean;
	/** The duplicate key the value is (an email is compared lower-cased). */
	key: 'none' | DuplicateKey;
	/** Index among the date checks, -1 for other types. */
	dateSlot: number;
}

/** Length in characters (code points), counted only when UTF-16 units could exceed the limit. */
export function tooLong(value: string, maxLength: number): boolean {
	if (value.length <= maxLength) return false;
	let count = 0;
	for (const _ of value) if (++count > maxLength) return true;
	return false;
}

/** What a plan is made from: the destination, the mapping, the header and the options. */
export interface PlanInit {
	schema: DestinationSchema;
	mapping: Mapping;
	columns: string[];
	options: ValidationOptions;
}

/**
 * What to check in every row of one file: the mapped columns the destination accepts, the
 * required fields, the duplicate keys and the date columns. Both engines check cells by it.
 */
export class ValidationPlan {
	readonly columns: string[];
	readonly options: ValidationOptions;
	readonly checks: Check[] = [];
	/** Per required field: its column, or -1 when unmapped. */
	readonly required: { field: FieldName; column: number }[];
	readonly userIdColumn: number;
	readonly emailColumn: number;
	readonly dateChecks: Check[] = [];
	readonly registrationSlot: number;
	readonly loginSlot: number;
	/** Bits every row carries: a required field no column is mapped to. */
	readonly constantMask: number;

	constructor(init: PlanInit) {
		const { schema, mapping, columns, options } = init;
		this.columns = columns;
		this.options = options;
		const accepted = new Map(schema.fields.map((field) => [field.name, field]));
		const columnOf = new Map<FieldName, number>();
		mapping.forEach((field, column) => {
			const destination = field ? accepted.get(field) : undefined;
			// A field mapped twice is a caller bug; the first column wins, as in automap.
			if (!field || !destination || column >= columns.length || columnOf.has(field)) return;
			columnOf.set(field, column);
			const { type, languageTag } = fieldByName(field);
			const check: Check = {
				column,
				field,
				type,
				maxLength: destination.maxLength,
				required: destination.required,
				uuid: type === 'id' && field === 'user_id' && schema.requireUuidUserId,
				locale: languageTag === true,
				key: field === 'user_id' ? 'user_id' : field === 'email' ? 'email' : 'none',
				dateSlot: type === 'date' ? this.dateChecks.length : -1
			};
			this.checks.push(check);
			if (type === 'date') this.dateChecks.push(check);
		});
		this.required = schema.fields
			.filter((field) => field.required)
			.map((field) => ({ field: field.name, column: columnOf.get(field.name) ?? -1 }));
		this.constantMask = this.required.some(({ column }) => column < 0)
			? ISSUE_BIT.missing_required
			: 0;
		this.userIdColumn = columnOf.get('user_id') ?? -1;
		this.emailColumn = columnOf.get('email') ?? -1;
		this.registrationSlot = this.dateChecks.findIndex((c) => c.field === 'registration_date');
		this.loginSlot = this.dateChecks.findIndex((c) => c.field === 'last_login_date');
	}

	/**
	 * The issue bits of one non-empty trimmed value, but for what a date parses as: its length,
	 * control characters (in any field, as the destination checks) and its type's rule.
	 */
	valueBits(check: Check, value: string): number {
		let mask = tooLong(value, check.maxLength) ? ISSUE_BIT.value_too_long : 0;
		if (hasControlCharacter(value)) mask |= ISSUE_BIT.invalid_characters;
		const issue = this.#valueIssue(check, value);
		if (issue) mask |= ISSUE_BIT[issue];
		return mask;
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
				return check.uuid && !isValidUuid(value) ? 'invalid_uuid' : null;
			default:
				return check.locale && !isValidLocale(value) ? 'invalid_locale' : null;
		}
	}

	/** ragged_row: a field past the header's width that is not blank. */
	raggedBits(fields: string[], fieldCount: number): number {
		if (fieldCount > this.columns.length)
			for (let i = this.columns.length; i < fields.length; i++)
				if (fields[i].trim() !== '') return ISSUE_BIT.ragged_row;
		return 0;
	}
}
