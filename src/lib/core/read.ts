import { readCsvRecords } from './csv/reference';
import { CsvRecordParser } from './csv/parser';
import type { AbortSignalLike } from './errors';
import { readJsonRecords, recordAligner } from './json/records';
import { JsonRecordScanner } from './json/scanner';
import type { InspectHooks } from './sniff/inspect';
import type { ByteSource, Layout, RecordSpan } from './types';

export interface ReadOptions {
	signal?: AbortSignalLike;
	/** Bytes read per step (default 1 MiB); each step yields one batch of records. */
	chunkSize?: number;
	/** Absolute offset in the working copy up to which bytes have been read. */
	onProgress?: (bytesRead: number) => void;
}

export type TransformRecord = InspectHooks['transformRecord'];

export interface RecordReadOptions extends ReadOptions {
	/** JSON only: a preset's reshaping of each record before flattening. */
	transform: TransformRecord;
	/** JSON only: a flattened key that is not a column of the layout. */
	onExtraKey?: (key: string) => void;
}

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
		return [...parser.push(bytes), ...parser.finish()];
	}
	const scanner = new JsonRecordScanner('range', { ...base, column: 1 });
	const records = scanner.push(bytes).map(recordAligner(layout, transform));
	scanner.finish();
	return records;
}
