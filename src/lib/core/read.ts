import { readCsvRecords, restoreRecords } from './csv/reference';
import { CsvRecordParser } from './csv/parser';
import { readJsonRecords, recordAligner } from './json/records';
import { JsonRecordScanner } from './json/scanner';
import { MAX_RECORD_BYTES } from './limits';
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
	transform: TransformRecord,
	maxRecordBytes = MAX_RECORD_BYTES
): RecordSpan[] {
	if (layout.format === 'csv') {
		const parser = new CsvRecordParser({
			delimiter: layout.delimiter ?? ',',
			columns: layout.columns.length,
			offset: base.offset,
			line: base.line,
			maxRecordBytes
		});
		return restoreRecords(layout, [...parser.push(bytes), ...parser.finish()]);
	}
	const scanner = new JsonRecordScanner('range', { ...base, column: 1 }, maxRecordBytes);
	const records = scanner.push(bytes).map(recordAligner(layout, transform));
	scanner.finish();
	return records;
}

/** Where a scan found each row: row i is bytes [rowStarts[i], rowEnds[i]) from line rowLines[i]. */
export interface RowPlaces {
	rowStarts: Float64Array;
	rowEnds: Float64Array;
	rowLines: Uint32Array;
}

/**
 * The records of `rows` (0-based, ascending), read back from the working copy with one read per
 * run of consecutive rows. A row longer than maxRecordBytes is not read: it comes back as a
 * tooLarge record without fields, as the scan saw it.
 */
export async function readRows(
	source: ByteSource,
	places: RowPlaces,
	rows: number[],
	layout: Layout,
	transform: TransformRecord,
	maxRecordBytes = MAX_RECORD_BYTES
): Promise<RecordSpan[]> {
	const { rowStarts, rowEnds, rowLines } = places;
	const tooLarge = (row: number) => rowEnds[row] - rowStarts[row] > maxRecordBytes;
	const out: RecordSpan[] = [];
	let i = 0;
	while (i < rows.length) {
		const first = rows[i];
		if (tooLarge(first)) {
			const [start, end, line] = [rowStarts[first], rowEnds[first], rowLines[first]];
			const fields = new Array<string>(layout.columns.length).fill('');
			out.push({ fields, fieldCount: 0, start, end, line, tooLarge: true });
			i++;
			continue;
		}
		let j = i;
		while (j + 1 < rows.length && rows[j + 1] === rows[j] + 1 && !tooLarge(rows[j + 1])) j++;
		const last = rows[j];
		const bytes = await source.read(rowStarts[first], rowEnds[last]);
		const records = parseRecordRange(
			bytes,
			{ offset: rowStarts[first], line: rowLines[first] },
			layout,
			transform,
			maxRecordBytes
		);
		// One push per record: spreading a page of 100,000s of records overflows the stack.
		for (const record of records.slice(0, last - first + 1)) out.push(record);
		i = j + 1;
	}
	return out;
}
