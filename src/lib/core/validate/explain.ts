import { maskSecret } from '../identity/mask';
import { formatBytes, MAX_RECORD_BYTES } from '../limits';
import { SECRET_TYPES } from '../schema/fields';
import type { IssueCode, MalformedQuote, RowIssue } from '../types';
import { trimmedField } from './canonical';
import { codesOf, ISSUE_BIT, ISSUE_CODES } from './codes';
import { tooLong, type ValidationPlan } from './plan';
import { parseDate, resolveDate } from './rules/date';
import { firstControlCharacter } from './rules/text';
import type { VerdictBook } from './verdicts';

/** The value's first control character as U+XXXX, never itself (a terminal would act on it). */
function controlCharacterName(value: string): string {
	const code = firstControlCharacter(value);
	return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function quoted(value: string): string {
	return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}…` : value);
}

/** What explainRow reads of a finished book (a re-checked column's result answers it too). */
export type ExplainBook = Pick<
	VerdictBook,
	'finished' | 'maskOf' | 'orderOf' | 'firstUserIdOf' | 'firstEmailOf'
>;

/** The issues of one row with messages, in ISSUE_CODES order, once its book is finished. */
export function explainRow(
	plan: ValidationPlan,
	book: ExplainBook,
	row: number,
	fields: string[],
	fieldCount: number,
	malformedQuote?: MalformedQuote
): RowIssue[] {
	if (!book.finished) throw new Error('explain before finish()');
	// Its fields were never read: there is nothing else to say about it.
	if (book.maskOf(row) & ISSUE_BIT.record_too_large) return [recordTooLargeIssue()];
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
		else if (trimmedField(fields, column) === '')
			issues.push({
				code: 'missing_required',
				column,
				field,
				message: `${name(column)} is empty but ${field} is required.`
			});
	}

	const instants = new Float64Array(plan.dateChecks.length).fill(NaN);
	const cellOf = (column: number) => trimmedField(fields, column);
	for (const { code, reason } of plan.rowIssues(cellOf))
		issues.push({ code, column: null, field: null, message: `${reason}.` });
	for (const check of plan.checks) {
		const value = cellOf(check.column);
		if (value === '') continue;
		const at = { column: check.column, field: check.field };
		const label = name(check.column);
		const shown = SECRET_TYPES.includes(check.type) ? maskSecret(value) : value;
		if (tooLong(value, check.maxLength))
			issues.push({
				...at,
				code: 'value_too_long',
				message: `${label} has ${[...value].length} characters; the destination allows ${check.maxLength}.`
			});
		const reasons = check.inJs ? plan.valueIssues(check, value, cellOf) : [];
		for (const { code, reason } of reasons)
			issues.push({ ...at, code, message: `${label}: ${reason}.` });
		const explained = reasons.reduce((mask, { code }) => mask | ISSUE_BIT[code], 0);
		const bits = plan.valueBits(check, value, cellOf) & ~ISSUE_BIT.value_too_long & ~explained;
		for (const code of codesOf(bits))
			issues.push({ ...at, code, message: valueMessage(plan, code, label, shown) });
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
		}
	}

	issues.push(...duplicateIssues(plan, book.firstUserIdOf(row), book.firstEmailOf(row)));
	const { registrationSlot, loginSlot } = plan;
	if (registrationSlot >= 0 && loginSlot >= 0 && instants[loginSlot] < instants[registrationSlot]) {
		const login = plan.dateChecks[loginSlot];
		const registration = plan.dateChecks[registrationSlot];
		issues.push({
			code: 'login_before_registration',
			column: login.column,
			field: login.field,
			message: `${name(login.column)} (${trimmedField(fields, login.column)}) is earlier than ${name(registration.column)} (${trimmedField(fields, registration.column)}).`
		});
	}
	if (malformedQuote) issues.push(malformedQuoteIssue(plan, malformedQuote));
	return issues.sort((a, b) => ISSUE_CODES.indexOf(a.code) - ISSUE_CODES.indexOf(b.code));
}

/** The duplicate issues of a row, given the first earlier rows with its user_id and email. */
export function duplicateIssues(
	plan: ValidationPlan,
	firstUserId: number | undefined,
	firstEmail: number | undefined
): RowIssue[] {
	const issues: RowIssue[] = [];
	const duplicates: [IssueCode, number, number | undefined][] = [
		['duplicate_user_id', plan.userIdColumn, firstUserId],
		['duplicate_email', plan.emailColumn, firstEmail]
	];
	for (const [code, column, firstRow] of duplicates) {
		if (firstRow === undefined) continue;
		const name = plan.columns[column] ?? `Column ${column + 1}`;
		issues.push({
			code,
			column,
			field: code === 'duplicate_user_id' ? plan.userIdField : 'email',
			message: `${name} repeats row ${firstRow + 1}; only the first is imported.`,
			firstRow
		});
	}
	return issues;
}

function recordTooLargeIssue(): RowIssue {
	return {
		code: 'record_too_large',
		column: null,
		field: null,
		message: `The record is larger than ${formatBytes(MAX_RECORD_BYTES)}, the most Ferry reads in one record: it was skipped unread and is not imported.`
	};
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
		case 'invalid_locale':
			return `${label}: ${quoted(value)} is not a language tag such as en, en-US or zh-Hant-TW.`;
		case 'invalid_characters':
			return `${label} holds the control character ${controlCharacterName(value)}, which the destination refuses.`;
		default:
			return `${label}: ${quoted(value)} is not a UUID, which the destination requires.`;
	}
}
