/**
 * The JavaScript side of the accelerated JSON path: drives the WebAssembly structural splitter
 * (wasm/assembly/json.ts) over the UTF-8 working copy. It finds records exactly like the reference
 * scanner (json/scanner.ts, JsonRecordScanner) for every scan mode, with the same structural
 * errors; the records themselves are parsed by the caller.
 */
import { MAX_JSON_DEPTH } from '../json/parse';
import {
	endOfDataError,
	structureErrors,
	type JsonScanMode,
	type Position,
	type StructureError
} from '../json/scanner';
import { align, instantiateModule, reserveMemory, type ModuleExports } from './instance';
import { JsonBetween, JsonControl, JsonError, JsonMode, LayoutHash } from './layout';

/**
 * Where splitting stands between two calls. A plain object (numbers, booleans, bytes), so it can
 * be stored or posted to another worker; `split` updates it in place.
 */
export interface JsonSplitState {
	readonly mode: JsonScanMode;
	/** Byte offset in the working copy of the next byte to split. */
	position: number;
	/** 1-based line and column of that byte, and whether the byte before it is a CR. */
	line: number;
	column: number;
	prevCR: boolean;
	/** Between records in array modes: expecting the first record, a record, a separator; closed. */
	between: number;
	/** Nesting depth inside the open record; 0 between records. */
	depth: number;
	inString: boolean;
	escaped: boolean;
	/** closers[d]: the byte that closes depth d (1..depth). */
	closers: Uint8Array;
	/** Where the open record starts. */
	recordStart: number;
	recordLine: number;
	recordColumn: number;
	/** Nothing more to read: the array under the root key is closed (mode 'root' only). */
	done: boolean;
}

/** The records completed by one `split` call, packed: record r spans [starts[r], ends[r]). */
export interface JsonSplit {
	count: number;
	starts: Float64Array;
	ends: Float64Array;
	/** 1-based line and column of each record's `{`. */
	lines: Uint32Array;
	columns: Float64Array;
}

export interface JsonSplitter {
	/** The module classifies bytes with SIMD128 (else it is the scalar build). */
	readonly simd: boolean;
	/**
	 * Splits `bytes`, the working copy from `state.position` on: JsonRecordScanner.push. Throws the
	 * scanner's FerryError ('invalid_json') at the first structural error.
	 */
	split(bytes: Uint8Array, state: JsonSplitState): JsonSplit;
	/** The end of the data: JsonRecordScanner.finish (a record or an array left open throws). */
	finish(state: JsonSplitState): void;
}

interface JsonExports extends ModuleExports {
	MAX_DEPTH: { readonly value: number };
	split(control: number, input: number, length: number): number;
}

/** The module's code of each scan mode and of each structural error. */
const MODES: Record<JsonScanMode, number> = {
	array: JsonMode.ARRAY,
	root: JsonMode.ROOT,
	sequence: JsonMode.SEQUENCE,
	range: JsonMode.RANGE
};
const ERRORS: Record<number, StructureError> = {
	[JsonError.TOO_DEEP]: 'tooDeep',
	[JsonError.UNEXPECTED_CLOSER]: 'unexpectedCloser',
	[JsonError.DATA_AFTER_ARRAY]: 'dataAfterArray',
	[JsonError.SEPARATOR_EXPECTED]: 'separatorExpected',
	[JsonError.NOT_AN_OBJECT]: 'notAnObject'
};

/** Bytes per call: small enough that V8 soon runs the optimised code, not the baseline. */
const INPUT_SIZE = 1 << 20;
/** Blocks read up to 64 bytes from where they start, past the end of the input. */
const INPUT_PADDING = 64;
const RECORDS_CAPACITY = 1 << 15;

/** The state before the byte at `start` (between records: where the scanner starts). */
export function createJsonSplitState(mode: JsonScanMode, start: Position): JsonSplitState {
	return {
		mode,
		position: start.offset,
		line: start.line,
		column: start.column,
		prevCR: false,
		between: 0,
		depth: 0,
		inString: false,
		escaped: false,
		closers: new Uint8Array(MAX_JSON_DEPTH + 1),
		recordStart: 0,
		recordLine: 0,
		recordColumn: 0,
		done: false
	};
}

function concat<T extends Float64Array | Uint32Array>(
	parts: T[],
	create: (length: number) => T
): T {
	if (parts.length === 1) return parts[0];
	const joined = create(parts.reduce((sum, part) => sum + part.length, 0));
	let at = 0;
	for (const part of parts) {
		joined.set(part, at);
		at += part.length;
	}
	return joined;
}

/** Compiles (when given bytes) and instantiates the splitter, one instance per worker. */
export async function instantiateJsonSplitter(
	module: WebAssembly.Module | Uint8Array
): Promise<JsonSplitter> {
	const wasm = await instantiateModule<JsonExports>(module, LayoutHash.JSON, 'JSON splitter');
	if (wasm.MAX_DEPTH.value !== MAX_JSON_DEPTH) {
		throw new Error('The JSON splitter module does not match this host code; rebuild it.');
	}

	// Layout: control block, closers, input and its padding, then the outputs (f64 ones first).
	const control = align(wasm.heapBase(), 16);
	const closersPtr = control + align(JsonControl.SIZE, 16);
	const input = closersPtr + align(MAX_JSON_DEPTH + 1, 16);
	const startsPtr = input + INPUT_SIZE + INPUT_PADDING;
	const endsPtr = startsPtr + RECORDS_CAPACITY * 8;
	const columnsPtr = endsPtr + RECORDS_CAPACITY * 8;
	const linesPtr = columnsPtr + RECORDS_CAPACITY * 8;
	// Memory never grows again, so these views stay valid.
	const buffer = reserveMemory(wasm, linesPtr + RECORDS_CAPACITY * 4);
	const bytes = new Uint8Array(buffer);
	const view = new DataView(buffer, control, JsonControl.SIZE);
	view.setUint32(JsonControl.CLOSERS_PTR, closersPtr, true);
	view.setUint32(JsonControl.STARTS_PTR, startsPtr, true);
	view.setUint32(JsonControl.ENDS_PTR, endsPtr, true);
	view.setUint32(JsonControl.LINES_PTR, linesPtr, true);
	view.setUint32(JsonControl.COLUMNS_PTR, columnsPtr, true);
	view.setUint32(JsonControl.RECORDS_CAP, RECORDS_CAPACITY, true);

	function writeState(state: JsonSplitState): void {
		view.setUint32(JsonControl.MODE, MODES[state.mode], true);
		view.setUint32(JsonControl.BETWEEN, state.between, true);
		view.setInt32(JsonControl.DEPTH, state.depth, true);
		view.setUint32(JsonControl.IN_STRING, state.inString ? 1 : 0, true);
		view.setUint32(JsonControl.ESCAPED, state.escaped ? 1 : 0, true);
		view.setUint32(JsonControl.PREV_CR, state.prevCR ? 1 : 0, true);
		view.setUint32(JsonControl.STOPPED, 0, true);
		view.setUint32(JsonControl.RECORDS_LEN, 0, true);
		view.setFloat64(JsonControl.POSITION, state.position, true);
		view.setFloat64(JsonControl.LINE, state.line, true);
		view.setFloat64(JsonControl.COLUMN, state.column, true);
		view.setFloat64(JsonControl.RECORD_START, state.recordStart, true);
		view.setFloat64(JsonControl.RECORD_LINE, state.recordLine, true);
		view.setFloat64(JsonControl.RECORD_COLUMN, state.recordColumn, true);
		bytes.set(state.closers.subarray(0, state.depth + 1), closersPtr);
	}

	function readState(state: JsonSplitState): void {
		state.between = view.getUint32(JsonControl.BETWEEN, true);
		state.depth = view.getInt32(JsonControl.DEPTH, true);
		state.inString = view.getUint32(JsonControl.IN_STRING, true) !== 0;
		state.escaped = view.getUint32(JsonControl.ESCAPED, true) !== 0;
		state.prevCR = view.getUint32(JsonControl.PREV_CR, true) !== 0;
		state.position = view.getFloat64(JsonControl.POSITION, true);
		state.line = view.getFloat64(JsonControl.LINE, true);
		state.column = view.getFloat64(JsonControl.COLUMN, true);
		state.recordStart = view.getFloat64(JsonControl.RECORD_START, true);
		state.recordLine = view.getFloat64(JsonControl.RECORD_LINE, true);
		state.recordColumn = view.getFloat64(JsonControl.RECORD_COLUMN, true);
		state.closers.set(bytes.subarray(closersPtr, closersPtr + state.depth + 1));
		state.done = state.mode === 'root' && state.between === JsonBetween.CLOSED;
	}

	/** The structural error the last call stopped at, if any. */
	function thrownError(): Error | null {
		const kind = view.getUint32(JsonControl.ERROR, true);
		if (kind === JsonError.NONE) return null;
		return structureErrors[ERRORS[kind]](view.getUint32(JsonControl.ERROR_BYTE, true), {
			offset: view.getFloat64(JsonControl.ERROR_OFFSET, true),
			line: view.getFloat64(JsonControl.ERROR_LINE, true),
			column: view.getFloat64(JsonControl.ERROR_COLUMN, true)
		});
	}

	function split(text: Uint8Array, state: JsonSplitState): JsonSplit {
		const starts: Float64Array[] = [];
		const ends: Float64Array[] = [];
		const lines: Uint32Array[] = [];
		const columns: Float64Array[] = [];
		writeState(state);
		let stopped = false;
		for (let offset = 0; offset < text.length && !stopped;) {
			const size = Math.min(INPUT_SIZE, text.length - offset);
			bytes.set(text.subarray(offset, offset + size), input);
			for (let done = 0; done < size && !stopped;) {
				done += wasm.split(control, input + done, size - done);
				const error = thrownError();
				if (error) throw error;
				stopped = view.getUint32(JsonControl.STOPPED, true) !== 0;
				// Moves the completed records out of the module's memory.
				const count = view.getUint32(JsonControl.RECORDS_LEN, true);
				if (count > 0) {
					starts.push(new Float64Array(buffer, startsPtr, count).slice());
					ends.push(new Float64Array(buffer, endsPtr, count).slice());
					columns.push(new Float64Array(buffer, columnsPtr, count).slice());
					lines.push(new Uint32Array(buffer, linesPtr, count).slice());
					view.setUint32(JsonControl.RECORDS_LEN, 0, true);
				}
			}
			offset += size;
		}
		readState(state);
		const float = (length: number) => new Float64Array(length);
		const joinedStarts = concat(starts, float);
		return {
			count: joinedStarts.length,
			starts: joinedStarts,
			ends: concat(ends, float),
			lines: concat(lines, (length) => new Uint32Array(length)),
			columns: concat(columns, float)
		};
	}

	function finish(state: JsonSplitState): void {
		const error = endOfDataError(
			state.mode,
			state.depth > 0,
			state.between === JsonBetween.CLOSED,
			state.recordLine,
			{ offset: state.position, line: state.line, column: state.column }
		);
		if (error) throw error;
	}

	return { simd: wasm.SIMD.value !== 0, split, finish };
}
