import { maskSecret } from '../identity/mask';
import { SECRET_TYPES, fieldByName } from '../schema/fields';
import type { FieldName } from '../types';

/**
 * One row of the failure report: a data row that did not import, either because validation kept it
 * back ('invalid_row') or because the destination answered with a failure status.
 */
export interface FailureRow {
	/** 1-based data-row number of the source file (the header is not row 1). */
	row: number;
	/** 1-based physical line where the record starts (differs from `row` with embedded newlines). */
	line: number;
	/** 'invalid_row' for rows validation kept back, else the destination's row status. */
	status: string;
	/** Machine-readable reasons (issue codes), without repeats. */
	codes: string[];
	/** Human-readable explanations, one per problem. */
	messages: string[];
	/**
	 * The row's original values by column name. The CSV writer reads them in the order of the
	 * columns it is given, not in the object's key order (integer-like keys would sort first).
	 */
	values: Record<string, string>;
}

/** The status of rows that validation kept out of the upload. */
export const INVALID_ROW_STATUS = 'invalid_row';

/** The status (and code) of rows the admin dropped in Ferry: never uploaded, and not a failure. */
export const DROPPED_ROW_STATUS = 'dropped';

/** Pairs a record's fields with the column names; missing fields become ''. */
export function valuesByColumn(columns: string[], fields: string[]): Record<string, string> {
	// No prototype: a column named "__proto__" (the names come from the file) is an ordinary key.
	const values: Record<string, string> = Object.create(null);
	columns.forEach((column, index) => (values[column] = fields[index] ?? ''));
	return values;
}

/** A row that validation kept back, with the problems that did it. */
export function invalidRow(
	row: number,
	line: number,
	columns: string[],
	fields: string[],
	issues: { code: string; message: string }[]
): FailureRow {
	return {
		row,
		line,
		status: INVALID_ROW_STATUS,
		codes: [...new Set(issues.map((issue) => issue.code))],
		messages: issues.map((issue) => issue.message),
		values: valuesByColumn(columns, fields)
	};
}

/** A row the destination did not import, with its status and optional reason. */
export function refusedRow(
	row: number,
	line: number,
	columns: string[],
	fields: string[],
	status: string,
	reason?: string
): FailureRow {
	return {
		row,
		line,
		status,
		codes: [],
		messages: reason ? [reason] : [],
		values: valuesByColumn(columns, fields)
	};
}

/** The columns mapped to a secret field (a password hash, salt or credential). */
export function secretColumns(mapping: readonly (FieldName | null)[]): Set<number> {
	const columns = new Set<number>();
	mapping.forEach((field, column) => {
		if (field && SECRET_TYPES.includes(fieldByName(field).type)) columns.add(column);
	});
	return columns;
}

/** A row's fields with the cells of secret columns masked: a report never holds a whole hash. */
export function maskSecretFields(fields: string[], secret: ReadonlySet<number>): string[] {
	return secret.size === 0
		? fields
		: fields.map((value, column) => (secret.has(column) ? maskSecret(value) : value));
}
