import { throwIfAborted } from '../errors';
import type { ReadOptions } from '../read';
import { positionAfter } from '../sniff/utf8';
import type { ByteSource, Layout, RecordSpan } from '../types';
import { CsvRecordParser } from './parser';

export const DEFAULT_CHUNK_SIZE = 1 << 20;

/** 1-based line and column at `offset` of the working copy (reads the bytes before it). */
export async function positionAt(
	source: ByteSource,
	offset: number
): Promise<{ line: number; column: number }> {
	return offset > 0 ? positionAfter(await source.read(0, offset)) : { line: 1, column: 1 };
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
