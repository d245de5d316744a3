import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { pick, seededRandom } from '../../helpers/random';
import { ensureIndexerBuilt, INDEXER_BUILD_DIR, INDEXER_BUILDS } from '../../helpers/wasm-build';
import { CsvRecordParser } from '../../../src/lib/core/csv/parser';
import type { RecordSpan } from '../../../src/lib/core/types';
import {
	createCsvIndexState,
	instantiateCsvIndexer,
	readRecords,
	type CsvIndexer
} from '../../../src/lib/core/wasm/csv-index';

export interface Indexers {
	simd: CsvIndexer;
	scalar: CsvIndexer;
}

export async function loadIndexers(): Promise<Indexers> {
	ensureIndexerBuilt();
	const [simd, scalar] = await Promise.all(
		INDEXER_BUILDS.map((name) => instantiateCsvIndexer(readFileSync(join(INDEXER_BUILD_DIR, name))))
	);
	return { simd, scalar };
}

/** One record as every path can report it. */
export interface Row {
	fields: string[];
	start: number;
	end: number;
	line: number;
	/** The record has a misplaced quote (malformed_quotes). */
	malformed: boolean;
}

export interface Indexed {
	rows: Row[];
	/** The raw packed output, concatenated over calls, to compare builds exactly. */
	fieldEnds: number[];
	unterminatedQuote: { offset: number; line: number } | null;
}

/** Indexes `bytes` in pieces of `piece` bytes (all at once by default), carrying the state. */
export function indexText(
	indexer: CsvIndexer,
	bytes: Uint8Array,
	delimiter: string,
	piece = bytes.length || 1
): Indexed {
	const state = createCsvIndexState();
	const rows: Row[] = [];
	const fieldEnds: number[] = [];
	let unterminatedQuote: Indexed['unterminatedQuote'] = null;
	for (let offset = 0; ; offset += piece) {
		const final = offset + piece >= bytes.length;
		const index = indexer.index(
			bytes.subarray(offset, Math.min(bytes.length, offset + piece)),
			delimiter.charCodeAt(0),
			state,
			final
		);
		const fields = readRecords(index, bytes);
		for (let r = 0; r < index.count; r++) {
			rows.push({
				fields: fields[r],
				start: index.recordStarts[r],
				end: index.recordEnds[r],
				line: index.recordLines[r],
				malformed: index.malformedRecords.includes(r)
			});
		}
		fieldEnds.push(...index.fieldEnds);
		unterminatedQuote = index.unterminatedQuote;
		if (final) break;
	}
	return { rows, fieldEnds, unterminatedQuote };
}

/** The reference reader's records, or the line and offset of its unterminated-quote error. */
export function referenceRows(
	bytes: Uint8Array,
	delimiter: string
): { rows: Row[]; unterminatedQuote: { offset: number; line: number } | null } {
	const parser = new CsvRecordParser({ delimiter, columns: 0, offset: 0, line: 1 });
	const row = ({ fields, start, end, line, malformedQuote }: RecordSpan): Row => ({
		fields,
		start,
		end,
		line,
		malformed: malformedQuote !== undefined
	});
	const rows = parser.push(bytes).map(row);
	try {
		for (const record of parser.finish()) rows.push(row(record));
		return { rows, unterminatedQuote: null };
	} catch (error) {
		const details = (error as { code?: string; details?: { offset: number; line: number } })
			.details;
		if ((error as { code?: string }).code !== 'unterminated_quote' || !details) throw error;
		return { rows, unterminatedQuote: { offset: details.offset, line: details.line } };
	}
}

/**
 * papaparse's own rows for text with one kind of line break, or null when it reports an error.
 * Rows of a single empty field are dropped (an empty line, or a lone `""` both paths keep apart).
 */
export function papaparseRows(
	text: string,
	delimiter: string,
	newline: '\n' | '\r' | '\r\n'
): string[][] | null {
	const result = Papa.parse<string[]>(text, { delimiter, newline, quoteChar: '"' });
	if (result.errors.length > 0) return null;
	return result.data.filter((row) => !(row.length === 1 && row[0] === ''));
}

/** Same as papaparseRows' filter, for the indexer's rows. */
export function withoutEmptyRows(rows: Row[]): string[][] {
	return rows.map((row) => row.fields).filter((row) => !(row.length === 1 && row[0] === ''));
}

/** The one kind of line break `text` uses outside and inside quotes, or null when mixed. */
export function uniformNewline(text: string): '\n' | '\r' | '\r\n' | null {
	const crlf = text.split('\r\n').length - 1;
	const cr = text.split('\r').length - 1 - crlf;
	const lf = text.split('\n').length - 1 - crlf;
	if (crlf > 0) return cr === 0 && lf === 0 ? '\r\n' : null;
	if (cr > 0) return lf === 0 ? '\r' : null;
	return '\n';
}

export { pick, seededRandom as random };

const WORDS = [
	'ada',
	'Grace Hopper',
	'zoë',
	'日本語',
	'emoji 😀',
	'x',
	'lorem ipsum dolor sit amet'
];

/** One field value as written. `newline` is the line break used inside quotes ('mixed': any). */
function field(next: () => number, delimiter: string, newline: string): string {
	const word = pick(next, WORDS);
	const inner = () => (newline === 'mixed' ? pick(next, ['\n', '\r\n', '\r']) : newline);
	switch (Math.floor(next() * 11)) {
		case 0:
			return '';
		case 1:
			return '""';
		case 2:
			return `"${word}${delimiter} ${word}"`;
		case 3:
			return `"say ""${word}"" twice"`;
		case 4:
			return `"${word}${inner()}${word}${inner()}"`;
		case 5:
			return `"${'long quoted text, '.repeat(1 + Math.floor(next() * 8))}"`;
		case 6:
			return `5" screen`;
		case 7:
			return `"${word}"  `;
		case 8:
			return `"${word}"\u00a0`;
		case 9:
			return 'plain'.repeat(1 + Math.floor(next() * 20));
		default:
			return word;
	}
}

/**
 * A CSV text in the shape of a user export: quoting, escapes, embedded line breaks, UTF-8, empty
 * lines. `newline` 'mixed' picks CR, LF or CRLF at random for every break.
 */
export function generateCsv(
	next: () => number,
	options: { delimiter: string; newline: string; rows: number; columns: number }
): string {
	const { delimiter, newline, rows, columns } = options;
	const lines: string[] = [];
	for (let r = 0; r < rows; r++) {
		const lineBreak = newline === 'mixed' ? pick(next, ['\n', '\r\n', '\r']) : newline;
		const cells: string[] = [];
		for (let c = 0; c < columns; c++) cells.push(field(next, delimiter, newline));
		lines.push(cells.join(delimiter) + (r < rows - 1 || next() < 0.5 ? lineBreak : ''));
		if (next() < 0.05) lines.push(lineBreak);
	}
	return lines.join('');
}
