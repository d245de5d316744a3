import { readCsvRecords, restoreRecords } from './csv/reference';
import { CsvRecordParser } from './csv/parser';
import { readJsonRecords, recordAligner } from './json/records';
import { JsonRecordScanner } from './json/scanner';
import type { RecordReadOptions, TransformRecord } from './read-options';
import type { ByteSource, Layout, RecordSpan } from './types';

/** Streams the data records of the working copy, in batches, whatever the format. */
export function readRecords(
	source: ByteSource,
	layout: Layout,
	options: RecordReadOptions
): AsyncGenerator<RecordSpan[]> {
	return layout.format === 'csv'
		? readCsvRecords(source, layout, options)
		: readJsonRecords(source, layout, options);
}

/**
 * The records of a slice of the working copy that starts and ends at record boundaries (as stored
 * by a scan: rowStarts[i] .. rowEnds[j]), for paging through a large file. `base` is where the
 * slice starts: its byte offset and 1-based line.
 */
export function parseRecordRange(
	bytes: Uint8Array,
	base: { offset: number; line: number },
	layout: Layout,
	transform: TransformRecord
): RecordSpan[] {
	if (layout.format === 'csv') {
		const parser = new CsvRecordParser({
			delimiter: layout.delimiter ?? ',',
			columns: layout.columns.length,
			offset: base.offset,
			line: base.line
		});
		return restoreRecords(layout, [...parser.push(bytes), ...parser.finish()]);
	}
	const scanner = new JsonRecordScanner('range', { ...base, column: 1 });
	const records = scanner.push(bytes).map(recordAligner(layout, transform));
	scanner.finish();
	return records;
}
