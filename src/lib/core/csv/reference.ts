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
export function rejoinRecord(
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

/** A quote inside an unquoted value is kept as data, for a writer that never quotes (Cognito). */
export function keepQuoteAsData(record: RecordSpan): void {
	if (record.malformedQuote && !record.malformedQuote.quoted) delete record.malformedQuote;
}

/**
 * Gives back records as the layout's preset wrote them, in place: records rejoined (Cognito's
 * `\,`), a quote inside an unquoted value kept as data for a writer that never quotes, then cells
 * restored (a Ferry failure report's formula protection taken off); the records as they are for
 * every other layout.
 */
export function restoreRecords(layout: Layout, records: RecordSpan[]): RecordSpan[] {
	const restoreCell = cellRestorer(layout.preset);
	const restoreRecord = recordRestorer(layout.preset);
	const unquoted = quotesAreData(layout.preset);
	if (!restoreCell && !restoreRecord && !unquoted) return records;
	for (const record of records) {
		if (restoreRecord) rejoinRecord(restoreRecord, record, layout.columns.length);
		if (unquoted) keepQuoteAsData(record);
		if (restoreCell) record.fields = record.fields.map(restoreCell);
	}
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
