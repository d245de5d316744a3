import { throwIfAborted } from '../errors';
import { DEFAULT_CHUNK_SIZE, type ReadOptions } from '../read-options';
import { positionAt } from '../sniff/utf8';
import type { ByteSource, Layout, RecordSpan } from '../types';
import { cellRestorer } from '../formats/presets';
import { CsvRecordParser } from './parser';

/**
 * Gives back the cells of records as the layout's preset wrote them (a Ferry failure report's
 * formula protection taken off), in place; the records as they are for every other layout.
 */
export function restoreCells(layout: Layout, records: RecordSpan[]): RecordSpan[] {
	const restore = cellRestorer(layout.preset);
	if (restore) for (const record of records) record.fields = record.fields.map(restore);
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
		const records = restoreCells(layout, parser.push(bytes));
		options.onProgress?.(position);
		if (records.length > 0) yield records;
	}
	throwIfAborted(options.signal);
	const records = restoreCells(layout, parser.finish());
	if (records.length > 0) yield records;
}
