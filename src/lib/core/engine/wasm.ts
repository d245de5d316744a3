import { DEFAULT_CHUNK_SIZE, positionAt } from '../csv/reference';
import { FerryError, throwIfAborted } from '../errors';
import { cutSequenceLength, findInvalidUtf8 } from '../sniff/utf8';
import type { Layout } from '../types';
import { Validator } from '../validate/validator';
import {
	createCsvIndexState,
	instantiateCsvIndexer,
	unquote,
	type CsvIndex,
	type CsvIndexer,
	type CsvIndexState,
	type WebAssemblyModuleLike
} from '../wasm/csv-index';
import { Growable } from './growable';
import { referenceEngine } from './reference';
import type { ScanEngine, ScanRequest, ScanResult } from './types';

export interface WasmEngineOptions {
	/**
	 * Bytes read per step. The default (1 MiB) is the reference reader's chunk size, which makes
	 * even the errors met past `maxRows` the same; tests use tiny slices to stress the boundaries.
	 */
	sliceSize?: number;
}

/**
 * The indexer's machine state "inside a multi-byte character after a closing quote"
 * (AFTER_CLOSE_UTF8 in wasm/assembly/csv.ts). When the text ends there, the indexer ends the
 * record, but the reference reader takes the cut character as data and reports the quoted field as
 * never closed; that is only reachable with invalid UTF-8, and the engine follows the reference.
 */
const MACHINE_AFTER_CLOSE_UTF8 = 5;

const EMPTY = new Uint8Array(0);

/**
 * The accelerated scan: the WebAssembly indexer finds records and fields over the bytes, and only
 * the fields the Validator reads (mapped columns, and the extra fields of a ragged row) become
 * strings. JSON layouts, and delimiters the indexer cannot take (beyond ASCII), go to the
 * reference engine, so the result then says engine 'js'.
 */
export async function createWasmEngine(
	module: WebAssemblyModuleLike | Uint8Array,
	options: WasmEngineOptions = {}
): Promise<ScanEngine> {
	const indexer = await instantiateCsvIndexer(module);
	const name = indexer.simd ? 'wasm-simd' : 'wasm';
	const sliceSize = Math.max(1, options.sliceSize ?? DEFAULT_CHUNK_SIZE);
	return {
		name,
		scan(request: ScanRequest): Promise<ScanResult> {
			const delimiter = indexableDelimiter(request.layout);
			if (delimiter < 0) return referenceEngine.scan(request);
			return new WasmCsvScan(indexer, name, sliceSize, delimiter, request).run();
		}
	};
}

/** The delimiter's byte when the layout is CSV and the indexer takes it, else -1. */
function indexableDelimiter(layout: Layout): number {
	if (layout.format !== 'csv') return -1;
	const delimiter = layout.delimiter ?? ',';
	const code = delimiter.charCodeAt(0);
	return delimiter.length === 1 && code > 0 && code < 0x80 && code !== 0x22 ? code : -1;
}

/**
 * Records completed in one step and the bytes that hold them, decoded once (the decoding is also
 * the strict UTF-8 check). Field values are substrings of that text: a field's byte offsets are
 * turned into UTF-16 offsets directly when the text is ASCII, else by a cursor that only moves
 * forward (fields are read in byte order).
 */
class Region {
	readonly ascii: boolean;
	#cursorByte = 0;
	#cursorUnit = 0;

	constructor(
		readonly bytes: Uint8Array,
		/** Absolute offset of bytes[0] in the working copy. */
		readonly start: number,
		readonly text: string,
		/** Absolute offset where the text ends, when this region reaches it; else -1. */
		readonly textEnd: number
	) {
		this.ascii = text.length === bytes.length;
	}

	/** The value of field `column` of record `record` of `index`, as the reference reader reads it. */
	field(index: CsvIndex, record: number, column: number): string {
		const at = index.fieldIndex[record] + column;
		const start = column === 0 ? index.recordStarts[record] : index.fieldEnds[at - 1] + 1;
		const end = index.fieldEnds[at];
		const written = this.text.substring(
			this.#unit(start - this.start),
			this.#unit(end - this.start)
		);
		return unquote(written, end === this.textEnd);
	}

	/** UTF-16 offset in `text` of byte `byte` (a character boundary, at or after the last asked). */
	#unit(byte: number): number {
		if (this.ascii) return byte;
		const bytes = this.bytes;
		let at = this.#cursorByte;
		let unit = this.#cursorUnit;
		while (at < byte) {
			const value = bytes[at++];
			// A continuation byte adds no code unit, a 4-byte character's lead two (a surrogate pair).
			if ((value & 0xc0) !== 0x80) unit += value >= 0xf0 ? 2 : 1;
		}
		this.#cursorByte = at;
		this.#cursorUnit = unit;
		return unit;
	}
}

/** One CSV scan: the steps of the reference engine (read a slice, take its records), accelerated. */
class WasmCsvScan {
	readonly #indexer: CsvIndexer;
	readonly #engine: string;
	readonly #sliceSize: number;
	readonly #delimiter: number;
	readonly #request: ScanRequest;
	readonly #maxRows: number;
	readonly #validator: Validator;
	readonly #columns: number;
	/** The columns the Validator reads, ascending. */
	readonly #mappedColumns: number[];
	/** One fields array for every row (the Validator keeps values, never the array). */
	readonly #fields: string[];
	readonly #decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

	readonly #rowStarts = new Growable((n) => new Float64Array(n));
	readonly #rowEnds = new Growable((n) => new Float64Array(n));
	readonly #rowLines = new Growable((n) => new Uint32Array(n));

	/** Bytes read but not yet in a completed record, as read, from #pendingStart on. */
	#pending: Uint8Array[] = [];
	#pendingStart = 0;
	#position = 0;

	constructor(
		indexer: CsvIndexer,
		engine: string,
		sliceSize: number,
		delimiter: number,
		request: ScanRequest
	) {
		const { layout, mapping, schema, options } = request;
		this.#indexer = indexer;
		this.#engine = engine;
		this.#sliceSize = sliceSize;
		this.#delimiter = delimiter;
		this.#request = request;
		this.#maxRows = request.maxRows ?? Infinity;
		this.#columns = layout.columns.length;
		this.#validator = new Validator({ schema, mapping, columns: layout.columns, options });
		this.#mappedColumns = [];
		mapping.forEach((field, column) => {
			if (field && column < this.#columns) this.#mappedColumns.push(column);
		});
		this.#fields = new Array<string>(this.#columns).fill('');
	}

	async run(): Promise<ScanResult> {
		const { source, layout, signal, onProgress } = this.#request;
		const { line } = await positionAt(source, layout.dataStart);
		const state = createCsvIndexState(layout.dataStart, line);
		this.#position = this.#pendingStart = layout.dataStart;

		// Like the reference: every slice is indexed and its completed records checked (UTF-8)
		// before any of them is counted, and maxRows is looked at only when a record comes.
		let reading = true;
		while (reading) {
			throwIfAborted(signal);
			let bytes: Uint8Array | null = null;
			if (this.#position < source.size) {
				bytes = await source.read(
					this.#position,
					Math.min(source.size, this.#position + this.#sliceSize)
				);
				if (bytes.length === 0) bytes = null;
			}
			const index = bytes ? this.#index(bytes, state) : this.#finish(state);
			reading = bytes !== null;
			if (index.count === 0) continue;
			const region = this.#takeRegion(state.recordStart, index.textEnd);
			throwIfAborted(signal);
			if (!this.#addRecords(index, region)) break;
			onProgress?.({ bytes: this.#position, total: source.size, rows: this.#rowStarts.length });
		}

		const summary = this.#validator.finish();
		onProgress?.({ bytes: source.size, total: source.size, rows: summary.rows });
		const validator = this.#validator;
		return {
			...summary,
			engine: this.#engine,
			rowStarts: this.#rowStarts.toArray(),
			rowEnds: this.#rowEnds.toArray(),
			rowLines: this.#rowLines.toArray(),
			extraKeys: [],
			explain: (row, fields, fieldCount) => validator.explain(row, fields, fieldCount)
		};
	}

	#index(bytes: Uint8Array, state: CsvIndexState): CsvIndex {
		this.#pending.push(bytes);
		this.#position += bytes.length;
		return this.#indexer.index(bytes, this.#delimiter, state, false);
	}

	/** The end of the text: the last record needs no line break; an open quoted field is an error. */
	#finish(state: CsvIndexState): CsvIndex {
		const cutAfterClose =
			state.machine === MACHINE_AFTER_CLOSE_UTF8
				? { offset: state.quoteStart, line: state.quoteLine }
				: null;
		const index = this.#indexer.index(EMPTY, this.#delimiter, state, true);
		const open = index.unterminatedQuote ?? cutAfterClose;
		if (open) {
			throw new FerryError(
				'unterminated_quote',
				`A quoted field starting on line ${open.line} is never closed.`,
				{ line: open.line, offset: open.offset }
			);
		}
		return index;
	}

	/**
	 * The bytes up to `end` (where the open record starts, after the records just completed),
	 * decoded strictly; the rest stays pending. Completed records end in the newest slice, so what
	 * stays is part of it.
	 */
	#takeRegion(end: number, textEnd: number): Region {
		const start = this.#pendingStart;
		const newest = this.#pending[this.#pending.length - 1] ?? EMPTY;
		const newestStart = this.#position - newest.length;
		let bytes: Uint8Array;
		if (this.#pending.length <= 1) bytes = newest.subarray(0, end - newestStart);
		else {
			bytes = new Uint8Array(end - start);
			let at = 0;
			for (const segment of this.#pending) {
				const part = segment.subarray(0, Math.min(segment.length, bytes.length - at));
				bytes.set(part, at);
				at += part.length;
			}
		}
		this.#pending = end < this.#position ? [newest.subarray(end - newestStart)] : [];
		this.#pendingStart = end;
		return new Region(bytes, start, this.#decode(bytes, start), textEnd);
	}

	#decode(bytes: Uint8Array, start: number): string {
		try {
			return this.#decoder.decode(bytes);
		} catch {
			// The reference reader's offset: the first invalid byte, or where a cut character starts.
			const index = findInvalidUtf8(bytes);
			const at = start + (index >= 0 ? index : bytes.length - cutSequenceLength(bytes));
			throw new FerryError(
				'invalid_utf8',
				`The byte at offset ${at} is not valid UTF-8. Choose the file's encoding (for example windows-1252) and try again.`,
				{ offset: at }
			);
		}
	}

	/** Validates the records of `index` in order; false once maxRows rows are taken. */
	#addRecords(index: CsvIndex, region: Region): boolean {
		const { count, recordStarts, recordEnds, recordLines, fieldIndex } = index;
		const fields = this.#fields;
		const columns = this.#columns;
		for (let r = 0; r < count; r++) {
			if (this.#rowStarts.length >= this.#maxRows) return false;
			const fieldCount = fieldIndex[r + 1] - fieldIndex[r];
			for (const column of this.#mappedColumns)
				fields[column] = column < fieldCount ? region.field(index, r, column) : '';
			// A ragged row's extra fields: the Validator looks at whether they are blank.
			for (let column = columns; column < fieldCount; column++)
				fields.push(region.field(index, r, column));
			this.#validator.add(fields, fieldCount);
			fields.length = columns;
			this.#rowStarts.push(recordStarts[r]);
			this.#rowEnds.push(recordEnds[r]);
			this.#rowLines.push(recordLines[r]);
		}
		return true;
	}
}
