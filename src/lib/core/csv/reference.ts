import { throwIfAborted } from '../errors';
import { DEFAULT_CHUNK_SIZE, type ReadOptions } from '../read-options';
import { positionAt } from '../sniff/utf8';
import type { ByteSource, Layout, RecordSpan } from '../types';
import { CsvRecordParser } from './parser';

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
		line
	});
	let position = layout.dataStart;
	while (position < source.size) {
		throwIfAborted(options.signal);
		const bytes = await source.read(position, Math.min(source.size, position + chunkSize));
		if (bytes.length === 0) break;
		position += bytes.length;
		const records = parser.push(bytes);
		options.onProgress?.(position);
		if (records.length > 0) yield records;
	}
	throwIfAborted(options.signal);
	const records = parser.finish();
	if (records.length > 0) yield records;
}
