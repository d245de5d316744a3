import { Growable } from '../engine/growable';
import { fieldByName } from '../schema/fields';
import type {
	DateColumnOrder,
	DateOrder,
	DestinationSchema,
	FieldName,
	FieldType,
	IssueCode,
	Mapping,
	RowIssue,
	ValidationOptions
} from '../types';
import { ERROR_MASK, ISSUE_CODES, WARNING_MASK, bitOf } from './codes';
import { isValidBoolean } from './rules/boolean';
import { parseDate, resolveDate, slashEvidence, type ParsedDate } from './rules/date';
import { isValidEmail } from './rules/email';
import { isValidPhone } from './rules/phone';
import { isValidUuid } from './rules/uuid';

export interface ValidationSummary {
	rows: number;
	valid: number;
	invalid: number;
	warnings: number;
	/** Rows carrying each code. */
	issueCounts: Record<IssueCode, number>;
	/** Per row bitmask of ISSUE_CODES (length = rows). */
	rowIssues: Uint32Array;
	/** Row → first row with the same user_id (or, failing that, the same email). */
	duplicateOf: Map<number, number>;
	/** One entry per date column that held slash dates. */
	dateOrders: DateColumnOrder[];
}

/** A mapped column the destination accepts. */
interface Check {
	column: number;
	field: FieldName;
	type: FieldType;
	maxLength: number;
	/** Index among the date checks, -1 for other types. */
	dateSlot: number;
}

interface DateSlot {
	check: Check;
	slashValues: number;
	dmyEvidence: number;
	mdyEvidence: number;
	order: DateOrder;
}

const BIT = Object.fromEntries(ISSUE_CODES.map((code) => [code, bitOf(code)])) as Record<
	IssueCode,
	number
>;

/** Type checks of one non-empty trimmed value, except dates (deferred) and duplicates (stateful). */
function valueIssue(check: Check, value: string, requireUuid: boolean, region: string) {
	switch (check.type) {
		case 'email':
			return isValidEmail(value) ? null : 'invalid_email';
		case 'boolean':
			return isValidBoolean(value) ? null : 'invalid_boolean';
		case 'phone':
			return isValidPhone(value, region) ? null : 'invalid_phone';
		case 'id':
			return requireUuid && check.field === 'user_id' && !isValidUuid(value)
				? 'invalid_uuid'
				: null;
		default:
			return null;
	}
}

/** Length in characters (code points), counted only when UTF-16 units could exceed the limit. */
function tooLong(value: string, maxLength: number): boolean {
	if (value.length <= maxLength) return false;
	let count = 0;
	for (const _ of value) if (++count > maxLength) return true;
	return false;
}

function fieldValue(fields: string[], column: number): string {
	return (fields[column] ?? '').trim();
}

function quoted(value: string): string {
	return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}…` : value);
}

/** The mapped, trimmed, non-empty values of one record, keyed by canonical field. */
export function canonicalRecord(
	fields: string[],
	mapping: Mapping
): Partial<Record<FieldName, string>> {
	const record: Partial<Record<FieldName, string>> = {};
	mapping.forEach((field, column) => {
		if (!field) return;
		const value = fieldValue(fields, column);
		if (value !== '') record[field] = value;
	});
	return record;
}

/**
 * Row verdicts of one file, fed row by row. Per row it keeps a Uint32 issue mask; only rows with
 * slash dates (whose meaning depends on the whole column) keep their candidate dates until finish().
 */
export class Validator {
	readonly #columns: string[];
	readonly #options: ValidationOptions;
	readonly #requireUuid: boolean;
	readonly #checks: Check[] = [];
	/** Per required field: its column, or -1 when unmapped. */
	readonly #required: { field: FieldName; column: number }[];
	readonly #userIdColumn: number;
	readonly #emailColumn: number;
	readonly #dates: DateSlot[] = [];
	readonly #registrationSlot: number;
	readonly #loginSlot: number;

	readonly #masks = new Growable((n) => new Uint32Array(n));
	/** Rows awaiting the column orders: [row, slash-slot bits, (dmy, mdy) per date slot…]. */
	readonly #deferred = new Growable((n) => new Float64Array(n));
	readonly #firstUserId = new Map<string, number>();
	readonly #firstEmail = new Map<string, number>();
	readonly #duplicateOf = new Map<number, number>();
	#summary: ValidationSummary | null = null;

	constructor(init: {
		schema: DestinationSchema;
		mapping: Mapping;
		columns: string[];
		options: ValidationOptions;
	}) {
		const { schema, mapping, columns, options } = init;
		this.#columns = columns;
		this.#options = options;
		this.#requireUuid = schema.requireUuidUserId;
		const accepted = new Map(schema.fields.map((field) => [field.name, field]));
		const columnOf = new Map<FieldName, number>();
		mapping.forEach((field, column) => {
			const destination = field ? accepted.get(field) : undefined;
			// A field mapped twice is a caller bug; the first column wins, as in automap.
			if (!field || !destination || column >= columns.length || columnOf.has(field)) return;
			columnOf.set(field, column);
			const type = fieldByName(field).type;
			const check: Check = {
				column,
				field,
				type,
				maxLength: destination.maxLength,
				dateSlot: type === 'date' ? this.#dates.length : -1
			};
			this.#checks.push(check);
			if (type === 'date')
				this.#dates.push({
					check,
					slashValues: 0,
					dmyEvidence: 0,
					mdyEvidence: 0,
					order: options.dateOrder
				});
		});
		this.#required = schema.fields
			.filter((field) => field.required)
			.map((field) => ({ field: field.name, column: columnOf.get(field.name) ?? -1 }));
		this.#userIdColumn = columnOf.get('user_id') ?? -1;
		this.#emailColumn = columnOf.get('email') ?? -1;
		this.#registrationSlot = this.#slotOf('registration_date');
		this.#loginSlot = this.#slotOf('last_login_date');
	}

	#slotOf(field: FieldName): number {
		return this.#dates.findIndex((slot) => slot.check.field === field);
	}

	/** Adds the next row (0-based, in order). `fields` beyond the columns are the ragged extras. */
	add(fields: string[], fieldCount: number): void {
		if (this.#summary) throw new Error('Validator.add() after finish()');
		const row = this.#masks.length;
		let mask = this.#rowShapeMask(fields, fieldCount);
		let dates: ParsedDate[] | null = null;
		let deferred = false;

		for (const check of this.#checks) {
			const value = fieldValue(fields, check.column);
			if (value === '') continue;
			if (tooLong(value, check.maxLength)) mask |= BIT.value_too_long;
			if (check.type === 'date') {
				const parsed = parseDate(value);
				dates ??= new Array<ParsedDate>(this.#dates.length);
				dates[check.dateSlot] = parsed;
				if (parsed.kind === 'slash') {
					deferred = true;
					this.#countEvidence(this.#dates[check.dateSlot], parsed);
				} else if (Number.isNaN(parsed.ms)) mask |= BIT.invalid_date;
				continue;
			}
			const issue = valueIssue(check, value, this.#requireUuid, this.#options.defaultRegion);
			if (issue) mask |= BIT[issue];
		}

		mask |= this.#duplicateMask(fields, row);
		if (dates && deferred) this.#defer(row, dates);
		else if (dates)
			mask |= this.#dateWarnings((slot) => (dates[slot] ? resolveDate(dates[slot], 'dmy') : NaN));
		this.#masks.push(mask);
	}

	#rowShapeMask(fields: string[], fieldCount: number): number {
		let mask = 0;
		if (fieldCount > this.#columns.length)
			for (let i = this.#columns.length; i < fields.length; i++)
				if (fields[i].trim() !== '') {
					mask |= BIT.ragged_row;
					break;
				}
		for (const { column } of this.#required)
			if (column < 0 || fieldValue(fields, column) === '') {
				mask |= BIT.missing_required;
				break;
			}
		return mask;
	}

	#countEvidence(slot: DateSlot, parsed: ParsedDate): void {
		slot.slashValues++;
		const evidence = slashEvidence(parsed);
		if (evidence === 'dmy') slot.dmyEvidence++;
		else if (evidence === 'mdy') slot.mdyEvidence++;
	}

	#duplicateMask(fields: string[], row: number): number {
		let mask = 0;
		let first: number | undefined;
		if (this.#emailColumn >= 0) {
			const email = fieldValue(fields, this.#emailColumn).toLowerCase();
			if (email !== '') {
				first = this.#firstEmail.get(email);
				if (first === undefined) this.#firstEmail.set(email, row);
				else mask |= BIT.duplicate_email;
			}
		}
		if (this.#userIdColumn >= 0) {
			const id = fieldValue(fields, this.#userIdColumn);
			if (id !== '') {
				const firstId = this.#firstUserId.get(id);
				if (firstId === undefined) this.#firstUserId.set(id, row);
				else {
					mask |= BIT.duplicate_user_id;
					first = firstId;
				}
			}
		}
		if (first !== undefined) this.#duplicateOf.set(row, first);
		return mask;
	}

	#defer(row: number, dates: ParsedDate[]): void {
		let slashBits = 0;
		for (let slot = 0; slot < this.#dates.length; slot++)
			if (dates[slot]?.kind === 'slash') slashBits |= 1 << slot;
		this.#deferred.push(row);
		this.#deferred.push(slashBits);
		for (let slot = 0; slot < this.#dates.length; slot++) {
			const parsed = dates[slot];
			this.#deferred.push(parsed ? resolveDate(parsed, 'dmy') : NaN);
			this.#deferred.push(parsed ? resolveDate(parsed, 'mdy') : NaN);
		}
	}

	/** future_date and login_before_registration from the resolved instants (NaN = none). */
	#dateWarnings(instant: (slot: number) => number): number {
		let mask = 0;
		for (let slot = 0; slot < this.#dates.length; slot++)
			if (instant(slot) > this.#options.now) mask |= BIT.future_date;
		if (this.#registrationSlot >= 0 && this.#loginSlot >= 0)
			if (instant(this.#loginSlot) < instant(this.#registrationSlot))
				mask |= BIT.login_before_registration;
		return mask;
	}

	/** Resolves column-wide slash-date orders, then returns the verdicts. */
	finish(): ValidationSummary {
		if (this.#summary) return this.#summary;
		const dateOrders = this.#resolveOrders();
		const masks = this.#masks.toArray();
		this.#judgeDeferred(masks);

		const issueCounts = Object.fromEntries(ISSUE_CODES.map((code) => [code, 0])) as Record<
			IssueCode,
			number
		>;
		let valid = 0;
		let warnings = 0;
		for (const mask of masks) {
			if ((mask & ERROR_MASK) === 0) valid++;
			if ((mask & WARNING_MASK) !== 0) warnings++;
			if (mask === 0) continue;
			for (let bit = 0; bit < ISSUE_CODES.length; bit++)
				if (mask & (1 << bit)) issueCounts[ISSUE_CODES[bit]]++;
		}
		this.#summary = {
			rows: masks.length,
			valid,
			invalid: masks.length - valid,
			warnings,
			issueCounts,
			rowIssues: masks,
			duplicateOf: this.#duplicateOf,
			dateOrders
		};
		return this.#summary;
	}

	/**
	 * A part above 12 can only be a day: such values are evidence for their column's order. Both
	 * kinds of evidence make the column mixed: the majority decides and the minority is invalid.
	 */
	#resolveOrders(): DateColumnOrder[] {
		const orders: DateColumnOrder[] = [];
		for (const slot of this.#dates) {
			if (slot.slashValues === 0) continue;
			const { dmyEvidence: dmy, mdyEvidence: mdy } = slot;
			const evidence = dmy && mdy ? 'mixed' : dmy ? 'dmy' : mdy ? 'mdy' : 'ambiguous';
			slot.order = dmy > mdy ? 'dmy' : mdy > dmy ? 'mdy' : this.#options.dateOrder;
			orders.push({ column: slot.check.column, evidence, used: slot.order });
		}
		return orders;
	}

	#judgeDeferred(masks: Uint32Array): void {
		const records = this.#deferred.toArray();
		const stride = 2 + 2 * this.#dates.length;
		const instants = new Float64Array(this.#dates.length);
		for (let at = 0; at < records.length; at += stride) {
			const row = records[at];
			const slashBits = records[at + 1];
			let mask = 0;
			for (let slot = 0; slot < this.#dates.length; slot++) {
				const offset = at + 2 + 2 * slot + (this.#dates[slot].order === 'dmy' ? 0 : 1);
				instants[slot] = records[offset];
				if (slashBits & (1 << slot) && Number.isNaN(instants[slot])) mask |= BIT.invalid_date;
			}
			masks[row] |= mask | this.#dateWarnings((slot) => instants[slot]);
		}
	}

	/** After finish(): the issues of one row with messages, in ISSUE_CODES order. */
	explain(row: number, fields: string[], fieldCount: number): RowIssue[] {
		if (!this.#summary) throw new Error('Validator.explain() before finish()');
		const issues: RowIssue[] = [];
		const name = (column: number) => this.#columns[column] ?? `Column ${column + 1}`;

		if ((this.#rowShapeMask(fields, fieldCount) & BIT.ragged_row) !== 0)
			issues.push({
				code: 'ragged_row',
				column: null,
				field: null,
				message: `The row has ${fieldCount} fields but the header has ${this.#columns.length}, and an extra field is not empty.`
			});
		for (const { field, column } of this.#required) {
			if (column < 0)
				issues.push({
					code: 'missing_required',
					column: null,
					field,
					message: `The required field ${field} is not mapped to any column.`
				});
			else if (fieldValue(fields, column) === '')
				issues.push({
					code: 'missing_required',
					column,
					field,
					message: `${name(column)} is empty but ${field} is required.`
				});
		}

		const instants = new Float64Array(this.#dates.length).fill(NaN);
		for (const check of this.#checks) {
			const value = fieldValue(fields, check.column);
			if (value === '') continue;
			const at = { column: check.column, field: check.field };
			const label = name(check.column);
			if (tooLong(value, check.maxLength))
				issues.push({
					...at,
					code: 'value_too_long',
					message: `${label} has ${[...value].length} characters; the destination allows ${check.maxLength}.`
				});
			if (check.type === 'date') {
				const order = this.#dates[check.dateSlot].order;
				instants[check.dateSlot] = resolveDate(parseDate(value), order);
				if (Number.isNaN(instants[check.dateSlot]))
					issues.push({
						...at,
						code: 'invalid_date',
						message: `${label}: ${quoted(value)} is not a valid date${parseDate(value).kind === 'slash' ? ` when read as ${order === 'dmy' ? 'day/month/year' : 'month/day/year'} like the rest of the column` : ''}.`
					});
				else if (instants[check.dateSlot] > this.#options.now)
					issues.push({
						...at,
						code: 'future_date',
						message: `${label}: ${quoted(value)} is later than now.`
					});
				continue;
			}
			const issue = valueIssue(check, value, this.#requireUuid, this.#options.defaultRegion);
			if (issue)
				issues.push({ ...at, code: issue, message: this.#valueMessage(issue, label, value) });
		}

		this.#explainDuplicates(row, fields, issues);
		if (
			this.#registrationSlot >= 0 &&
			this.#loginSlot >= 0 &&
			instants[this.#loginSlot] < instants[this.#registrationSlot]
		) {
			const login = this.#dates[this.#loginSlot].check;
			const registration = this.#dates[this.#registrationSlot].check;
			issues.push({
				code: 'login_before_registration',
				column: login.column,
				field: login.field,
				message: `${name(login.column)} (${fieldValue(fields, login.column)}) is earlier than ${name(registration.column)} (${fieldValue(fields, registration.column)}).`
			});
		}
		return issues.sort((a, b) => ISSUE_CODES.indexOf(a.code) - ISSUE_CODES.indexOf(b.code));
	}

	#valueMessage(code: IssueCode, label: string, value: string): string {
		switch (code) {
			case 'invalid_email':
				return `${label}: ${quoted(value)} is not a valid email address.`;
			case 'invalid_boolean':
				return `${label}: ${quoted(value)} is not one of true/false, yes/no, y/n, 1/0.`;
			case 'invalid_phone':
				return `${label}: ${quoted(value)} cannot be read as a phone number (default region ${this.#options.defaultRegion}).`;
			default:
				return `${label}: ${quoted(value)} is not a UUID, which the destination requires.`;
		}
	}

	#explainDuplicates(row: number, fields: string[], issues: RowIssue[]): void {
		const name = (column: number) => this.#columns[column] ?? `Column ${column + 1}`;
		const duplicates: [IssueCode, number, Map<string, number>, string][] = [];
		if (this.#userIdColumn >= 0)
			duplicates.push([
				'duplicate_user_id',
				this.#userIdColumn,
				this.#firstUserId,
				fieldValue(fields, this.#userIdColumn)
			]);
		if (this.#emailColumn >= 0)
			duplicates.push([
				'duplicate_email',
				this.#emailColumn,
				this.#firstEmail,
				fieldValue(fields, this.#emailColumn).toLowerCase()
			]);
		for (const [code, column, firsts, value] of duplicates) {
			const firstRow = value === '' ? undefined : firsts.get(value);
			if (firstRow === undefined || firstRow >= row) continue;
			issues.push({
				code,
				column,
				field: code === 'duplicate_user_id' ? 'user_id' : 'email',
				message: `${name(column)} repeats row ${firstRow + 1}; only the first is imported.`,
				firstRow
			});
		}
	}
}
