import {
	isFerryError,
	throwIfAborted,
	type AbortSignalLike,
	type FerryErrorCode,
	type FerryErrorDetails
} from '../errors';
import { unterminatedQuoteError } from '../csv/parser';
import { MAX_RECORD_BYTES, ROLE_VALUES_CAP } from '../limits';
import { invalidUtf8Error } from '../sniff/utf8';
import type { DestinationProfile } from '../profiles/types';
import type { ByteSource, Mapping, ValidationOptions } from '../types';
import { bitOf } from '../validate/codes';
import { parseDate } from '../validate/rules/date';
import { RawCellCounts, type ListValueData } from '../validate/list-values';
import { ValidationPlan, type Check } from '../validate/plan';
import { countCredential, recordDate, type CredentialCounts } from '../validate/verdicts';
import {
	createCsvIndexState,
	fieldValue,
	type CsvIndex,
	type CsvIndexer,
	type CsvIndexState
} from '../wasm/csv-index';
import {
	KEY_STRIDE,
	keyHash,
	type KernelCheck,
	type KernelConfig,
	type KernelOutput,
	type RowKernel
} from '../wasm/row-kernel';
import { DateKind } from '../wasm/layout';
import { BufferShelf, Growable } from './growable';

/** The two WebAssembly modules a range is scanned with, instantiated once per worker. */
export interface RangeTools {
	indexer: CsvIndexer;
	kernel: RowKernel;
}

/** What every range of one scan is checked against: plain data, so it can be posted to workers. */
export interface RangePlan {
	/** The delimiter's byte (ASCII). */
	delimiter: number;
	columns: string[];
	mapping: Mapping;
	profile: DestinationProfile;
	options: ValidationOptions;
	/** A record longer than this many bytes is skipped unread (default MAX_RECORD_BYTES). */
	maxRecordBytes?: number;
	/**
	 * Where each row lives is known from an earlier scan of this working copy: the range leaves
	 * its row places empty and gives only verdicts.
	 */
	placesKnown?: boolean;
	/** The duplicate keys are known from an earlier scan: no key is hashed. */
	keysKnown?: boolean;
}

/**
 * One byte range of the working copy. A range owns the records that start at or before `end`
 * (a record that starts there runs on past it). Unless `exact`, where its first record starts is
 * a guess after a line break at or after `start` (see RangeScan's #guessStart). The scan compares
 * each guess with where the previous range's records really end.
 */
export interface RangeTask {
	start: number;
	end: number;
	/** `start` is known to be where a record (or the empty lines before one) starts. */
	exact: boolean;
	/** 1-based line at the first record's start (1 for a guess: lines are then relative). */
	line: number;
	/** Stop after this many rows (the CLI's --max-rows; only for the one-range scan). */
	maxRows?: number;
}

/** A core error as plain data, so it can cross a worker boundary. */
export interface RangeError {
	code: FerryErrorCode;
	message: string;
	details: FerryErrorDetails;
}

/**
 * The verdicts a range can give on its own, packed: per row its byte range and line (in the
 * range's numbering; empty when the plan's places are known), cell issue bits, duplicate keys (6
 * u32: user_id h1, h2, length, email h1, h2, length; length 0 = none; empty when no key column is
 * mapped) and date slots. Duplicates and column-wide date orders are decided
 * when the ranges are put together in order.
 */
export interface RangeResult {
	/**
	 * Where the range's first record starts (the guess, or `start` when exact); -1 when a guessed
	 * range holds no line break, so owns no record and leaves the boundary where it was.
	 */
	first: number;
	/** Where the next range's first record starts: past the line break that ends this range's last record. */
	boundary: number;
	/** The line at `boundary`, in this range's numbering. */
	boundaryLine: number;
	rowStarts: Float64Array;
	rowEnds: Float64Array;
	rowLines: Uint32Array;
	masks: Uint32Array;
	keys: Uint32Array;
	dateKinds: Uint8Array;
	dateA: Float64Array;
	dateB: Float64Array;
	/** The range's credential census. */
	credentials: CredentialCounts;
	/** The distinct items of the column mapped to roles (null: none is). */
	roleValues: ListValueData | null;
	/** The error met reading the range (it may be an artefact of a wrong guess). */
	error: RangeError | null;
}

/** The buffers of a result, to move it across a worker boundary without copying. */
export function rangeTransferables(result: RangeResult): ArrayBuffer[] {
	const { rowStarts, rowEnds, rowLines, masks, keys, dateKinds, dateA, dateB } = result;
	return [rowStarts, rowEnds, rowLines, masks, keys, dateKinds, dateA, dateB].map(
		(array) => array.buffer as ArrayBuffer
	);
}

/**
 * The kernel's view of the plan: one kernel check per plan check, in the same order; without
 * `keys`, no key is hashed.
 */
export function kernelConfig(plan: ValidationPlan, keys = true): KernelConfig {
	return {
		columns: plan.columns.length,
		checks: plan.checks.map(
			({ column, type, maxLength, required, uuid, inJs, key, dateSlot }): KernelCheck => ({
				column,
				type: kernelType(type),
				maxLength,
				required,
				uuid,
				inJs,
				key: keys ? key : 'none',
				dateSlot
			})
		)
	};
}

function kernelType(type: Check['type']): KernelCheck['type'] {
	switch (type) {
		case 'email':
		case 'boolean':
		case 'phone':
		case 'id':
		case 'date':
			return type;
		default:
			return 'text';
	}
}

const BIT_MISSING = bitOf('missing_required');
const BIT_MALFORMED_QUOTES = bitOf('malformed_quotes');
const BIT_TOO_LARGE = bitOf('record_too_large');
const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;
/** Bytes looked at, and records compared, to choose between the two guesses of a range's start. */
const GUESS_WINDOW = 16 << 10;
const GUESS_RECORDS = 32;
/** Bytes read past a range's end at first, for the record that runs over it (most are far shorter). */
const PAST_END_BYTES = 64 << 10;
/** What a range's first read shares with the next range's (that range starts at this one's end). */
export const RANGE_OVERLAP_BYTES = PAST_END_BYTES + 1;
/**
 * The most bytes of a range read before its scan. A range is read whole, with the scan's first read
 * past its end, while the ranges before are scanned; only a range longer than this (a file read as
 * one range) is read on by slices during its scan.
 */
const READ_AHEAD_MAX = 8 << 20;

/** Where the bytes read for `task` before its scan end (see READ_AHEAD_MAX). */
export function readAheadEnd(task: RangeTask): number {
	return Math.min(task.end + 1 + PAST_END_BYTES, task.start + READ_AHEAD_MAX);
}
const EMPTY = new Uint8Array(0);
/**
 * The shelf of a range worker's result arrays, given back once merged: two ranges' worth (a result
 * has eight arrays; a worker has two ranges at a time). In 64 KiB steps, so that an array of one
 * range serves the same array of the next, a few rows longer (the smallest that fits is taken);
 * one of any size serves a smaller request (a warm-up's ranges are small).
 */
export const RESULT_ARRAYS = { max: 16, grain: 64 << 10, slack: Infinity };
/** New arrays for every range, when no shelf is given (it keeps nothing). */
const UNSHELVED = new BufferShelf({ max: 0 });
/** The indexer's state inside a multi-byte character after a closing quote (see wasm.ts). */
const MACHINE_AFTER_CLOSE_UTF8 = 5;

/**
 * Scans one range: index its records, check their cells in the row kernel, finish the cells the
 * kernel hands back (phones, values needing Unicode work) with the JavaScript rules. A core error
 * is returned, not thrown: whether it counts depends on whether the range's guess was right.
 */
export async function scanRange(
	tools: RangeTools,
	source: ByteSource,
	plan: RangePlan,
	task: RangeTask,
	options: { sliceSize: number; signal?: AbortSignalLike; shelf?: BufferShelf }
): Promise<RangeResult> {
	const { sliceSize, signal, shelf } = options;
	const scan = new RangeScan(tools, source, plan, task, sliceSize, signal, shelf);
	try {
		return await scan.run();
	} catch (error) {
		if (!isFerryError(error) || error.code === 'aborted') throw error;
		return scan.result({ code: error.code, message: error.message, details: error.details });
	}
}

/** Where the line break at `at` ends (CRLF counts as one), or -1 when `at` holds no line break. */
function lineBreakEnd(bytes: Uint8Array, at: number): number {
	if (bytes[at] === LF) return at + 1;
	if (bytes[at] !== CR) return -1;
	return bytes[at + 1] === LF ? at + 2 : at + 1;
}

function countLineBreaks(bytes: Uint8Array): number {
	let count = 0;
	for (let at = 0; at < bytes.length; at++)
		if (bytes[at] === LF || (bytes[at] === CR && bytes[at + 1] !== LF)) count++;
	return count;
}

// The ranges of one scan, and the scan itself, share their plan (in a worker, each range brings a
// copy of it).
const plans = new WeakMap<RangePlan, ValidationPlan>();
const configured = new WeakMap<RowKernel, RangePlan>();

export function validationPlanOf(plan: RangePlan): ValidationPlan {
	let validation = plans.get(plan);
	if (!validation) plans.set(plan, (validation = new ValidationPlan(plan)));
	return validation;
}

/**
 * Where the first line break in bytes[0, limit) ends, or -1 (also when a CR ends the bytes, as
 * what follows it decides whether it is a CRLF).
 */
function firstLineBreakEnd(bytes: Uint8Array, limit: number): number {
	for (let i = 0; i < limit; i++) {
		if (bytes[i] !== LF && bytes[i] !== CR) continue;
		return bytes[i] === CR && i + 1 === bytes.length ? -1 : lineBreakEnd(bytes, i);
	}
	return -1;
}

/**
 * Where the first line break outside quotes ends, following quotes from bytes[0] on (taken as
 * inside a quoted field when `quoted`); -1 when there is none in the bytes.
 */
function afterQuotedLineBreak(bytes: Uint8Array, quoted: boolean): number {
	for (let i = 0; i < bytes.length; i++) {
		const byte = bytes[i];
		if (byte === QUOTE) {
			if (quoted && bytes[i + 1] === QUOTE) i++;
			else quoted = !quoted;
		} else if (!quoted && (byte === LF || byte === CR)) {
			return byte === CR && i + 1 === bytes.length ? -1 : lineBreakEnd(bytes, i);
		}
	}
	return -1;
}

/** The index without its first record (whose bytes are gone: it was too large to keep). */
function withoutFirst(index: CsvIndex): CsvIndex {
	return {
		...index,
		count: index.count - 1,
		recordStarts: index.recordStarts.subarray(1),
		recordEnds: index.recordEnds.subarray(1),
		recordLines: index.recordLines.subarray(1),
		fieldIndex: index.fieldIndex.subarray(1),
		malformedRecords: index.malformedRecords.filter((row) => row > 0).map((row) => row - 1)
	};
}

/** A roles cell as written (copied out of the scan's bytes) as the rules read it. */
const rolesCellValue = (cell: Uint8Array, atTextEnd: boolean) =>
	fieldValue(cell, 0, cell.length, atTextEnd ? cell.length : -1).trim();

class RangeScan {
	readonly #tools: RangeTools;
	readonly #source: ByteSource;
	readonly #task: RangeTask;
	readonly #sliceSize: number;
	readonly #signal: AbortSignalLike | undefined;
	readonly #delimiter: number;
	readonly #maxRecordBytes: number;
	readonly #plan: ValidationPlan;
	readonly #slots: number;
	/** Row places are kept (unless known) and keys only when a key column is checked. */
	readonly #withPlaces: boolean;
	readonly #withKeys: boolean;
	readonly #encoder = new TextEncoder();

	readonly #rowStarts: Growable<Float64Array>;
	readonly #rowEnds: Growable<Float64Array>;
	readonly #rowLines: Growable<Uint32Array>;
	readonly #masks: Growable<Uint32Array>;
	readonly #keys: Growable<Uint32Array>;
	readonly #dateKinds: Growable<Uint8Array>;
	readonly #dateA: Growable<Float64Array>;
	readonly #dateB: Growable<Float64Array>;
	readonly #credentials: CredentialCounts = {};
	readonly #roles: RawCellCounts | null;

	#first = -1;
	/** Bytes read but not yet checked, as read, from #pendingStart on. */
	#pending: Uint8Array[] = [];
	#pendingStart = 0;
	#position = 0;
	#lastOwnedEnd = -1;
	/** The first record past the range (start and line), once met. */
	#next: { start: number; line: number } | null = null;
	#full = false;
	/** Whether the result's arrays were given room for the range's likely rows. */
	#sized = false;

	constructor(
		tools: RangeTools,
		source: ByteSource,
		plan: RangePlan,
		task: RangeTask,
		sliceSize: number,
		signal: AbortSignalLike | undefined,
		shelf: BufferShelf | undefined
	) {
		// Empty until the first rows size them (#reserveLike): nothing of a range's result grows by
		// copying, and every array comes from the shelf in its grain.
		const { float64, uint32, uint8 } = shelf ?? UNSHELVED;
		this.#rowStarts = new Growable(float64, 0);
		this.#rowEnds = new Growable(float64, 0);
		this.#rowLines = new Growable(uint32, 0);
		this.#masks = new Growable(uint32, 0);
		this.#keys = new Growable(uint32, 0);
		this.#dateKinds = new Growable(uint8, 0);
		this.#dateA = new Growable(float64, 0);
		this.#dateB = new Growable(float64, 0);
		this.#tools = tools;
		this.#source = source;
		this.#task = { ...task, end: Math.min(task.end, source.size) };
		this.#sliceSize = sliceSize;
		this.#signal = signal;
		this.#delimiter = plan.delimiter;
		this.#maxRecordBytes = plan.maxRecordBytes ?? MAX_RECORD_BYTES;
		this.#plan = validationPlanOf(plan);
		this.#slots = this.#plan.dateChecks.length;
		this.#withPlaces = plan.placesKnown !== true;
		this.#withKeys = plan.keysKnown !== true && this.#plan.keySignature !== null;
		this.#roles =
			this.#plan.rolesColumn >= 0 ? new RawCellCounts(ROLE_VALUES_CAP, rolesCellValue) : null;
		if (configured.get(tools.kernel) !== plan) {
			tools.kernel.configure(kernelConfig(this.#plan, this.#withKeys));
			configured.set(tools.kernel, plan);
		}
	}

	async run(): Promise<RangeResult> {
		const task = this.#task;
		const size = this.#source.size;
		this.#first = task.exact ? task.start : await this.#guessStart(task.start, task.end);
		// No line break in the range: every byte of it belongs to a record that starts earlier.
		if (this.#first < 0) return this.result(null);
		const state = createCsvIndexState(this.#first, task.line);
		this.#position = this.#pendingStart = this.#first;

		// Past the range's end only the record that runs over it is needed (a whole slice there was
		// mostly read for nothing): the slice that crosses the end stops a little past it, and reads
		// further on grow with the distance, so a long record still takes few reads.
		const tail = Math.min(this.#sliceSize, PAST_END_BYTES);
		const read = (at: number) => {
			const past = at - task.end;
			const until =
				past <= 0
					? Math.min(at + this.#sliceSize, task.end + 1 + tail)
					: at + Math.min(this.#sliceSize, Math.max(tail, past));
			return this.#source.read(at, Math.min(size, until));
		};
		let ahead: Promise<Uint8Array> | null = null;
		while (this.#position < size && this.#next === null && !this.#full) {
			throwIfAborted(this.#signal);
			const bytes = await (ahead ?? read(this.#position));
			if (bytes.length === 0) break;
			this.#pending.push(bytes);
			this.#position += bytes.length;
			// The next slice is asked for before this one is indexed, so reading overlaps the work;
			// past the range's end, only once the record running over it turns out to go on.
			ahead = this.#position < size && this.#position <= task.end ? read(this.#position) : null;
			this.#take(this.#tools.indexer.index(bytes, this.#delimiter, state, false, true), state);
			// The open record is already too large: it will never be checked, so its bytes and its
			// fields' ends are not kept while it is read on to its end. One field end stays: to the
			// indexer, a record without fields is an empty line (and a CR that ended the slice has
			// closed the record's last field before its LF comes).
			if (this.#position - state.recordStart > this.#maxRecordBytes) {
				this.#pending = [];
				state.openFieldEnds.length = Math.min(state.openFieldEnds.length, 1);
			}
		}
		// A slice read ahead of a range that ended is not needed.
		ahead?.catch(() => undefined);
		if (this.#next === null && !this.#full) this.#take(this.#finish(state), state);
		return this.result(null, await this.#boundary(state));
	}

	/** The result so far (an error ends the range where it stands). */
	result(error: RangeError | null, boundary = { at: -1, line: 0 }): RangeResult {
		return {
			first: this.#first,
			boundary: boundary.at,
			boundaryLine: boundary.line,
			// Views: a result is merged, then dropped or given back (BufferShelf), never kept.
			rowStarts: this.#rowStarts.view(),
			rowEnds: this.#rowEnds.view(),
			rowLines: this.#rowLines.view(),
			masks: this.#masks.view(),
			keys: this.#keys.view(),
			dateKinds: this.#dateKinds.view(),
			dateA: this.#dateA.view(),
			dateB: this.#dateB.view(),
			credentials: this.#credentials,
			roleValues: this.#roles?.toData() ?? null,
			error
		};
	}

	/**
	 * Where the range's first record most likely starts: right after its first line break, or
	 * after the first line break outside quotes when quotes are followed from `from` on, taken as
	 * outside or as inside a quoted field. The candidate whose next records have the header's width
	 * most often wins (a start in the wrong quote state reads fields that are not there); the scan
	 * checks the guess either way.
	 */
	async #guessStart(from: number, to: number): Promise<number> {
		// One read serves every candidate (each read of a Blob is a round trip in a browser).
		const window = await this.#source.read(from, from + 2 * GUESS_WINDOW);
		const plain = firstLineBreakEnd(window, Math.min(window.length, to - from));
		if (plain < 0) {
			// A long record: look on through the range (and nowhere else to choose from).
			const rest = from + window.length;
			return rest < to ? this.#afterLineBreak(rest, to) : -1;
		}
		let best = from + plain;
		let bestScore = -1;
		for (const candidate of [
			plain,
			afterQuotedLineBreak(window, false),
			afterQuotedLineBreak(window, true)
		]) {
			if (candidate < 0 || (candidate === plain && bestScore >= 0)) continue;
			const score = this.#headerWidthRecords(window.subarray(candidate), from + candidate);
			if (score > bestScore) [best, bestScore] = [from + candidate, score];
		}
		return best;
	}

	/** How many of the first records of `bytes` (at `start`) have as many fields as the header. */
	#headerWidthRecords(bytes: Uint8Array, start: number): number {
		const state = createCsvIndexState(start, 1);
		const sample = bytes.subarray(0, GUESS_WINDOW);
		const { count, fieldIndex } = this.#tools.indexer.index(
			sample,
			this.#delimiter,
			state,
			false,
			true
		);
		let matching = 0;
		for (let r = 0; r < Math.min(count, GUESS_RECORDS); r++)
			if (fieldIndex[r + 1] - fieldIndex[r] === this.#plan.columns.length) matching++;
		return matching;
	}

	/**
	 * Right after the first line break in [from, to), or -1 when there is none (the range is
	 * inside one record, or in the last one without a line break).
	 */
	async #afterLineBreak(from: number, to: number): Promise<number> {
		for (let at = from; at < to;) {
			const bytes = await this.#source.read(at, Math.min(to, at + this.#sliceSize));
			const end = firstLineBreakEnd(bytes, bytes.length);
			if (end >= 0) return at + end;
			at += bytes.length;
			// A CR that ends the bytes: the next byte says whether it is a CRLF.
			if (bytes[bytes.length - 1] === CR)
				return at + ((await this.#source.read(at, at + 1))[0] === LF ? 1 : 0);
		}
		return -1;
	}

	/** The end of the text: the last record needs no line break; an open quoted field is an error. */
	#finish(state: CsvIndexState): CsvIndex {
		const openStart = state.recordStart;
		const cutAfterClose =
			state.machine === MACHINE_AFTER_CLOSE_UTF8
				? { offset: state.quoteStart, line: state.quoteLine }
				: null;
		const index = this.#tools.indexer.index(EMPTY, this.#delimiter, state, true, true);
		const open = index.unterminatedQuote ?? cutAfterClose;
		// A record that starts past the range is the next range's to report. A character cut after
		// a closing quote is no whitespace, so the quote was misplaced (as the reference reader sees it).
		const misplaced = cutAfterClose !== null || index.malformedRecords.includes(index.count - 1);
		if (open && openStart <= this.#task.end)
			throw unterminatedQuoteError(open.line, open.offset, misplaced);
		return index;
	}

	#tooLarge(index: CsvIndex, row: number): boolean {
		return index.recordEnds[row] - index.recordStarts[row] > this.#maxRecordBytes;
	}

	/**
	 * The records of `index` too large to check, in order. Usually none, known without looking at
	 * each record: no record is longer than all of them together.
	 */
	#tooLargeRows(index: CsvIndex): number[] {
		const { count, recordStarts, recordEnds } = index;
		if (count === 0 || recordEnds[count - 1] - recordStarts[0] <= this.#maxRecordBytes) return [];
		const rows: number[] = [];
		for (let row = 0; row < count; row++) if (this.#tooLarge(index, row)) rows.push(row);
		return rows;
	}

	/**
	 * A first record too large to check (its bytes may be gone) becomes a row of its own, with
	 * record_too_large as its only issue; answers the index without it.
	 */
	#takeTooLargeFirst(index: CsvIndex): CsvIndex {
		if (index.count === 0 || !this.#tooLarge(index, 0)) return index;
		if (index.recordStarts[0] > this.#task.end) return index;
		if (this.#masks.length >= (this.#task.maxRows ?? Infinity)) {
			this.#full = true;
			return index;
		}
		const end = index.recordEnds[0];
		if (this.#withPlaces) {
			this.#rowStarts.push(index.recordStarts[0]);
			this.#rowEnds.push(end);
			this.#rowLines.push(index.recordLines[0]);
		}
		this.#masks.push(BIT_TOO_LARGE);
		if (this.#withKeys) for (let k = 0; k < KEY_STRIDE; k++) this.#keys.push(0);
		for (let slot = 0; slot < this.#slots; slot++) {
			this.#dateKinds.push(DateKind.NONE);
			this.#dateA.push(0);
			this.#dateB.push(0);
		}
		this.#lastOwnedEnd = end;
		// The record ends in the newest slice: what follows it stays pending.
		const newest = this.#pending[this.#pending.length - 1] ?? EMPTY;
		const newestStart = this.#position - newest.length;
		this.#pending = end < this.#position ? [newest.subarray(end - newestStart)] : [];
		this.#pendingStart = end;
		return withoutFirst(index);
	}

	/** Checks the records of `index` the range owns; notes the first one past it. */
	#take(whole: CsvIndex, state: CsvIndexState): void {
		const index = this.#takeTooLargeFirst(whole);
		if (index.count === 0 || this.#full) return;
		const { recordStarts, recordEnds, recordLines } = index;
		let owned = 0;
		while (owned < index.count && recordStarts[owned] <= this.#task.end) owned++;
		if (owned < index.count) this.#next = { start: recordStarts[owned], line: recordLines[owned] };
		if (owned === 0) return;
		const end = owned < index.count ? recordEnds[owned - 1] : state.recordStart;
		const base = this.#pendingStart;
		this.#placeBytes(end);
		const tooLarge = this.#tooLargeRows(index);
		this.#checkUtf8(index, tooLarge, base, end);
		let count = owned;
		// Like the reference reader, maxRows ends the scan only once a record past it comes.
		const maxRows = this.#task.maxRows ?? Infinity;
		if (this.#masks.length + count > maxRows) {
			count = maxRows - this.#masks.length;
			this.#full = true;
		}
		if (count <= 0) return;
		this.#lastOwnedEnd = recordEnds[count - 1];
		const region = {
			base,
			count,
			recordStarts,
			fieldIndex: index.fieldIndex,
			fieldEnds: index.fieldEnds,
			textEnd: index.textEnd
		};
		const output = this.#tools.kernel.checkPlaced(region, end - base);
		this.#finishInJs(output, index, tooLarge, output.bytes, base);
		for (const row of tooLarge) if (row < count) tooLargeRow(output, row, this.#slots);
		if (!this.#sized) this.#reserveLike(count, end - this.#first);
		if (this.#withPlaces) {
			this.#rowStarts.append(recordStarts.subarray(0, count));
			this.#rowEnds.append(recordEnds.subarray(0, count));
			this.#rowLines.append(recordLines.subarray(0, count));
		}
		this.#masks.append(output.masks.subarray(0, count));
		if (this.#withKeys) this.#keys.append(output.keys.subarray(0, count * KEY_STRIDE));
		this.#dateKinds.append(output.dateKinds.subarray(0, count * this.#slots));
		this.#dateA.append(output.dateA.subarray(0, count * this.#slots));
		this.#dateB.append(output.dateB.subarray(0, count * this.#slots));
	}

	/**
	 * Room for as many rows as the first `rows` in `bytes` make likely in the whole range (and a
	 * tenth more; no more than maxRows), so that the result does not grow by copying itself slice
	 * after slice: 3% of a scan's CPU.
	 */
	#reserveLike(rows: number, bytes: number): void {
		this.#sized = true;
		const likely = ((rows * (this.#task.end - this.#first)) / Math.max(1, bytes)) * 1.1;
		const expected = Math.ceil(Math.min(likely, this.#task.maxRows ?? Infinity));
		if (this.#withPlaces) {
			this.#rowStarts.reserve(expected);
			this.#rowEnds.reserve(expected);
			this.#rowLines.reserve(expected);
		}
		this.#masks.reserve(expected);
		if (this.#withKeys) this.#keys.reserve(expected * KEY_STRIDE);
		this.#dateKinds.reserve(expected * this.#slots);
		this.#dateA.reserve(expected * this.#slots);
		this.#dateB.reserve(expected * this.#slots);
	}

	/**
	 * The pending bytes up to `end` to the row kernel's region (each slice copied there once, not
	 * joined first); what follows stays pending. Records complete in the newest slice, so what
	 * stays is part of it.
	 */
	#placeBytes(end: number): void {
		const newest = this.#pending[this.#pending.length - 1] ?? EMPTY;
		const newestStart = this.#position - newest.length;
		this.#tools.kernel.place(this.#pending, end - this.#pendingStart);
		this.#pending = end < this.#position ? [newest.subarray(end - newestStart)] : [];
		this.#pendingStart = end;
	}

	/**
	 * Checks that the placed bytes [base, end) are UTF-8, but for the records too large to check:
	 * like the reference reader, which never decodes them.
	 */
	#checkUtf8(index: CsvIndex, tooLarge: number[], base: number, end: number): void {
		let from = base;
		const check = (to: number) => {
			const invalid = this.#tools.kernel.placedUtf8(from - base, to - base);
			if (invalid) throw invalidUtf8Error(invalid, from);
		};
		for (const row of tooLarge) {
			if (index.recordEnds[row] > end) break;
			check(index.recordStarts[row]);
			from = index.recordEnds[row];
		}
		check(end);
	}

	/**
	 * The cells the kernel handed back, and the bits it cannot know (unmapped required fields,
	 * the indexer's misplaced quotes).
	 */
	#finishInJs(
		output: KernelOutput,
		index: CsvIndex,
		tooLarge: number[],
		bytes: Uint8Array,
		base: number
	): void {
		const plan = this.#plan;
		const { masks, jsCells } = output;
		for (const row of index.malformedRecords)
			if (row < output.count) masks[row] |= BIT_MALFORMED_QUOTES;
		const { checks, constantMask, hasRowRules } = plan;
		const credentials = plan.credentialColumns.length > 0;
		const roles = this.#roles;
		const { rolesColumn } = plan;
		let skip = 0;
		// One reader for every row (of `row`, as the loop stands), not a closure made per row.
		let row = 0;
		const value = (column: number) => this.#cell(index, row, column, bytes, base);
		for (; row < output.count; row++) {
			// A record too large to check: its bytes may be gone.
			if (row === tooLarge[skip]) {
				skip++;
				continue;
			}
			masks[row] |= constantMask;
			if (roles) this.#addRoles(roles, index, row, rolesColumn, bytes, base);
			let cells = jsCells[row];
			if (cells === 0 && !hasRowRules) continue;
			// The checks handed back, lowest bit first (the order of plan.checks).
			while (cells !== 0) {
				const i = 31 - Math.clz32(cells & -cells);
				cells &= cells - 1;
				masks[row] |= this.#checkCell(output, row, checks[i], value);
			}
			if (hasRowRules) masks[row] |= plan.rowBits(value);
			// Credentials are left to JavaScript, so a row with one has cells handed back.
			if (credentials) countCredential(this.#credentials, plan.rowAlgorithm(value));
		}
	}

	/** The row's cell of the roles column, as written, to its counts (none past its fields). */
	#addRoles(
		roles: RawCellCounts,
		index: CsvIndex,
		row: number,
		column: number,
		bytes: Uint8Array,
		base: number
	): void {
		const start = fieldStart(index, row, column);
		if (start < 0) return;
		const end = index.fieldEnds[index.fieldIndex[row] + column];
		roles.add(bytes, start - base, end - base, end === index.textEnd);
	}

	/** One cell by the JavaScript rules, as Validator.add checks it; answers its issue bits. */
	#checkCell(
		output: KernelOutput,
		row: number,
		check: Check,
		value: (column: number) => string
	): number {
		const plan = this.#plan;
		const text = value(check.column);
		if (text === '') return check.required ? BIT_MISSING : 0;
		let mask = plan.valueBits(check, text, value);
		if (check.type === 'date')
			mask |= recordDate(output, row * this.#slots + check.dateSlot, parseDate(text));
		if (check.key !== 'none' && this.#withKeys) {
			const normalised = this.#encoder.encode(plan.keyText(check, text));
			const [h1, h2] = keyHash(normalised);
			// user_id's hashes and length first, then email's; length 0 is no key.
			const at = row * KEY_STRIDE + (check.key === 'email' ? 3 : 0);
			output.keys[at] = h1;
			output.keys[at + 1] = h2;
			output.keys[at + 2] = normalised.length;
		}
		return mask;
	}

	/** The trimmed value of one field, decoded from the checked bytes ('' past the record's fields). */
	#cell(index: CsvIndex, row: number, column: number, bytes: Uint8Array, base: number): string {
		const start = fieldStart(index, row, column);
		if (start < 0) return '';
		const end = index.fieldEnds[index.fieldIndex[row] + column];
		return fieldValue(bytes, start - base, end - base, index.textEnd - base).trim();
	}

	/**
	 * Where the next range's records start, and the line there: past the line break ending the
	 * last record owned (or, when the range's end falls between records, the line break there).
	 * Only line breaks lie between it and the next record, so counting them back from that
	 * record's line gives the line.
	 */
	async #boundary(state: CsvIndexState): Promise<{ at: number; line: number }> {
		const size = this.#source.size;
		const end = this.#task.end;
		let at: number;
		if (this.#lastOwnedEnd > end) at = this.#lastOwnedEnd;
		else if (this.#first > end) at = this.#first;
		else if (end >= size) at = size;
		else {
			at = lineBreakEnd(await this.#source.read(end, end + 2), 0);
			if (at < 0) return { at: -1, line: 0 };
			at += end;
		}
		if (this.#full) return { at, line: 0 };
		const next = this.#next ?? { start: size, line: state.line };
		const gap = at < next.start ? await this.#source.read(at, next.start) : EMPTY;
		return { at, line: next.line - countLineBreaks(gap) };
	}
}

/** Where field `column` of the index's record `row` starts, or -1 when the record has fewer fields. */
function fieldStart(index: CsvIndex, row: number, column: number): number {
	const first = index.fieldIndex[row];
	if (first + column >= index.fieldIndex[row + 1]) return -1;
	return column === 0 ? index.recordStarts[row] : index.fieldEnds[first + column - 1] + 1;
}

/** A record too large to check, checked with the rest of its slice: only record_too_large stays. */
function tooLargeRow(output: KernelOutput, row: number, slots: number): void {
	output.masks[row] = BIT_TOO_LARGE;
	output.keys.fill(0, row * KEY_STRIDE, (row + 1) * KEY_STRIDE);
	output.dateKinds.fill(DateKind.NONE, row * slots, (row + 1) * slots);
}
