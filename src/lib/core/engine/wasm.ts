import { FerryError, throwIfAborted } from '../errors';
import { restorersOf } from '../csv/reference';
import { MAX_ROWS_PER_FILE, ROLE_VALUES_CAP, tooManyRows } from '../limits';
import { positionAt } from '../sniff/utf8';
import type { RowPlaces } from '../read';
import type { ByteSource, Layout } from '../types';
import { explainRow } from '../validate/explain';
import { ListValueCounts } from '../validate/list-values';
import type { ValidationPlan } from '../validate/plan';
import { addCredentials, VerdictBook } from '../validate/verdicts';
import { instantiateCsvIndexer } from '../wasm/csv-index';
import { instantiateJsonSplitter } from '../wasm/json-split';
import { KEY_STRIDE, instantiateRowKernel, keyHash } from '../wasm/row-kernel';
import { createWasmJsonScan } from './json-wasm';
import { BufferShelf, Growable } from './growable';
import { KeyIndex } from './keys';
import {
	RESULT_ARRAYS,
	rangeTransferables,
	scanRange,
	validationPlanOf,
	type RangePlan,
	type RangeResult,
	type RangeTask,
	type RangeTools
} from './ranges';
import { referenceEngine } from './reference';
import type { KnownKeys, RangeRunner, ScanEngine, ScanRequest, ScanResult } from './types';

/** The compiled modules of one build (SIMD or scalar): what a range worker instantiates. */
export interface WasmModules {
	indexer: WebAssembly.Module;
	kernel: WebAssembly.Module;
	/** The JSON record splitter (JSON scans stay on the calling thread). */
	json: WebAssembly.Module;
}

export interface WasmEngineOptions {
	/** Bytes read per step (1 MiB, the reference reader's chunk size); tests use tiny slices. */
	sliceSize?: number;
	/** Bytes per range (4 MiB); tests use tiny ranges so that every boundary case occurs. */
	rangeSize?: number;
}

export interface WasmScanEngine extends ScanEngine {
	readonly modules: WasmModules;
	readonly sliceSize: number;
}

const DEFAULT_SLICE_SIZE = 1 << 20;
const DEFAULT_RANGE_SIZE = 4 << 20;
/**
 * The first range's bytes: the range workers start on it while the next ones are read, instead of
 * waiting for a whole range to be read before any work begins (the ranges after it double in size
 * up to the range size).
 */
export const FIRST_RANGE_BYTES = 256 << 10;

/** The tools of one thread: instantiated once and kept. */
export async function instantiateTools(modules: WasmModules): Promise<RangeTools> {
	const [indexer, kernel] = await Promise.all([
		instantiateCsvIndexer(modules.indexer),
		instantiateRowKernel(modules.kernel)
	]);
	return { indexer, kernel };
}

/**
 * Scans ranges on this thread, one after another (the CLI, tests, and browsers without workers);
 * a merged result's arrays hold a later range's rows, as in a range worker.
 */
export function localRunner(tools: RangeTools, source: ByteSource, sliceSize: number): RangeRunner {
	const shelf = new BufferShelf(RESULT_ARRAYS);
	return {
		concurrency: 1,
		run: (task, plan, signal) => scanRange(tools, source, plan, task, { sliceSize, signal, shelf }),
		release: (result) => shelf.give(rangeTransferables(result))
	};
}

/**
 * The accelerated scan. A CSV working copy is cut into byte ranges scanned side by side (by
 * `request.ranges`, a pool of workers, or on this thread): the WebAssembly indexer finds records,
 * the row kernel checks cells on the bytes, and only the cells it hands back become strings.
 * The ranges' verdicts are put together in order here: duplicates, column-wide date orders,
 * counts. JSON layouts are split into records by the WebAssembly splitter and parsed one by one;
 * delimiters the indexer cannot take (beyond ASCII) and presets that restore records or cells go
 * to the reference engine, so the result then says engine 'js'.
 */
export async function createWasmEngine(
	modules: WasmModules,
	options: WasmEngineOptions = {}
): Promise<WasmScanEngine> {
	const [tools, splitter] = await Promise.all([
		instantiateTools(modules),
		instantiateJsonSplitter(modules.json)
	]);
	const name = tools.indexer.simd ? 'wasm-simd' : 'wasm';
	const sliceSize = Math.max(1, options.sliceSize ?? DEFAULT_SLICE_SIZE);
	const rangeSize = Math.max(1, options.rangeSize ?? DEFAULT_RANGE_SIZE);
	const jsonScan = createWasmJsonScan(splitter, name);
	return {
		name,
		modules,
		sliceSize,
		scan(request: ScanRequest): Promise<ScanResult> {
			if (request.layout.format !== 'csv') return jsonScan(request);
			const delimiter = indexableDelimiter(request.layout);
			// The row kernel checks cells on the file's bytes: records or cells a preset restores first
			// (a Ferry failure report, Cognito's `\,`) are read by the reference engine, value by value.
			if (delimiter < 0 || restorersOf(request.layout.preset) !== null)
				return referenceEngine.scan(request);
			const runner = request.ranges ?? localRunner(tools, request.source, sliceSize);
			const size = Math.max(1, request.rangeSize ?? rangeSize);
			return new RangedScan(name, runner, size, delimiter, request).run();
		}
	};
}

/**
 * A result's firstRowOfKey over its key indexes, made apart from the scan so that keeping it (for a
 * later scan's known keys) keeps the indexes only, not the rest of the scan.
 */
function keyLookup(userIds: KeyIndex, emails: KeyIndex): ScanResult['firstRowOfKey'] {
	const indices = { user_id: userIds, email: emails };
	const encoder = new TextEncoder();
	return (key, value) => {
		// Hashed as the row kernel hashes a normalised cell.
		const bytes = encoder.encode(value);
		if (bytes.length === 0) return -1;
		const [h1, h2] = keyHash(bytes);
		return indices[key].find(h1, h2, bytes.length);
	};
}

/** The delimiter's byte when the indexer takes it, else -1. */
function indexableDelimiter(layout: Layout): number {
	const delimiter = layout.delimiter ?? ',';
	const code = delimiter.charCodeAt(0);
	return delimiter.length === 1 && code > 0 && code < 0x80 && code !== 0x22 ? code : -1;
}

/** A range's error, or a boundary no range can start at: the file is read again in one range. */
class ReadAsOneRange extends Error {}

class RangedScan {
	readonly #engine: string;
	readonly #runner: RangeRunner;
	readonly #rangeSize: number;
	readonly #request: ScanRequest;
	readonly #rangePlan: RangePlan;
	readonly #plan: ValidationPlan;

	#book!: VerdictBook;
	#userIds!: KeyIndex;
	#emails!: KeyIndex;
	#rowStarts!: Growable<Float64Array>;
	#rowEnds!: Growable<Float64Array>;
	#rowLines!: Growable<Uint32Array>;
	#roles!: ListValueCounts;
	/** The duplicates of an earlier scan, taken instead of keys (ScanRequest.keys). */
	readonly #knownKeys: KnownKeys | null;
	/** No range left roles out, so #roles counts every row (see ListValueCounts.addPart). */
	#rolesExact = true;
	/** A range's first rows by user_id and by email (-1: none), reused from range to range. */
	#firstUserIds = new Int32Array(0);
	#firstEmails = new Int32Array(0);

	constructor(
		engine: string,
		runner: RangeRunner,
		rangeSize: number,
		delimiter: number,
		request: ScanRequest
	) {
		const { layout, mapping, profile, options } = request;
		this.#engine = engine;
		this.#runner = runner;
		this.#rangeSize = rangeSize;
		this.#request = request;
		this.#rangePlan = { delimiter, columns: layout.columns, mapping, profile, options };
		if (request.maxRecordBytes) this.#rangePlan.maxRecordBytes = request.maxRecordBytes;
		if (request.places) this.#rangePlan.placesKnown = true;
		this.#plan = validationPlanOf(this.#rangePlan);
		// Keys known when the earlier scan keyed the same columns the same way.
		const keys = request.keys;
		this.#knownKeys = keys && keys.signature === this.#plan.keySignature ? keys : null;
		if (this.#knownKeys) this.#rangePlan.keysKnown = true;
	}

	async run(): Promise<ScanResult> {
		const { source, layout, maxRows, onProgress } = this.#request;
		const { line } = await positionAt(source, layout.dataStart);
		const whole: RangeTask = { start: layout.dataStart, end: source.size, exact: true, line };
		try {
			// --max-rows stops where the reference reader stops: one range, read in order.
			if (maxRows !== undefined) await this.#scan([{ ...whole, maxRows }]);
			else await this.#scan(this.#cut(whole));
		} catch (error) {
			if (!(error instanceof ReadAsOneRange)) throw error;
			await this.#scan([whole]);
		} finally {
			this.#runner.finish?.();
		}

		const summary = this.#book.finish();
		const known = this.#request.places;
		const places: RowPlaces = known
			? { rowStarts: known.rowStarts, rowEnds: known.rowEnds, rowLines: known.rowLines }
			: {
					rowStarts: this.#rowStarts.toArray(),
					rowEnds: this.#rowEnds.toArray(),
					rowLines: this.#rowLines.toArray()
				};
		// Places from a scan of another copy or layout: a bug of the caller, not of the file.
		if (places.rowStarts.length !== summary.rows)
			throw new Error(`${summary.rows} rows scanned, ${places.rowStarts.length} places given`);
		onProgress?.({ bytes: source.size, total: source.size, rows: summary.rows });
		const plan = this.#plan;
		const book = this.#book;
		const { rolesColumn } = plan;
		return {
			...summary,
			engine: this.#engine,
			...places,
			extraKeys: [],
			roleValues:
				rolesColumn >= 0 && this.#rolesExact
					? { column: rolesColumn, ...this.#roles.distinct() }
					: null,
			firstRowOfKey: this.#knownKeys?.firstRowOfKey ?? keyLookup(this.#userIds, this.#emails),
			explain: (row, fields, fieldCount, malformedQuote) =>
				explainRow(plan, book, row, fields, fieldCount, malformedQuote)
		};
	}

	/**
	 * The data as ranges of about rangeSize bytes, the first ones smaller (FIRST_RANGE_BYTES, then
	 * twice as many each); all but the first guess where records start.
	 */
	#cut(whole: RangeTask): RangeTask[] {
		const tasks: RangeTask[] = [];
		let size = Math.min(this.#rangeSize, FIRST_RANGE_BYTES);
		for (let start = whole.start; start < whole.end || tasks.length === 0;) {
			const end = Math.min(whole.end, start + size);
			tasks.push(tasks.length === 0 ? { ...whole, end } : { start, end, exact: false, line: 1 });
			start = end;
			size = Math.min(this.#rangeSize, size * 2);
		}
		return tasks;
	}

	/**
	 * Runs the tasks (a few ahead, as many at once as the runner takes) and puts their results
	 * together in order. A range whose guessed start is not where the previous range's records
	 * end is scanned again from there.
	 */
	async #scan(tasks: RangeTask[]): Promise<void> {
		const { source, signal, onProgress } = this.#request;
		this.#reset();
		const ahead = this.#runner.concurrency + 1;
		const running: (Promise<RangeResult> | null)[] = [];
		const launch = (upTo: number) => {
			while (running.length < Math.min(tasks.length, upTo))
				running.push(this.#runner.run(tasks[running.length], this.#rangePlan, signal));
		};
		let boundary = tasks[0].start;
		let boundaryLine = tasks[0].line;
		try {
			for (let k = 0; k < tasks.length; k++) {
				launch(k + ahead);
				let result = await running[k]!;
				running[k] = null;
				throwIfAborted(signal);
				// A line break ends every record, so the records before spill over all of this range.
				if (result.first < 0 && !result.error) continue;
				let exact = tasks[k].exact;
				if (result.first !== boundary) {
					exact = true;
					const task = { start: boundary, end: tasks[k].end, exact, line: boundaryLine };
					result = await this.#runner.run(task, this.#rangePlan, signal);
				}
				if (result.error) {
					if (tasks.length > 1) throw new ReadAsOneRange();
					const { code, message, details } = result.error;
					throw new FerryError(code, message, details);
				}
				if (result.boundary < 0) throw new ReadAsOneRange();
				const shift = exact ? 0 : boundaryLine - 1;
				if (this.#book.rows === 0) this.#reserve(result);
				this.#merge(result, shift);
				this.#runner.release?.(result);
				boundary = result.boundary;
				boundaryLine = result.boundaryLine + shift;
				onProgress?.({
					bytes: Math.min(boundary, source.size),
					total: source.size,
					rows: this.#book.rows
				});
			}
		} finally {
			// Ranges still running are not waited for; their results are dropped.
			for (const pending of running) pending?.catch(() => undefined);
		}
	}

	#reset(): void {
		this.#book = new VerdictBook(this.#plan);
		if (this.#knownKeys) this.#book.useLinks(this.#knownKeys.duplicateOf);
		this.#userIds = new KeyIndex();
		this.#emails = new KeyIndex();
		this.#rowStarts = new Growable((n) => new Float64Array(n));
		this.#rowEnds = new Growable((n) => new Float64Array(n));
		this.#rowLines = new Growable((n) => new Uint32Array(n));
		this.#roles = new ListValueCounts(ROLE_VALUES_CAP);
		this.#rolesExact = true;
	}

	/** Room for the rows the file likely holds, judged by its first range (and a little more). */
	#reserve(first: RangeResult): void {
		const { source, layout } = this.#request;
		const bytes = first.boundary - first.first;
		if (first.masks.length === 0 || bytes <= 0) return;
		const estimate = ((first.masks.length * (source.size - layout.dataStart)) / bytes) * 1.05;
		// No room beyond the rows a file may have: tiny rows past the limit end the scan anyway.
		const rows = Math.ceil(Math.min(estimate, MAX_ROWS_PER_FILE));
		this.#book.reserve(rows);
		if (!this.#rangePlan.placesKnown)
			for (const array of [this.#rowStarts, this.#rowEnds, this.#rowLines]) array.reserve(rows);
		if (this.#knownKeys) return;
		if (this.#plan.userIdColumn >= 0) this.#userIds.reserve(rows);
		if (this.#plan.emailColumn >= 0) this.#emails.reserve(rows);
	}

	/** One range's rows, in order: their lines in file numbering, duplicates, date slots. */
	#merge(result: RangeResult, lineShift: number): void {
		const book = this.#book;
		const { masks, keys } = result;
		const count = masks.length;
		const row = book.rows;
		if (row + count > MAX_ROWS_PER_FILE) throw tooManyRows();
		addCredentials(book.credentials, result.credentials);
		if (result.roleValues)
			this.#rolesExact = this.#roles.addPart(result.roleValues) && this.#rolesExact;
		this.#rowStarts.append(result.rowStarts);
		this.#rowEnds.append(result.rowEnds);
		// The result is this scan's own (moved from its worker): its lines are shifted in place.
		const { rowLines } = result;
		if (lineShift !== 0) shiftLines(rowLines, lineShift);
		this.#rowLines.append(rowLines);
		if (this.#firstUserIds.length < count) {
			this.#firstUserIds = new Int32Array(count);
			this.#firstEmails = new Int32Array(count);
		}
		const firstUserIds = this.#firstUserIds.subarray(0, count);
		const firstEmails = this.#firstEmails.subarray(0, count);
		// The kernel's keys: user_id's hashes and length first, then email's (length 0: none);
		// none at all when no key column is mapped, or when the duplicates are known.
		const known = this.#knownKeys?.duplicateOf;
		if (known) {
			firstsFromLinks(known.firstUserIds, row, firstUserIds);
			firstsFromLinks(known.firstEmails, row, firstEmails);
		} else if (keys.length === 0) {
			firstUserIds.fill(-1);
			firstEmails.fill(-1);
		} else {
			this.#userIds.firstsOf(keys, 0, KEY_STRIDE, count, row, firstUserIds);
			this.#emails.firstsOf(keys, 3, KEY_STRIDE, count, row, firstEmails);
		}
		book.commitRows(masks, firstUserIds, firstEmails, result);
	}
}

// The loops over a range's rows are functions of their own, not loops in #merge: V8 compiled a
// loop of #merge on its own (on-stack replacement) and that code left the loop into the rest of
// #merge, compiled without what it had not yet run, once per range (24 times on the bench file).

/** Adds `shift` to every line number. */
function shiftLines(lines: Uint32Array, shift: number): void {
	for (let r = 0; r < lines.length; r++) lines[r] += shift;
}

/** into[r]: the first row before row `row + r` (-1: none), from links stored as that row plus one. */
function firstsFromLinks(links: Uint32Array, row: number, into: Int32Array): void {
	for (let r = 0; r < into.length; r++) into[r] = (links[row + r] ?? 0) - 1;
}
