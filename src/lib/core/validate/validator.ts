import type { MalformedQuote, RowIssue } from '../types';
import { trimmedField } from './canonical';
import { ISSUE_BIT } from './codes';
import { explainRow } from './explain';
import { ROLE_VALUES_CAP } from '../limits';
import { ListValueCounts, type GatheredValues } from './list-values';
import { ValidationPlan, type DuplicateKey, type PlanInit } from './plan';
import { parseDate } from './rules/date';
import { VerdictBook, countCredential, recordDate, type ValidationSummary } from './verdicts';

/**
 * The reference path's rules, fed row by row as strings: each cell checked in JavaScript and the
 * duplicate keys looked up by value.
 */
export class Validator {
	readonly plan: ValidationPlan;
	readonly #book: VerdictBook;
	readonly #firstUserId = new Map<string, number>();
	readonly #firstEmail = new Map<string, number>();

	readonly #roles: ListValueCounts | null;

	constructor(init: PlanInit) {
		this.plan = new ValidationPlan(init);
		this.#book = new VerdictBook(this.plan);
		this.#roles = this.plan.rolesColumn >= 0 ? new ListValueCounts(ROLE_VALUES_CAP) : null;
	}

	/** The distinct roles of the rows added (none too large), once the last row is added. */
	roleValues(): GatheredValues | null {
		const roles = this.#roles;
		return roles ? { column: this.plan.rolesColumn, ...roles.distinct() } : null;
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
		if (malformedQuote) mask |= ISSUE_BIT.malformed_quotes;
		const cellOf = (column: number) => trimmedField(fields, column);
		let firstUserId = -1;
		let firstEmail = -1;
		for (const check of plan.checks) {
			const value = cellOf(check.column);
			if (value === '') {
				if (check.required) mask |= ISSUE_BIT.missing_required;
				continue;
			}
			mask |= plan.valueBits(check, value, cellOf);
			if (check.type === 'date') mask |= recordDate(book, check.dateSlot, parseDate(value));
			if (check.key === 'user_id') firstUserId = firstOf(this.#firstUserId, value, row);
			else if (check.key === 'email')
				firstEmail = firstOf(this.#firstEmail, plan.keyText(check, value), row);
		}
		if (plan.hasRowRules) mask |= plan.rowBits(cellOf);
		this.#roles?.add(cellOf(plan.rolesColumn));
		if (plan.credentialColumns.length > 0)
			countCredential(book.credentials, plan.rowAlgorithm(cellOf));
		book.commit(mask, firstUserId, firstEmail);
	}

	/** Adds the next row as a record too large to read: its only issue is record_too_large. */
	addTooLarge(): void {
		this.#book.commit(ISSUE_BIT.record_too_large, -1, -1);
	}

	finish(): ValidationSummary {
		return this.#book.finish();
	}

	/** The first row with this normalised key (trimmed; an email lower-cased), or -1. */
	firstRowOfKey(key: DuplicateKey, value: string): number {
		return (key === 'email' ? this.#firstEmail : this.#firstUserId).get(value) ?? -1;
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
