import { throwIfAborted } from '../errors';
import { DEFAULT_CHUNK_SIZE, type ReadOptions } from '../read-options';
import { positionAt } from '../sniff/utf8';
import type { ByteSource, Layout, RecordSpan } from '../types';
import { cellRestorer, quotesAreData, recordRestorer } from '../formats/presets';
import { CsvRecordParser } from './parser';

/**
 * Rejoins, in place, a record with more fields than `columns` by a preset's record restorer
 * (Cognito's `\,`): its fields padded to `columns` again and its fieldCount the rejoined count, so
 * only a record still too long is ragged. Whether the record changed.
 */
function rejoinRecord(
	restore: (fields: string[], columns: number) => string[],
	record: RecordSpan,
	columns: number
): boolean {
	if (record.fieldCount <= columns) return false;
	const fields = restore(record.fields.slice(0, record.fieldCount), columns);
	if (fields.length === record.fieldCount) return false;
	record.fieldCount = fields.length;
	while (fields.length < columns) fields.push('');
	record.fields = fields;
	return true;
}

/** How a preset gives back the CSV records its writer encoded (see Preset). */
export interface Restorers {
	cell: ((cell: string) => string) | null;
	record: ((fields: string[], columns: number) => string[]) | null;
	quotesAreData: boolean;
}

/** The preset's restorers, or null when its records are read as they are. */
export function restorersOf(preset: string | null): Restorers | null {
	const restorers = {
		cell: cellRestorer(preset),
		record: recordRestorer(preset),
		quotesAreData: quotesAreData(preset)
	};
	return restorers.cell || restorers.record || restorers.quotesAreData ? restorers : null;
}

/**
 * Gives back one data record as its writer had it, in place: rejoined (Cognito's `\,`), a quote
 * inside an unquoted value kept as data for a writer that never quotes, then its cells restored (a
 * Ferry failure report's formula protection taken off). Whether it was rejoined, and, when
 * `countCells`, how many values the cell restorer changed.
 */
export function restoreRecord(
	restorers: Restorers,
	record: RecordSpan,
	columns: number,
	countCells = false
): { rejoined: boolean; changed: number } {
	const rejoined = restorers.record !== null && rejoinRecord(restorers.record, record, columns);
	const quote = record.malformedQuote;
	if (restorers.quotesAreData && quote && !quote.quoted) delete record.malformedQuote;
	let changed = 0;
	if (restorers.cell) {
		const fields = record.fields.map(restorers.cell);
		if (countCells) changed = fields.filter((value, i) => value !== record.fields[i]).length;
		record.fields = fields;
	}
	return { rejoined, changed };
}

/** restoreRecord on every record of the layout's preset; the records as they are for others. */
export function restoreRecords(layout: Layout, records: RecordSpan[]): RecordSpan[] {
	const restorers = restorersOf(layout.preset);
	if (restorers)
		for (const record of records) restoreRecord(restorers, record, layout.columns.length);
	return records;
}

/**
 * Streams the data records of a CSV working copy from `layout.dataStart`, one batch per chunk of
 * `chunkSize` bytes, with exact byte ranges and physical lines. Invalid UTF-8 fails with its offset. Fields are aligned to the layout's
 * columns (missing ones are '', extra ones kept beyond).
 */
export async function* readCsvRecords(
	source: ByteSource,
	layout: Layout,
	options: ReadOptions = {}
): AsyncGenerator<RecordSpan[]> {
	const chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
	const { line } = await positionAt(source, layout.dataStart);
	const parser = new CsvRecordParser({
		delimiter: layout.delimiter ?? ',',
		columns: layout.columns.length,
		offset: layout.dataStart,
		line,
		maxRecordBytes: options.maxRecordBytes
	});
	let position = layout.dataStart;
	while (position < source.size) {
		throwIfAborted(options.signal);
		const bytes = await source.read(position, Math.min(source.size, position + chunkSize));
		if (bytes.length === 0) break;
		position += bytes.length;
		const records = restoreRecords(layout, parser.push(bytes));
		options.onProgress?.(position);
		if (records.length > 0) yield records;
	}
	throwIfAborted(options.signal);
	const records = restoreRecords(layout, parser.finish());
	if (records.length > 0) yield records;
}
