import Papa from 'papaparse';
import type { FailureRow } from './rows';

/** The report's own columns, written before the source file's columns. */
export const REPORT_COLUMNS = ['row', 'line', 'status', 'reasons', 'messages'] as const;

/** What separates several codes or messages inside one cell. */
export const LIST_SEPARATOR = '; ';

// Spreadsheets read a cell as a formula when it starts with one of these, and some skip a leading
// TAB, CR or LF before looking. A cell that starts with one gets a leading quote; so does a cell
// that already starts with quotes before one ('=1 becomes ''=1), so that reading the report back
// can take exactly one quote off and get every original value (restoreFormula).
const DANGEROUS_CELL_START = /^'*[=+\-@\t\r\n]/;
// Inside a multi-line cell every line is checked too: a line break (CRLF counts as one) followed
// by a line that starts with a formula character. An empty line has nothing to run and is kept.
const DANGEROUS_LINE_START = /(\r\n|\r|\n)(?='*[=+\-@\t])/g;
// What neutraliseFormula produced: the quote it added, before the (quotes and) character that made it.
const NEUTRALISED_CELL_START = /^'(?='*[=+\-@\t\r\n])/;
const NEUTRALISED_LINE_START = /(\r\n|\r|\n)'(?='*[=+\-@\t])/g;

/**
 * Makes a cell inert in spreadsheets by prefixing a single quote (') to the cell when it begins
 * with =, +, -, @, TAB, CR or LF, and to every embedded line that begins with =, +, -, @ or TAB
 * (quotes before that character count as part of the start: '=1 is written ''=1).
 * Negative numbers ("-5") are neutralised too: a report is for reading, not for arithmetic.
 */
export function neutraliseFormula(cell: string): string {
	const prefix = DANGEROUS_CELL_START.test(cell) ? "'" : '';
	return prefix + cell.replace(DANGEROUS_LINE_START, "$1'");
}

/**
 * The inverse of {@link neutraliseFormula}: restoreFormula(neutraliseFormula(x)) === x for every
 * string x. Only quotes the protection adds are taken off; any other cell is returned as it is.
 */
export function restoreFormula(cell: string): string {
	if (!cell.includes("'")) return cell;
	return cell.replace(NEUTRALISED_CELL_START, '').replace(NEUTRALISED_LINE_START, '$1');
}

/**
 * The failure report as CSV (RFC 4180: comma, double quotes, every record ends with CRLF; no BOM —
 * prepend U+FEFF when the file is meant for Excel). Header: row, line, status, reasons, messages,
 * then `columns`.
 * Every text cell, the header included, goes through {@link neutraliseFormula}.
 */
export function reportCsv(columns: string[], rows: FailureRow[]): string {
	const header = [...REPORT_COLUMNS, ...columns].map(neutraliseFormula);
	const data = rows.map((failure) => [
		String(failure.row),
		String(failure.line),
		neutraliseFormula(failure.status),
		neutraliseFormula(failure.codes.join(LIST_SEPARATOR)),
		neutraliseFormula(failure.messages.join(LIST_SEPARATOR)),
		...columns.map((column) =>
			neutraliseFormula(Object.hasOwn(failure.values, column) ? failure.values[column] : '')
		)
	]);
	const csv = Papa.unparse({ fields: header, data }, { newline: '\r\n', escapeFormulae: false });
	// Papa ends the text with a line break only when there are no data rows; make it every time.
	return csv.endsWith('\r\n') ? csv : csv + '\r\n';
}
