import { Growable } from '../engine/growable';
import { fieldByName } from '../schema/fields';
import type {
	DateColumnOrder,
	DateOrder,
	DestinationSchema,
	FieldName,
	FieldType,
	IssueCode,
	MalformedQuote,
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
	duplicateOf: RowLinks;
	/** One entry per date column that held slash dates. */
	dateOrders: DateColumnOrder[];
}

/**
 * Row → the first earlier row with its user_id (or, failing that, its email), for the rows that
 * have one: a read-only Map over two per-row typed arrays, since a file can repeat millions of
 * emails and a Map's entries would cost ten times as much.
 */
export class RowLinks implements ReadonlyMap<number, number> {
	constructor(
		/** Per row: the first row with the same user_id, plus one (0 = none). */
		readonly firstUserIds: Uint32Array,
		/** Per row: the first row with the same email, plus one (0 = none). */
		readonly firstEmails: Uint32Array,
		readonly size: number
	) {}

	firstUserIdOf(row: number): number | undefined {
		const first = this.firstUserIds[row];
		return first ? first - 1 : undefined;
	}

	firstEmailOf(row: number): number | undefined {
		const first = this.firstEmails[row];
		return first ? first - 1 : undefined;
	}

	get(row: number): number | undefined {
		return this.firstUserIdOf(row) ?? this.firstEmailOf(row);
	}

	has(row: number): boolean {
		return this.get(row) !== undefined;
	}

	*entries(): MapIterator<[number, number]> {
		for (let row = 0; row < this.firstUserIds.length; row++) {
			const first = this.get(row);
			if (first !== undefined) yield [row, first];
		}
	}

	*keys(): MapIterator<number> {
		for (const [row] of this.entries()) yield row;
	}

	*values(): MapIterator<number> {
		for (const [, first] of this.entries()) yield first;
	}

	forEach(callback: (first: number, row: number, map: ReadonlyMap<number, number>) => void): void {
		for (const [row, first] of this.entries()) callback(first, row, this);
	}

	[Symbol.iterator](): MapIterator<[number, number]> {
		return this.entries();
	}
}

/** A mapped column the destination accepts. */
export interface Check {
	column: number;
	field: FieldName;
	type: FieldType;
	maxLength: number;
	required: boolean;
	/** The value must be a UUID (user_id, when the destination requires UUIDs). */
	uuid: boolean;
	/** The duplicate key the value is (an email is compared lower-cased). */
	key: 'none' | 'user_id' | 'email';
	/** Index among the date checks, -1 for other types. */
	dateSlot: number;
}

/** How a row's date slot reaches the book: what its value parsed as (see rules/date.ts). */
export const DATE_NONE = 0;
export const DATE_EXACT = 1;
export const DATE_SLASH = 2;
/** Slash dates whose parts say the column is day/month (3) or month/day (4). */
export const DATE_SLASH_DMY = 3;
export const DATE_SLASH_MDY = 4;

const BIT = Object.fromEntries(ISSUE_CODES.map((code) => [code, bitOf(code)])) as Record<
	IssueCode,
	number
>;

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

	constructor(init: {
		schema: DestinationSchema;
		mapping: Mapping;
		columns: string[];
		options: ValidationOptions;
	}) {
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
			const type = fieldByName(field).type;
			const check: Check = {
				column,
				field,
				type,
				maxLength: destination.maxLength,
				required: destination.required,
				uuid: type === 'id' && field === 'user_id' && schema.requireUuidUserId,
				key: field === 'user_id' ? 'user_id' : field === 'email' ? 'email' : 'none',
				dateSlot: type === 'date' ? this.dateChecks.length : -1
			};
			this.checks.push(check);
			if (type === 'date') this.dateChecks.push(check);
		});
		this.required = schema.fields
			.filter((field) => field.required)
			.map((field) => ({ field: field.name, column: columnOf.get(field.name) ?? -1 }));
		this.constantMask = this.required.some(({ column }) => column < 0) ? BIT.missing_required : 0;
		this.userIdColumn = columnOf.get('user_id') ?? -1;
		this.emailColumn = columnOf.get('email') ?? -1;
		this.registrationSlot = this.dateChecks.findIndex((c) => c.field === 'registration_date');
		this.loginSlot = this.dateChecks.findIndex((c) => c.field === 'last_login_date');
	}

	/** The issue bits of one non-empty trimmed value, but for what a date parses as. */
	valueBits(check: Check, value: string): number {
		let mask = tooLong(value, check.maxLength) ? BIT.value_too_long : 0;
		const issue = this.#valueIssue(check, value);
		if (issue) mask |= BIT[issue];
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
				return null;
		}
	}

	/** ragged_row: a field past the header's width that is not blank. */
	raggedBits(fields: string[], fieldCount: number): number {
		if (fieldCount > this.columns.length)
			for (let i = this.columns.length; i < fields.length; i++)
				if (fields[i].trim() !== '') return BIT.ragged_row;
		return 0;
	}
}

/** Date slots as DATE_* kinds with their instants (exact: dateA; slash: dateA dmy, dateB mdy). */
export interface DateSlots {
	dateKinds: Uint8Array;
	dateA: Float64Array;
	dateB: Float64Array;
}

/** Writes what a date value parsed as into slot `at`; answers invalid_date for a bad exact date. */
export function recordDate(slots: DateSlots, at: number, parsed: ParsedDate): number {
	if (parsed.kind === 'exact') {
		slots.dateKinds[at] = DATE_EXACT;
		slots.dateA[at] = parsed.ms;
		return Number.isNaN(parsed.ms) ? BIT.invalid_date : 0;
	}
	const evidence = slashEvidence(parsed);
	slots.dateKinds[at] =
		evidence === 'dmy' ? DATE_SLASH_DMY : evidence === 'mdy' ? DATE_SLASH_MDY : DATE_SLASH;
	slots.dateA[at] = parsed.dmy;
	slots.dateB[at] = parsed.mdy;
	return 0;
}

interface DateSlot {
	check: Check;
	slashValues: number;
	dmyEvidence: number;
	mdyEvidence: number;
	order: DateOrder;
}

/**
 * The verdicts of one file, committed row by row in order once each row's cells are checked:
 * the column-wide slash-date orders, the duplicates (the callers find each key's first row) and
 * the per-row Uint32 issue masks. Only rows with slash dates keep their candidate instants until
 * finish().
 */
export class VerdictBook implements DateSlots {
	/** The date slots of the row being committed (DATE_* kinds, instants); commit() clears them. */
	readonly dateKinds: Uint8Array;
	readonly dateA: Float64Array;
	readonly dateB: Float64Array;

	readonly #plan: ValidationPlan;
	readonly #dates: DateSlot[];
	readonly #masks = new Growable((n) => new Uint32Array(n));
	/** Rows awaiting the column orders: [row, slash-slot bits, (dmy, mdy) per date slot…]. */
	readonly #deferred = new Growable((n) => new Float64Array(n));
	/** Per row: the first row with its user_id, and with its email, plus one (0 = none). */
	readonly #firstUserIds = new Growable((n) => new Uint32Array(n));
	readonly #firstEmails = new Growable((n) => new Uint32Array(n));
	#linked = 0;
	#summary: ValidationSummary | null = null;

	constructor(plan: ValidationPlan) {
		this.#plan = plan;
		this.#dates = plan.dateChecks.map((check) => ({
			check,
			slashValues: 0,
			dmyEvidence: 0,
			mdyEvidence: 0,
			order: plan.options.dateOrder
		}));
		this.dateKinds = new Uint8Array(this.#dates.length);
		this.dateA = new Float64Array(this.#dates.length);
		this.dateB = new Float64Array(this.#dates.length);
	}

	get rows(): number {
		return this.#masks.length;
	}

	/** Room for `rows` rows in all (a count estimated ahead spares growing the per-row arrays). */
	reserve(rows: number): void {
		for (const array of [this.#masks, this.#firstUserIds, this.#firstEmails]) array.reserve(rows);
	}

	/**
	 * Adds the next row: its cell issue bits, the first earlier rows with its user_id and email
	 * (-1 for none) and its date slots as set in dateKinds/dateA/dateB.
	 */
	commit(cellMask: number, firstUserId: number, firstEmail: number): void {
		if (this.#summary) throw new Error('VerdictBook.commit() after finish()');
		const row = this.#masks.length;
		let mask = cellMask;
		let slash = 0;
		let dated = false;
		const kinds = this.dateKinds;
		for (let slot = 0; slot < kinds.length; slot++) {
			const kind = kinds[slot];
			if (kind === DATE_NONE) continue;
			dated = true;
			if (kind === DATE_EXACT) continue;
			slash |= 1 << slot;
			const date = this.#dates[slot];
			date.slashValues++;
			if (kind === DATE_SLASH_DMY) date.dmyEvidence++;
			else if (kind === DATE_SLASH_MDY) date.mdyEvidence++;
		}
		if (slash) this.#defer(row, slash);
		else if (dated)
			mask |= this.#dateWarnings((slot) => (kinds[slot] === DATE_EXACT ? this.dateA[slot] : NaN));
		kinds.fill(DATE_NONE);

		if (firstEmail >= 0) mask |= BIT.duplicate_email;
		if (firstUserId >= 0) mask |= BIT.duplicate_user_id;
		if (firstEmail >= 0 || firstUserId >= 0) this.#linked++;
		this.#firstEmails.push(firstEmail + 1);
		this.#firstUserIds.push(firstUserId + 1);
		this.#masks.push(mask);
	}

	#defer(row: number, slashBits: number): void {
		this.#deferred.push(row);
		this.#deferred.push(slashBits);
		for (let slot = 0; slot < this.#dates.length; slot++) {
			const kind = this.dateKinds[slot];
			this.#deferred.push(kind === DATE_NONE ? NaN : this.dateA[slot]);
			this.#deferred.push(
				kind === DATE_NONE ? NaN : kind === DATE_EXACT ? this.dateA[slot] : this.dateB[slot]
			);
		}
	}

	/** future_date and login_before_registration from the resolved instants (NaN = none). */
	#dateWarnings(instant: (slot: number) => number): number {
		const { registrationSlot, loginSlot, options } = this.#plan;
		let mask = 0;
		for (let slot = 0; slot < this.#dates.length; slot++)
			if (instant(slot) > options.now) mask |= BIT.future_date;
		if (registrationSlot >= 0 && loginSlot >= 0)
			if (instant(loginSlot) < instant(registrationSlot)) mask |= BIT.login_before_registration;
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
			duplicateOf: new RowLinks(
				this.#firstUserIds.toArray(),
				this.#firstEmails.toArray(),
				this.#linked
			),
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
			slot.order = dmy > mdy ? 'dmy' : mdy > dmy ? 'mdy' : this.#plan.options.dateOrder;
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

	/** After finish(): the order slash dates of a date slot were read in. */
	orderOf(slot: number): DateOrder {
		return this.#dates[slot].order;
	}

	/** The first earlier row with this row's user_id, or undefined. */
	firstUserIdOf(row: number): number | undefined {
		return this.#summary?.duplicateOf.firstUserIdOf(row);
	}

	firstEmailOf(row: number): number | undefined {
		return this.#summary?.duplicateOf.firstEmailOf(row);
	}

	get finished(): boolean {
		return this.#summary !== null;
	}
}

/** The issues of one row with messages, in ISSUE_CODES order, once its book is finished. */
export function explainRow(
	plan: ValidationPlan,
	book: VerdictBook,
	row: number,
	fields: string[],
	fieldCount: number,
	malformedQuote?: MalformedQuote
): RowIssue[] {
	if (!book.finished) throw new Error('explain before finish()');
	const issues: RowIssue[] = [];
	const name = (column: number) => plan.columns[column] ?? `Column ${column + 1}`;

	if (plan.raggedBits(fields, fieldCount) !== 0)
		issues.push({
			code: 'ragged_row',
			column: null,
			field: null,
			message: `The row has ${fieldCount} fields but the header has ${plan.columns.length}, and an extra field is not empty.`
		});
	for (const { field, column } of plan.required) {
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

	const instants = new Float64Array(plan.dateChecks.length).fill(NaN);
	for (const check of plan.checks) {
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
			const order = book.orderOf(check.dateSlot);
			const parsed = parseDate(value);
			instants[check.dateSlot] = resolveDate(parsed, order);
			if (Number.isNaN(instants[check.dateSlot]))
				issues.push({
					...at,
					code: 'invalid_date',
					message: `${label}: ${quoted(value)} is not a valid date${parsed.kind === 'slash' ? ` when read as ${order === 'dmy' ? 'day/month/year' : 'month/day/year'} like the rest of the column` : ''}.`
				});
			else if (instants[check.dateSlot] > plan.options.now)
				issues.push({
					...at,
					code: 'future_date',
					message: `${label}: ${quoted(value)} is later than now.`
				});
			continue;
		}
		const bits = plan.valueBits(check, value) & ~BIT.value_too_long;
		const issue = ISSUE_CODES.find((code) => bits & BIT[code]);
		if (issue)
			issues.push({ ...at, code: issue, message: valueMessage(plan, issue, label, value) });
	}

	const duplicates: [IssueCode, number, number | undefined][] = [
		['duplicate_user_id', plan.userIdColumn, book.firstUserIdOf(row)],
		['duplicate_email', plan.emailColumn, book.firstEmailOf(row)]
	];
	for (const [code, column, firstRow] of duplicates) {
		if (firstRow === undefined) continue;
		issues.push({
			code,
			column,
			field: code === 'duplicate_user_id' ? 'user_id' : 'email',
			message: `${name(column)} repeats row ${firstRow + 1}; only the first is imported.`,
			firstRow
		});
	}
	const { registrationSlot, loginSlot } = plan;
	if (registrationSlot >= 0 && loginSlot >= 0 && instants[loginSlot] < instants[registrationSlot]) {
		const login = plan.dateChecks[loginSlot];
		const registration = plan.dateChecks[registrationSlot];
		issues.push({
			code: 'login_before_registration',
			column: login.column,
			field: login.field,
			message: `${name(login.column)} (${fieldValue(fields, login.column)}) is earlier than ${name(registration.column)} (${fieldValue(fields, registration.column)}).`
		});
	}
	if (malformedQuote) issues.push(malformedQuoteIssue(plan, malformedQuote));
	return issues.sort((a, b) => ISSUE_CODES.indexOf(a.code) - ISSUE_CODES.indexOf(b.code));
}

function malformedQuoteIssue(plan: ValidationPlan, quote: MalformedQuote): RowIssue {
	const column = quote.field < plan.columns.length ? quote.field : null;
	const label =
		column === null ? `Extra field ${quote.field - plan.columns.length + 1}` : plan.columns[column];
	return {
		code: 'malformed_quotes',
		column,
		field: plan.checks.find((check) => check.column === column)?.field ?? null,
		message: quote.quoted
			? `${label}, line ${quote.line}: text follows a closing quote, so the quote was read as data and the field ran on to the next closing quote. Quotes inside a quoted field must be doubled ("").`
			: `${label}, line ${quote.line}: a quote inside an unquoted field. A field holding quotes must be quoted, with each quote doubled ("").`
	};
}

function valueMessage(plan: ValidationPlan, code: IssueCode, label: string, value: string): string {
	switch (code) {
		case 'invalid_email':
			return `${label}: ${quoted(value)} is not a valid email address.`;
		case 'invalid_boolean':
			return `${label}: ${quoted(value)} is not one of true/false, yes/no, y/n, 1/0.`;
		case 'invalid_phone':
			return `${label}: ${quoted(value)} cannot be read as a phone number (default region ${plan.options.defaultRegion}).`;
		default:
			return `${label}: ${quoted(value)} is not a UUID, which the destination requires.`;
	}
}

/**
 * The reference path's rules, fed row by row as strings: each cell checked in JavaScript and the
 * duplicate keys looked up by value.
 */
export class Validator {
	readonly plan: ValidationPlan;
	readonly #book: VerdictBook;
	readonly #firstUserId = new Map<string, number>();
	readonly #firstEmail = new Map<string, number>();

	constructor(init: {
		schema: DestinationSchema;
		mapping: Mapping;
		columns: string[];
		options: ValidationOptions;
	}) {
		this.plan = new ValidationPlan(init);
		this.#book = new VerdictBook(this.plan);
	}

	/**
	 * Adds the next row (0-based, in order). `fields` beyond the columns are the ragged extras;
	 * a record's misplaced quote makes it malformed_quotes.
	 */
	add(fields: string[], fieldCount: number, malformedQuote?: MalformedQuote): void {
		const plan = this.plan;
		const book = this.#book;
		const row = book.rows;
		let mask = plan.constantMask | plan.raggedBits(fields, fieldCount);
		if (malformedQuote) mask |= BIT.malformed_quotes;
		for (const check of plan.checks) {
			const value = fieldValue(fields, check.column);
			if (value === '') {
				if (check.required) mask |= BIT.missing_required;
				continue;
			}
			mask |= plan.valueBits(check, value);
			if (check.type === 'date') mask |= recordDate(book, check.dateSlot, parseDate(value));
		}
		const firstEmail =
			plan.emailColumn >= 0
				? firstOf(this.#firstEmail, fieldValue(fields, plan.emailColumn).toLowerCase(), row)
				: -1;
		const firstUserId =
			plan.userIdColumn >= 0
				? firstOf(this.#firstUserId, fieldValue(fields, plan.userIdColumn), row)
				: -1;
		book.commit(mask, firstUserId, firstEmail);
	}

	finish(): ValidationSummary {
		return this.#book.finish();
	}

	/** After finish(): the issues of one row with messages, in ISSUE_CODES order. */
	explain(
		row: number,
		fields: string[],
		fieldCount: number,
		malformedQuote?: MalformedQuote
	): RowIssue[] {
		return explainRow(this.plan, this.#book, row, fields, fieldCount, malformedQuote);
	}
}

/** The first row with this non-empty key (recording `row` when it is the first), else -1. */
function firstOf(firsts: Map<string, number>, key: string, row: number): number {
	if (key === '') return -1;
	const first = firsts.get(key);
	if (first !== undefined) return first;
	firsts.set(key, row);
	return -1;
}
