import { throwIfAborted, type AbortSignalLike } from '../errors';
import { reportCsv } from './csv';
import { ReportRowsChangedError } from './error';
import { DROPPED_ROW_STATUS, invalidRow, type FailureRow } from './rows';

/**
 * Gathering the failure report's rows from wherever they are kept (the parse worker pages them)
 * and turning them into the CSV's bytes. Rows come from two places: validation (`invalid_row`,
 * paged from the scan) and the destination (rows it refused, passed in as extra FailureRows).
 */

/** A row as the import session pages it: 0-based row, physical line, fields, problems. */
export interface ExplainedRowLike {
	/** 0-based data row (the report shows it 1-based). */
	row: number;
	line: number;
	/** Aligned to the columns; a ragged row has more fields than there are columns. */
	fields: string[];
	reasons: { code: string; message: string }[];
	/** The admin dropped the row (its values are the edited ones, like every row's). */
	dropped?: boolean;
}

/** Returns the rows [offset, offset + count) of those to report, and how many there are in all. */
export type RowPager = (
	offset: number,
	count: number
) => Promise<{ total: number; rows: ExplainedRowLike[] }>;

export interface CollectOptions {
	/** Rows asked for per page; default 2,000. */
	pageSize?: number;
	signal?: AbortSignalLike;
	/** Called after each page with the rows collected so far and the total. */
	onProgress?: (collected: number, total: number) => void;
	/**
	 * Checked after each page: false when the rows being paged changed meanwhile (the file was
	 * validated again), and the pages read so far no longer belong together.
	 */
	isCurrent?: () => boolean;
}

export interface CollectedRows {
	/** The source's columns, then one column per field beyond them that a ragged row has. */
	columns: string[];
	/** In row order. */
	rows: FailureRow[];
}

export const DEFAULT_REPORT_PAGE = 2000;

/**
 * Names for the fields a ragged row has beyond the header: "extra field 1", "extra field 2", …,
 * made distinct from the file's own column names.
 */
export function extraColumns(columns: string[], count: number): string[] {
	const taken = new Set(columns);
	const names: string[] = [];
	for (let i = 1; names.length < count; i++) {
		let name = `extra field ${i}`;
		for (let n = 2; taken.has(name); n++) name = `extra field ${i} (${n})`;
		taken.add(name);
		names.push(name);
	}
	return names;
}

const changed = () => new ReportRowsChangedError();

/**
 * Every row the pager reports, as `invalid_row` FailureRows (`dropped` for the rows the admin
 * dropped) with 1-based row numbers, the
 * physical line, the codes and messages of all the row's problems, and its original values.
 */
export async function collectInvalidRows(
	pager: RowPager,
	columns: string[],
	options: CollectOptions = {}
): Promise<CollectedRows> {
	const pageSize = options.pageSize ?? DEFAULT_REPORT_PAGE;
	const collected: ExplainedRowLike[] = [];
	let widest = columns.length;
	let total = -1;
	do {
		throwIfAborted(options.signal);
		const page = await pager(collected.length, pageSize);
		if (options.isCurrent && !options.isCurrent()) throw changed();
		if (total === -1) total = page.total;
		else if (page.total !== total) throw changed();
		for (const row of page.rows) {
			widest = Math.max(widest, row.fields.length);
			collected.push(row);
		}
		options.onProgress?.(collected.length, total);
		// A short page before the total means the rows changed under us.
		if (page.rows.length === 0 && collected.length < total) throw changed();
	} while (collected.length < total);

	const allColumns = [...columns, ...extraColumns(columns, widest - columns.length)];
	const rows = collected.map((row) => {
		const failure = invalidRow(row.row + 1, row.line, allColumns, row.fields, row.reasons);
		return row.dropped ? { ...failure, status: DROPPED_ROW_STATUS } : failure;
	});
	return { columns: allColumns, rows };
}

/**
 * All failure rows in row order: validation's and the destination's. A row is in at most one list
 * in practice (only valid rows are sent); if it is in several, each entry is kept, in list order.
 */
export function mergeFailureRows(...lists: FailureRow[][]): FailureRow[] {
	return lists
		.flatMap((list, listIndex) => list.map((row, index) => ({ row, listIndex, index })))
		.sort((a, b) => a.row.row - b.row.row || a.listIndex - b.listIndex || a.index - b.index)
		.map(({ row }) => row);
}

/**
 * The report CSV (reportCsv) as UTF-8 bytes, written a slice of rows at a time so that a large
 * report never exists as one giant string. Byte for byte the same as encoding reportCsv(columns, rows).
 */
export function reportCsvBytes(
	columns: string[],
	rows: FailureRow[],
	sliceRows = 5000
): Uint8Array {
	const encoder = new TextEncoder();
	const header = reportCsv(columns, []);
	const parts: Uint8Array[] = [encoder.encode(header)];
	for (let start = 0; start < rows.length; start += sliceRows) {
		const csv = reportCsv(columns, rows.slice(start, start + sliceRows));
		parts.push(encoder.encode(csv.slice(header.length)));
	}
	const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
	let offset = 0;
	for (const part of parts) {
		bytes.set(part, offset);
		offset += part.length;
		part.fill(0);
	}
	return bytes;
}
