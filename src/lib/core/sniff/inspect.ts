import { CsvRecordParser } from '../csv/parser';
import { FerryError } from '../errors';
import { restoreRecord, restorersOf } from '../csv/reference';
import { restoredNotice } from '../formats/presets';
import { flattenRecord } from '../json/flatten';
import { parseScannedRecord } from '../json/records';
import { JsonRecordScanner, type JsonScanMode, type ScannedRecord } from '../json/scanner';
import type { TransformRecord } from '../read-options';
import type { Format, Layout, RecordSpan } from '../types';
import { parseSepLine, sniffDelimiter } from './delimiter';
import { detectHeader } from './header';
import { positionAfter, utf8ByteLength } from './utf8';

export interface InspectHooks {
	isKnownAlias(headerCell: string): boolean;
	/** Recognise a known export from its keys/columns (and first records for JSON); null if none. */
	detectPreset(input: {
		format: Format;
		keys: string[];
		header: boolean;
		sample: string[][];
	}): string | null;
	transformRecord: TransformRecord;
}

export interface Inspection {
	layout: Layout;
	/** The first data records (at most PREVIEW_RECORDS), fields aligned to the layout's columns. */
	preview: RecordSpan[];
	/** Plain-language remarks for the admin about how the file was read. */
	notices: string[];
}

export const PREVIEW_RECORDS = 50;
/** Rows the header detection compares. */
const HEADER_SAMPLE = 20;

const NO_COMPLETE_RECORD =
	'The first part of the file holds no complete record (a very long value?): the preview stays empty until the whole file is read.';

function isSpace(code: number): boolean {
	return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function skipSpace(text: string, from: number): number {
	let i = from;
	while (i < text.length && isSpace(text.charCodeAt(i))) i++;
	return i;
}

/** JSON when the first non-blank character opens an array or object that looks like JSON. */
function detectFormatFamily(text: string): 'json' | 'csv' {
	const first = skipSpace(text, 0);
	const next = text.charAt(skipSpace(text, first + 1));
	if (text[first] === '{') return next === '"' || next === '}' || next === '' ? 'json' : 'csv';
	if (text[first] === '[') return /^[{["\]\-0-9tfn]?$/.test(next) ? 'json' : 'csv';
	return 'csv';
}

/** Display names, unique: a repeated name gets " (2)", " (3)"; an empty cell "Column N". */
function uniqueNames(cells: string[]): string[] {
	const used = new Set<string>();
	return cells.map((cell, index) => {
		const base = cell.trim() || `Column ${index + 1}`;
		let name = base;
		for (let n = 2; used.has(name); n++) name = `${base} (${n})`;
		used.add(name);
		return name;
	});
}

function repeated(cells: string[]): string[] {
	const seen = new Set<string>();
	const twice = new Set<string>();
	for (const cell of cells) {
		if (cell.trim() === '') continue;
		if (seen.has(cell)) twice.add(cell);
		seen.add(cell);
	}
	return [...twice];
}

function padded(record: RecordSpan, columns: number): RecordSpan {
	const fields = record.fields.slice();
	while (fields.length < columns) fields.push('');
	return { ...record, fields };
}

function inspectCsv(text: string, complete: boolean, hooks: InspectHooks): Inspection {
	const notices: string[] = [];
	const sep = parseSepLine(text);
	const body = sep ? text.slice(sep.length) : text;
	const delimiter = sep?.delimiter ?? sniffDelimiter(body).delimiter;
	const bytes = new TextEncoder().encode(text);
	const bodyStart = sep ? utf8ByteLength(text.slice(0, sep.length)) : 0;
	const parser = new CsvRecordParser({
		delimiter,
		columns: 0,
		offset: bodyStart,
		line: sep && sep.length > 5 ? 2 : 1
	});
	const records = parser.push(bytes.subarray(bodyStart));
	if (complete) for (const record of parser.finish()) records.push(record);

	const header = detectHeader(
		records.slice(0, HEADER_SAMPLE).map((record) => record.fields),
		hooks.isKnownAlias
	);
	const data = header ? records.slice(1) : records;
	const numbered = Array.from(
		{ length: Math.max(0, ...data.slice(0, PREVIEW_RECORDS).map((r) => r.fieldCount)) },
		(_, i) => `Column ${i + 1}`
	);
	const preset = hooks.detectPreset({
		format: 'csv',
		keys: header ? records[0].fields : numbered,
		header,
		sample: data.slice(0, PREVIEW_RECORDS).map((record) => record.fields)
	});
	const width = header ? records[0].fields.length : numbered.length;
	const restored = restoreHead(preset, records, header ? 1 : 0, width, complete);
	if (restored) notices.push(restored);
	const keys = header ? records[0].fields : numbered;
	const columns = header ? uniqueNames(keys) : keys;
	const preview = data.slice(0, PREVIEW_RECORDS).map((record) => padded(record, columns.length));
	if (!complete && data.length === 0) notices.push(NO_COMPLETE_RECORD);
	const dataStart = data[0]?.start ?? (header ? records[0].end : bodyStart);

	return {
		layout: {
			format: 'csv',
			delimiter,
			sepLine: sep !== null,
			header,
			columns,
			keys,
			duplicateHeaders: header ? repeated(keys) : [],
			dataStart,
			preset,
			jsonRoot: null
		},
		preview,
		notices
	};
}

/**
 * Restores the head's records in place when the preset says how: records its writer split
 * rejoined (Cognito's `\,`), cells as their writer had them (a Ferry failure report's formula
 * protection, Auth0's CSV-injection quote, Postgres' `+00` offsets). Says how many data values it
 * restored, or how many rows it rejoined when there were some; null for other presets.
 */
function restoreHead(
	preset: string | null,
	records: RecordSpan[],
	firstData: number,
	columns: number,
	complete: boolean
): string | null {
	const restorers = restorersOf(preset);
	if (!restorers) return null;
	let rejoined = 0;
	let changed = 0;
	records.forEach((record, index) => {
		if (index < firstData) {
			// The header row: its cells only, as its writer encoded them.
			if (restorers.cell) record.fields = record.fields.map(restorers.cell);
			return;
		}
		const restored = restoreRecord(restorers, record, columns, true);
		if (restored.rejoined) rejoined++;
		changed += restored.changed;
	});
	const rows = records.length - firstData;
	const where = complete ? '' : ` in the first ${rows.toLocaleString('en')} rows`;
	if (rejoined > 0) return restoredNotice(preset, rejoined, where, 'row');
	return restorers.cell ? restoredNotice(preset, changed, where) : null;
}

// ---- JSON ---------------------------------------------------------------------------------------

interface JsonShape {
	format: 'json' | 'ndjson';
	jsonRoot: string | null;
	/** Character index in the head where the scanner starts. */
	start: number;
	mode: JsonScanMode;
}

/** Index just after the JSON string starting at `from`, or -1 when the head cuts it. */
function stringEnd(text: string, from: number): number {
	for (let i = from + 1; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code === 0x5c) i++;
		else if (code === 0x22) return i + 1;
	}
	return -1;
}

/** Index just after the JSON value starting at `from`, or -1 when the head cuts it or it is malformed. */
function valueEnd(text: string, from: number): number {
	let depth = 0;
	for (let i = from; i < text.length; i++) {
		const char = text[i];
		if (char === '"') {
			i = stringEnd(text, i) - 1;
			if (i < 0) return -1;
			if (depth === 0) return i + 1;
		} else if (char === '{' || char === '[') depth++;
		else if (char === '}' || char === ']') {
			if (--depth === 0) return i + 1;
			if (depth < 0) return i;
		} else if (depth === 0 && (char === ',' || isSpace(text.charCodeAt(i)))) return i;
	}
	return -1;
}

interface Member {
	key: string;
	/** For an array value: where its first element (or its `]`) is. */
	arrayContent: number | null;
	holdsObjects: boolean;
}

/**
 * The top-level members of the object at `open`, as far as the head shows them, and where the
 * object ends (-1 when the head cuts it or it is malformed).
 */
function topLevelMembers(text: string, open: number): { members: Member[]; end: number } {
	const members: Member[] = [];
	let i = skipSpace(text, open + 1);
	if (text[i] === '}') return { members, end: i + 1 };
	for (;;) {
		if (text[i] !== '"') return { members, end: -1 };
		const keyEnd = stringEnd(text, i);
		if (keyEnd < 0) return { members, end: -1 };
		let key: string;
		try {
			key = JSON.parse(text.slice(i, keyEnd)) as string;
		} catch {
			return { members, end: -1 };
		}
		i = skipSpace(text, keyEnd);
		if (text[i] !== ':') return { members, end: -1 };
		i = skipSpace(text, i + 1);
		if (text[i] === '[') {
			const content = skipSpace(text, i + 1);
			members.push({ key, arrayContent: content, holdsObjects: text[content] === '{' });
		} else members.push({ key, arrayContent: null, holdsObjects: false });
		const end = valueEnd(text, i);
		if (end < 0) return { members, end: -1 };
		i = skipSpace(text, end);
		if (text[i] === '}') return { members, end: i + 1 };
		if (text[i] !== ',') return { members, end: -1 };
		i = skipSpace(text, i + 1);
	}
}

/**
 * Which JSON layout the head shows: a top-level array; an object wrapping the records in its
 * `users` member, or else in one array-of-objects member unless its other members look like user
 * fields (then it is one user record); or a sequence of objects (NDJSON).
 */
function jsonShape(text: string, isKnownAlias: (key: string) => boolean): JsonShape {
	const first = skipSpace(text, 0);
	if (text[first] === '[')
		return { format: 'json', jsonRoot: null, start: skipSpace(text, first + 1), mode: 'array' };
	const ndjson: JsonShape = { format: 'ndjson', jsonRoot: null, start: first, mode: 'sequence' };
	const { members, end } = topLevelMembers(text, first);
	if (end >= 0 && skipSpace(text, end) < text.length) return ndjson;
	// A member named `users` is the records wherever it stands: a Keycloak realm export has its
	// realm's `id` and arrays of groups and roles before it.
	const users = members.find(
		(member) =>
			member.key === 'users' &&
			member.arrayContent !== null &&
			(member.holdsObjects || text[member.arrayContent] === ']')
	);
	// A Keycloak realm's users come after its groups (an array of objects too): until the head
	// reaches them, the realm is not read as records of something else.
	if (!users && members.some((member) => member.key === 'realm')) return ndjson;
	const root =
		users ??
		members.find((member) => member.holdsObjects) ??
		members.find((member) => member.arrayContent !== null && text[member.arrayContent] === ']');
	if (!root || root.arrayContent === null) return ndjson;
	if (!users && members.some((member) => member !== root && isKnownAlias(member.key)))
		return ndjson;
	return { format: 'json', jsonRoot: root.key, start: root.arrayContent, mode: 'root' };
}

function unionOfKeys(records: Map<string, string>[]): string[] {
	const keys = new Set<string>();
	for (const record of records) for (const key of record.keys()) keys.add(key);
	return [...keys];
}

function aligned(flat: Map<string, string>, keys: string[]): string[] {
	return keys.map((key) => flat.get(key) ?? '');
}

function inspectJson(text: string, complete: boolean, hooks: InspectHooks): Inspection {
	const notices: string[] = [];
	const shape = jsonShape(text, hooks.isKnownAlias);
	const bytes = new TextEncoder().encode(text);
	const dataStart = utf8ByteLength(text.slice(0, shape.start));
	const scanner = new JsonRecordScanner(shape.mode, {
		offset: dataStart,
		...positionAfter(bytes.subarray(0, dataStart))
	});
	const scanned: ScannedRecord[] = scanner.push(bytes.subarray(dataStart));
	if (complete) scanner.finish();
	const sample = scanned.slice(0, PREVIEW_RECORDS);
	const raw = sample.map(parseScannedRecord);

	const rawFlat = raw.map((record) => flattenRecord(hooks.transformRecord(null, record)));
	const rawKeys = unionOfKeys(rawFlat);
	const preset = hooks.detectPreset({
		format: shape.format,
		keys: rawKeys,
		header: true,
		sample: rawFlat.map((flat) => aligned(flat, rawKeys))
	});
	const flat = preset
		? raw.map((record) => flattenRecord(hooks.transformRecord(preset, record)))
		: rawFlat;
	const keys = preset ? unionOfKeys(flat) : rawKeys;
	if (!complete && sample.length === 0) notices.push(NO_COMPLETE_RECORD);

	return {
		layout: {
			format: shape.format,
			delimiter: null,
			sepLine: false,
			header: true,
			columns: keys.slice(),
			keys,
			duplicateHeaders: [],
			dataStart,
			preset,
			jsonRoot: shape.jsonRoot
		},
		preview: sample.map((record, i) => ({
			fields: aligned(flat[i], keys),
			fieldCount: keys.length,
			start: record.start,
			end: record.end,
			line: record.line
		})),
		notices
	};
}

/**
 * Reads the layout of a file from its decoded head (BOM removed): format, delimiter, header,
 * columns, preset, and the first data records. `complete` says the head is the whole file; when
 * it is not, a record the head cuts is left out.
 */
export function inspectText(text: string, complete: boolean, hooks: InspectHooks): Inspection {
	if (complete && text.trim() === '')
		throw new FerryError('empty_file', 'The file holds no records.');
	return detectFormatFamily(text) === 'json'
		? inspectJson(text, complete, hooks)
		: inspectCsv(text, complete, hooks);
}
