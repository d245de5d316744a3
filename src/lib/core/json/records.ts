import { FerryError, throwIfAborted } from '../errors';
import { DEFAULT_CHUNK_SIZE, type RecordReadOptions, type TransformRecord } from '../read-options';
import { findInvalidUtf8, positionAt } from '../sniff/utf8';
import type { ByteSource, Layout, RecordSpan } from '../types';
import { flattenRecord } from './flatten';
import { JsonSyntaxError, parseJson } from './parse';
import { JsonRecordScanner, type JsonScanMode, type ScannedRecord } from './scanner';

/** How records are laid out after `dataStart` for a JSON layout. */
export function scanModeOf(layout: Layout): JsonScanMode {
	if (layout.format === 'ndjson') return 'sequence';
	return layout.jsonRoot === null ? 'array' : 'root';
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Where a record starts: its byte offset, 1-based line and column. */
export interface RecordStart {
	start: number;
	line: number;
	column: number;
}

/** A record's bytes as text; `start` is their offset in the working copy (for the error). */
export function decodeRecord(bytes: Uint8Array, start: number): string {
	try {
		return decoder.decode(bytes);
	} catch {
		const offset = start + Math.max(0, findInvalidUtf8(bytes));
		throw new FerryError(
			'invalid_utf8',
			`The byte at offset ${offset} is not valid UTF-8. Choose the file's encoding and try again.`,
			{ offset }
		);
	}
}

/** Line and column of a character index of a record's text. */
function positionIn(text: string, index: number, record: RecordStart) {
	let line = record.line;
	let column = record.column;
	for (let i = 0; i < index && i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code === 0x0d || (code === 0x0a && text.charCodeAt(i - 1) !== 0x0d)) {
			line++;
			column = 1;
		} else if (code !== 0x0a && (code & 0xfc00) !== 0xdc00) column++;
	}
	return { line, column };
}

/** Parses the text of one record (a JSON object) found at `record`, as raw values (no prototype). */
export function parseRecordText(text: string, record: RecordStart): Record<string, unknown> {
	try {
		return parseJson(text) as Record<string, unknown>;
	} catch (error) {
		if (!(error instanceof JsonSyntaxError)) throw error;
		const { line, column } = positionIn(text, error.index, record);
		throw new FerryError(
			'invalid_json',
			`Invalid JSON: ${error.reason} (line ${line}, column ${column}).`,
			{
				line,
				column,
				offset: record.start + new TextEncoder().encode(text.slice(0, error.index)).length
			}
		);
	}
}

/** Parses one scanned record: a JSON object, as raw values (no prototype). */
export function parseScannedRecord(record: ScannedRecord): Record<string, unknown> {
	return parseRecordText(decodeRecord(record.bytes, record.start), record);
}

/**
 * Turns a parsed record into the fields of `layout.keys`: reshaped by the preset's transform,
 * flattened; keys outside `layout.keys` are reported, not kept.
 */
export function fieldAligner(
	layout: Layout,
	transform: TransformRecord,
	onExtraKey?: (key: string) => void
): (record: Record<string, unknown>) => string[] {
	const indexOfKey = new Map(layout.keys.map((key, index) => [key, index]));
	return (record) => {
		const flat = flattenRecord(transform(layout.preset, record));
		const fields: string[] = new Array<string>(layout.keys.length).fill('');
		for (const [key, value] of flat) {
			const index = indexOfKey.get(key);
			if (index !== undefined) fields[index] = value;
			else onExtraKey?.(key);
		}
		return fields;
	};
}

/** Turns scanned records into RecordSpans aligned to `layout.keys` (see fieldAligner). */
export function recordAligner(
	layout: Layout,
	transform: TransformRecord,
	onExtraKey?: (key: string) => void
): (record: ScannedRecord) => RecordSpan {
	const fieldsOf = fieldAligner(layout, transform, onExtraKey);
	return (record) => {
		if (record.tooLarge) {
			const { start, end, line } = record;
			const fields = new Array<string>(layout.keys.length).fill('');
			return { fields, fieldCount: 0, start, end, line, tooLarge: true };
		}
		const fields = fieldsOf(parseScannedRecord(record));
		return {
			fields,
			fieldCount: fields.length,
			start: record.start,
			end: record.end,
			line: record.line
		};
	};
}

/**
 * Streams the records of a JSON array (top-level or under `layout.jsonRoot`) or NDJSON working copy
 * from `layout.dataStart`. A record's byte range runs from its `{` to its `}`.
 */
export async function* readJsonRecords(
	source: ByteSource,
	layout: Layout,
	options: RecordReadOptions
): AsyncGenerator<RecordSpan[]> {
	const chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
	const start = await positionAt(source, layout.dataStart);
	const scanner = new JsonRecordScanner(
		scanModeOf(layout),
		{ offset: layout.dataStart, ...start },
		options.maxRecordBytes
	);
	const align = recordAligner(layout, options.transform, options.onExtraKey);
	let position = layout.dataStart;
	while (position < source.size && !scanner.done) {
		throwIfAborted(options.signal);
		const bytes = await source.read(position, Math.min(source.size, position + chunkSize));
		if (bytes.length === 0) break;
		position += bytes.length;
		const records = scanner.push(bytes).map(align);
		options.onProgress?.(position);
		if (records.length > 0) yield records;
	}
	scanner.finish();
}
