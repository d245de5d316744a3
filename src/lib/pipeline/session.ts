import { referenceEngine } from '../core/engine/reference';
import { remappedColumn, remapResult } from '../core/engine/remap';
import type {
	KnownKeys,
	RangeRunner,
	ScanEngine,
	ScanProgress,
	ScanResult
} from '../core/engine/types';
import {
	applyEdits,
	editedColumns,
	withCell,
	withDropped,
	type EditStep,
	type RowChange,
	type RowEdit
} from '../core/edits/overlay';
import { cellReplacer, patternError, type ReplaceSpec } from '../core/edits/replace';
import { EditedVerdicts } from '../core/edits/verdicts';
import { FerryError, isFerryError, throwIfAborted, type AbortSignalLike } from '../core/errors';
import { detectPreset, transformRecord } from '../core/formats/presets';
import { proposeMapping } from '../core/mapping/automap';
import { isKnownAlias } from '../core/mapping/normalize';
import { readRows, type RowPlaces } from '../core/read';
import { inspectText } from '../core/sniff/inspect';
import { DROPPED_ROW_STATUS } from '../core/report/rows';
import { ERROR_MASK, codesOf } from '../core/validate/codes';
import {
	dateOrdersByField,
	normaliseRecord,
	type CanonicalRecord
} from '../core/validate/normalize';
import { canonicalRecord } from '../core/validate/canonical';
import { ValidationPlan } from '../core/validate/plan';
import type { CredentialCounts } from '../core/validate/verdicts';
import type {
	ColumnProposal,
	DateColumnOrder,
	EncodingInfo,
	IssueCode,
	Layout,
	Mapping,
	RecordSpan,
	RowIssue,
	ValidationOptions
} from '../core/types';
import type { DestinationProfile } from '../core/profiles/types';
import {
	HEAD_BYTES,
	MAX_HEAD_BYTES,
	blobSource,
	forwardSource,
	openHead,
	sha256OfBlob,
	sha256Stream,
	workingCopy,
	type WorkingCopy,
	type WorkingCopySink
} from '../io/open';
import { ROLE_VALUES_CAP, capValues, type DecompressionLimits } from '../core/limits';
import { ListValueCounts, type DistinctValues } from '../core/validate/list-values';

export interface PreviewRow {
	/** 0-based data row; shown 1-based. */
	row: number;
	line: number;
	fields: string[];
}

/** What the admin sees right after the drop: read from the head of the file only (inspectHead). */
export interface Preview {
	fileName: string;
	size: number;
	info: EncodingInfo;
	layout: Layout;
	rows: PreviewRow[];
	proposals: ColumnProposal[];
	notices: string[];
}

/** The scan's outcome without the packed per-row arrays (those stay with the session). */
export interface ScanSummary {
	engine: string;
	rows: number;
	valid: number;
	invalid: number;
	warnings: number;
	/** Valid rows that carry a warning (`warnings` also counts invalid ones): the overview's middle part. */
	validWithWarnings: number;
	issueCounts: Record<IssueCode, number>;
	dateOrders: DateColumnOrder[];
	/** Rows per algorithm of their password credential: the census the summary and the CLI show. */
	credentials: CredentialCounts;
	extraKeys: string[];
	duplicateRows: number;
	/** Rows with a value the admin replaced, not dropped ("fixed by hand"). */
	edited: number;
	/** Rows the admin dropped: not in rows, valid or invalid, and never uploaded. */
	dropped: number;
	notices: string[];
	/** Present when the scan had to re-read the file in another encoding: the preview to show now. */
	preview?: Preview;
}

/** What the admin decided for the rows sent, beyond validation (normaliseRecord's options). */
export interface SendingOptions {
	roleMap?: Readonly<Record<string, string>>;
	organization?: string;
}

export type { DistinctValues };

/** A row as it reads now: its values with the admin's edits applied. */
export interface PagedRow extends PreviewRow {
	issues: IssueCode[];
	duplicateOf: number | null;
	/** The columns whose value the admin replaced. */
	edited: number[];
	dropped: boolean;
}

/** A row of the failure report: an invalid row with its reasons, or a dropped row. */
export interface ReportRow extends PagedRow {
	reasons: { code: string; message: string }[];
}

/** One edit action done in the session: the step to store (and undo), and the verdicts after it. */
export interface EditOutcome {
	step: EditStep;
	summary: ScanSummary;
}

/** How far a replace in column has read. */
export interface ReplaceProgress {
	rows: number;
	total: number;
}

/** Rows read at a time while edits are judged or a column is searched. */
const EDIT_PAGE = 5000;

export interface ExplainedRow extends PagedRow {
	reasons: RowIssue[];
}

/** A row to upload: its 1-based data-row number and its canonical record of mapped fields. */
export interface ValidRow {
	row: number;
	record: CanonicalRecord;
}

/** One page of validRows(); `next` is the cursor of the following page, null after the last row. */
export interface ValidRowsPage {
	rows: ValidRow[];
	next: number | null;
}

export interface ScanCall {
	mapping: Mapping;
	profile: DestinationProfile;
	options: ValidationOptions;
	maxRows?: number;
	/** ScanRequest.rangeSize: the warm-up's. */
	rangeSize?: number;
	signal?: AbortSignalLike;
	onProgress?: (progress: ScanProgress) => void;
}

/** Rows for the screen or a sample, not for a report or an upload: long values are cut. */
export interface Shown {
	capValues?: boolean;
}

const HOOKS = { isKnownAlias, detectPreset, transformRecord };

export interface SessionOptions {
	encoding?: string;
	engine?: ScanEngine;
	profile: DestinationProfile;
	/** Where the engine scans ranges of a working copy (the browser's pool of range workers). */
	ranges?: (workingCopy: Blob) => RangeRunner;
	/** How far a gzip file may expand; DEFAULT_DECOMPRESSION_LIMITS when absent. */
	decompressionLimits?: DecompressionLimits;
	/** Where a decompressed or transcoded working copy is written: memory when absent. */
	sink?: () => WorkingCopySink;
}

/** The first part of a compressed file read for --max-rows; doubled while its rows are not all in it. */
function firstPrefixBytes(maxRows: number): number {
	return Math.max(1024 * 1024, maxRows * 256);
}

/**
 * One dropped file: its preview, its working copy and its latest scan. The browser worker and the
 * CLI both drive this class, so the app and `ferry validate` count the same file the same way.
 */
export class ImportSession {
	#file: Blob;
	#preview: Preview;
	/** The working copy, made for a prefix of `bytes` (Infinity: the whole file). */
	#copy: { bytes: number; made: Promise<WorkingCopy> } | null = null;
	/** SHA-256 of the original file (the import API's `file.sha256`). */
	#sha256: Promise<string> | null = null;
	#result: ScanResult | null = null;
	/**
	 * What whole scans of a working copy found that a later scan of it takes: where its rows are
	 * (any mapping's), and the duplicates of the latest that keyed columns, with their signature.
	 */
	#known: { copy: Promise<WorkingCopy>; places: RowPlaces; keys: KnownKeys | null } | null = null;
	/** What rows are read back through, for the working copy it reads. */
	#rowSource: { copy: WorkingCopy; source: ReturnType<typeof forwardSource> } | null = null;
	/** The mapping and options #result was computed with. */
	#resultCall: ScanCall | null = null;
	#notices: string[] = [];
	/** The admin's fixes by row, kept across scans: a new mapping judges them again. */
	#overlay = new Map<number, RowEdit>();
	/** The latest scan's verdicts with the overlay, once there is an edit to judge. */
	#edited: EditedVerdicts | null = null;

	private constructor(
		file: Blob,
		preview: Preview,
		private readonly options: SessionOptions
	) {
		this.#file = file;
		this.#preview = preview;
	}

	static async open(file: Blob, fileName: string, options: SessionOptions): Promise<ImportSession> {
		const preview = await readPreview(file, fileName, options.encoding, options.profile);
		return new ImportSession(file, preview, options);
	}

	get preview(): Preview {
		return this.#preview;
	}

	get info(): EncodingInfo {
		return this.#preview.info;
	}

	/** Reads and validates the whole file with the given mapping. */
	async scan(call: ScanCall): Promise<ScanSummary> {
		try {
			this.#edited = null;
			this.#result = (await this.#remap(call)) ?? (await this.#scanOnce(call));
			this.#resultCall = call;
			await this.#judgeEdits(call.signal);
			return this.#summary(this.#result);
		} catch (error) {
			// The head looked like UTF-8 but a later byte is not: the file is Windows-1252 after all.
			// Everything read from the UTF-8 head (offsets, columns, preview) is read again.
			if (!isFerryError(error) || error.code !== 'invalid_utf8' || this.info.overridden)
				throw error;
			const reread = await readPreview(
				this.#file,
				this.#preview.fileName,
				'windows-1252',
				this.options.profile
			);
			this.#preview = { ...reread, info: { ...reread.info, overridden: false } };
			await this.#discardCopy();
			this.#notices.push(
				`A byte at offset ${error.details.offset ?? '?'} is not UTF-8: the file was read as Windows-1252.`
			);
			const columns = this.#preview.layout.columns.length;
			const mapping =
				call.mapping.length === columns
					? call.mapping
					: this.#preview.proposals.map((p) => p.field);
			this.#result = await this.#scanOnce({ ...call, mapping });
			this.#resultCall = { ...call, mapping };
			await this.#judgeEdits(call.signal);
			return { ...this.#summary(this.#result), preview: this.#preview };
		}
	}

	/**
	 * The new result when the call changes only one plain column's field since the latest scan:
	 * that column checked again alone (remapResult); null when the whole file is to be scanned.
	 */
	async #remap(call: ScanCall): Promise<ScanResult | null> {
		const result = this.#result;
		const before = this.#resultCall;
		if (!result || !before) return null;
		const columns = this.#preview.layout.columns;
		const column = remappedColumn(before, call, columns.length);
		if (column < 0) return null;
		return remapResult(
			result,
			{ before, after: call, column, columns },
			{
				scan: (mapping, profile) => this.#scanOnce({ ...call, mapping, profile }),
				readRows: (rows) => this.#readRecords(result, rows)
			}
		);
	}

	async #scanOnce(call: ScanCall): Promise<ScanResult> {
		const engine = this.options.engine ?? referenceEngine;
		const scan = (copy: WorkingCopy, places?: RowPlaces, keys?: KnownKeys) =>
			engine.scan({
				places,
				keys,
				source: blobSource(copy.blob),
				ranges: this.options.ranges?.(copy.blob),
				layout: this.#preview.layout,
				mapping: call.mapping,
				profile: call.profile,
				options: call.options,
				maxRows: call.maxRows,
				rangeSize: call.rangeSize,
				transformRecord,
				signal: call.signal,
				onProgress: call.onProgress
			});
		const { maxRows } = call;
		if (maxRows === undefined) {
			const made = this.#workingCopy(call);
			const known = this.#known?.copy === made ? this.#known : null;
			const result = await scan(await made, known?.places, known?.keys ?? undefined);
			const { rowStarts, rowEnds, rowLines, duplicateOf, firstRowOfKey } = result;
			// Duplicates found by keying other columns (a one-column re-check keys none).
			const signature = new ValidationPlan({
				...call,
				columns: this.#preview.layout.columns
			}).keySignature;
			const keys =
				signature !== null && signature !== known?.keys?.signature
					? { signature, duplicateOf, firstRowOfKey }
					: (known?.keys ?? null);
			this.#known = { copy: made, places: known?.places ?? { rowStarts, rowEnds, rowLines }, keys };
			return result;
		}
		// Only as much of a compressed or transcoded file is copied as its first rows need.
		for (let bytes = firstPrefixBytes(maxRows); ; bytes *= 2) {
			const copy = await this.#workingCopy(call, bytes);
			if (copy.complete) return scan(copy);
			try {
				const result = await scan(copy);
				if (result.rows >= maxRows) return result;
			} catch (error) {
				// The prefix ends at a line break, maybe one inside a quoted field: read a longer one.
				if (!isFerryError(error) || error.code === 'aborted') throw error;
			}
		}
	}

	/** The working copy holding at least the first `bytes` bytes (all of them by default). */
	#workingCopy(call: Pick<ScanCall, 'signal'>, bytes = Infinity): Promise<WorkingCopy> {
		if (this.#copy && this.#copy.bytes >= bytes) return this.#copy.made;
		void this.#discardCopy();
		const entry = { bytes, made: this.#makeWorkingCopy(call, bytes) };
		entry.made.then(
			(copy) => {
				if (copy.complete) entry.bytes = Infinity;
			},
			() => {
				if (this.#copy === entry) this.#copy = null;
			}
		);
		this.#copy = entry;
		return entry.made;
	}

	async #discardCopy(): Promise<void> {
		const old = this.#copy;
		this.#copy = null;
		this.#rowSource?.source.close();
		this.#rowSource = null;
		const copy = await old?.made.catch(() => null);
		await copy?.discard();
	}

	/** Frees the working copy (the CLI's temporary file); the session is not used afterwards. */
	close(): Promise<void> {
		return this.#discardCopy();
	}

	/** Hashes the original file on the way when the working copy is made by reading all of it. */
	async #makeWorkingCopy(call: Pick<ScanCall, 'signal'>, bytes: number): Promise<WorkingCopy> {
		const hash = sha256Stream();
		let hashed = 0;
		const copy = await workingCopy(this.#file, this.info, {
			signal: call.signal,
			limits: this.options.decompressionLimits,
			sink: this.options.sink?.(),
			prefixBytes: bytes,
			onRead: (chunk) => {
				hash.update(chunk);
				hashed += chunk.length;
			}
		});
		if (copy.complete && hashed === this.#file.size) this.#sha256 ??= Promise.resolve(hash.hex());
		return copy;
	}

	/**
	 * Lowercase hex SHA-256 of the original file's bytes. Gzip and non-UTF-8 files are hashed while
	 * their working copy is made; a plain UTF-8 file (whose working copy is a slice, never read)
	 * is streamed through the hash the first time this is asked.
	 */
	fileSha256(): Promise<string> {
		this.#sha256 ??= sha256OfBlob(this.#file).catch((error) => {
			this.#sha256 = null;
			throw error;
		});
		return this.#sha256;
	}

	#summary(result: ScanResult): ScanSummary {
		const counts = this.#edited?.counts ?? {
			rows: result.rows,
			valid: result.valid,
			invalid: result.invalid,
			warnings: result.warnings,
			validWithWarnings: result.validWithWarnings,
			issueCounts: result.issueCounts,
			duplicateRows: result.duplicateOf.size,
			credentials: result.credentials,
			edited: 0,
			dropped: 0
		};
		return {
			engine: result.engine,
			...counts,
			dateOrders: result.dateOrders,
			extraKeys: result.extraKeys,
			notices: [...this.#notices]
		};
	}

	/** The verdicts with the edits, made on the first edit after a scan. */
	#editedVerdicts(result: ScanResult, call: ScanCall): EditedVerdicts {
		if (this.#edited) return this.#edited;
		const plan = new ValidationPlan({
			profile: call.profile,
			mapping: call.mapping,
			columns: this.#preview.layout.columns,
			options: call.options
		});
		this.#edited = new EditedVerdicts(
			{ plan, summary: result, firstRowOfKey: (key, value) => result.firstRowOfKey(key, value) },
			{ ...result, duplicateRows: result.duplicateOf.size }
		);
		return this.#edited;
	}

	/** Judges the whole overlay against a new scan: only the edited rows are read. */
	async #judgeEdits(signal?: AbortSignalLike): Promise<void> {
		this.#edited = null;
		await this.#judge([...this.#overlay.keys()], signal);
	}

	/** Re-judges rows whose edit changed (before a scan, the overlay is only kept). */
	async #judge(changed: number[], signal?: AbortSignalLike): Promise<void> {
		const result = this.#result;
		const call = this.#resultCall;
		if (!result || !call) return;
		const rows = [...new Set(changed)].filter((row) => row < result.rows).sort((a, b) => a - b);
		if (rows.length === 0) return;
		const edited = this.#editedVerdicts(result, call);
		for (let at = 0; at < rows.length; at += EDIT_PAGE) {
			throwIfAborted(signal);
			const page = rows.slice(at, at + EDIT_PAGE);
			const records = await this.#readRecords(result, page);
			page.forEach((row, i) => edited.set(row, this.#overlay.get(row) ?? null, records[i]));
		}
	}

	/** The latest scan's summary, with the edits. */
	summary(): ScanSummary {
		return this.#summary(this.#scanned());
	}

	/**
	 * Sets rows' edits as given (null: none), e.g. an undo or the overlay stored with the source,
	 * and judges them again; before a scan they are only kept, and judged by the scan.
	 */
	async setEdits(changes: { row: number; edit: RowEdit | null }[]): Promise<ScanSummary | null> {
		for (const { row, edit } of changes) {
			if (edit) this.#overlay.set(row, edit);
			else this.#overlay.delete(row);
		}
		await this.#judge(changes.map((change) => change.row));
		return this.#result ? this.summary() : null;
	}

	/**
	 * Replaces cells of one row, by column, as one step (a cell set back to the file's own value is
	 * no longer edited).
	 */
	async editRow(row: number, values: Record<number, string>): Promise<EditOutcome> {
		const result = this.#scanned();
		if (row < 0 || row >= result.rows) throw new RangeError(`No row ${row + 1}.`);
		const [record] = await this.#readRecords(result, [row]);
		const before = this.#overlay.get(row) ?? null;
		let after = before;
		const columns = Object.keys(values).map(Number);
		for (const column of columns)
			after = withCell(after, column, values[column], record.fields[column] ?? '');
		const names = this.#preview.layout.columns;
		const label =
			columns.length === 1
				? `edit row ${row + 1}, ${names[columns[0]] ?? `column ${columns[0] + 1}`}`
				: `edit row ${row + 1}`;
		return this.#do({ label, changes: [{ row, before, after }] });
	}

	/** Drops rows (or takes them back): they count as not in the file. */
	dropRows(rows: number[], dropped = true): Promise<EditOutcome> {
		const result = this.#scanned();
		const changes = rows
			.filter((row) => row >= 0 && row < result.rows)
			.map((row) => {
				const before = this.#overlay.get(row) ?? null;
				return { row, before, after: withDropped(before, dropped) };
			});
		const what = rows.length === 1 ? `row ${rows[0] + 1}` : `${rows.length} rows`;
		return this.#do({ label: `${dropped ? 'drop' : 'keep'} ${what}`, changes });
	}

	/**
	 * The rows whose value in `spec.column` the replace changes (dropped rows are left alone): every
	 * row is read, a page at a time, so it runs here in the worker with progress. With `apply`, the
	 * change is made as one step.
	 */
	async replaceInColumn(
		spec: ReplaceSpec,
		apply: boolean,
		signal?: AbortSignalLike,
		onProgress?: (progress: ReplaceProgress) => void
	): Promise<{ matches: number; outcome: EditOutcome | null }> {
		const result = this.#scanned();
		const error = patternError(spec);
		if (error) throw new FerryError('invalid_pattern', error);
		const replace = cellReplacer(spec);
		const changes: RowChange[] = [];
		for (let start = 0; start < result.rows; start += EDIT_PAGE) {
			throwIfAborted(signal);
			const rows = Array.from(
				{ length: Math.min(EDIT_PAGE, result.rows - start) },
				(_, i) => start + i
			);
			const records = await this.#readRecords(result, rows);
			records.forEach((record, i) => {
				const row = rows[i];
				const before = this.#overlay.get(row) ?? null;
				if (before?.dropped) return;
				const next = replace(applyEdits(record.fields, before)[spec.column] ?? '');
				if (next === null) return;
				const after = withCell(before, spec.column, next, record.fields[spec.column] ?? '');
				changes.push({ row, before, after });
			});
			onProgress?.({ rows: start + rows.length, total: result.rows });
		}
		if (!apply || changes.length === 0) return { matches: changes.length, outcome: null };
		const name = this.#preview.layout.columns[spec.column] ?? `column ${spec.column + 1}`;
		const outcome = await this.#do({ label: `replace in ${name}`, changes });
		return { matches: changes.length, outcome };
	}

	async #do(step: EditStep): Promise<EditOutcome> {
		for (const { row, after } of step.changes) {
			if (after) this.#overlay.set(row, after);
			else this.#overlay.delete(row);
		}
		await this.#judge(step.changes.map((change) => change.row));
		return { step, summary: this.summary() };
	}

	/** The current masks: the scan's, or with the edits. */
	#masks(result: ScanResult): Uint32Array {
		return this.#edited?.masks ?? result.rowIssues;
	}

	#isDropped(row: number): boolean {
		return this.#overlay.get(row)?.dropped === true;
	}

	/** A record as the admin's edits left it (an edited row no longer has the file's quote slip). */
	#withEdits(record: RecordSpan, row: number): RecordSpan {
		const edit = this.#overlay.get(row);
		if (!edit) return record;
		return { ...record, fields: applyEdits(record.fields, edit), malformedQuote: undefined };
	}

	#explained(result: ScanResult, row: number, record: RecordSpan): RowIssue[] {
		const issues = result.explain(row, record.fields, record.fieldCount, record.malformedQuote);
		return this.#edited ? this.#edited.explain(row, issues) : issues;
	}

	#scanned(): ScanResult {
		if (!this.#result) throw new FerryError('aborted', 'The file has not been scanned yet.');
		return this.#result;
	}

	/**
	 * Rows [start, start + count) re-read from the working copy by their stored byte ranges; with
	 * `shown`, each value cut to SHOWN_VALUE_CHARS (capValue) for a page on screen or a sample.
	 */
	async rows(start: number, count: number, shown: Shown = {}): Promise<PagedRow[]> {
		const result = this.#scanned();
		const end = Math.min(result.rows, start + count);
		if (start >= end) return [];
		const rows = Array.from({ length: end - start }, (_, i) => start + i);
		return this.#paged(result, rows, await this.#readEdited(result, rows), shown);
	}

	/** Rows whose issue mask intersects `mask`, paged, with their reasons: the "invalid rows" list. */
	async filteredRows(
		mask: number,
		offset: number,
		count: number,
		shown: Shown = {}
	): Promise<{ total: number; rows: ExplainedRow[] }> {
		const result = this.#scanned();
		const masks = this.#masks(result);
		const matches: number[] = [];
		let total = 0;
		for (let row = 0; row < result.rows; row++) {
			if ((masks[row] & mask) === 0 || this.#isDropped(row)) continue;
			if (total >= offset && matches.length < count) matches.push(row);
			total++;
		}
		const records = await this.#readEdited(result, matches);
		const rows = this.#paged(result, matches, records, shown).map((row, i) => ({
			...row,
			reasons: this.#explained(result, row.row, records[i])
		}));
		return { total, rows };
	}

	/** The rows the admin dropped, paged, in row order: the report lists them as dropped. */
	async droppedRows(offset: number, count: number): Promise<{ total: number; rows: PagedRow[] }> {
		const result = this.#scanned();
		const dropped = [...this.#overlay]
			.filter(([row, edit]) => edit.dropped && row < result.rows)
			.map(([row]) => row)
			.sort((a, b) => a - b);
		const rows = dropped.slice(offset, offset + count);
		return {
			total: dropped.length,
			rows: this.#paged(result, rows, await this.#readEdited(result, rows), {})
		};
	}

	/**
	 * The failure report's rows, paged: the rows with an error, then the dropped rows (each with
	 * the one reason that it was dropped), all with the edits applied.
	 */
	async reportRows(offset: number, count: number): Promise<{ total: number; rows: ReportRow[] }> {
		const invalid = await this.filteredRows(ERROR_MASK, offset, count);
		const from = Math.max(0, offset - invalid.total);
		const dropped = await this.droppedRows(from, count - invalid.rows.length);
		const reason = { code: DROPPED_ROW_STATUS, message: 'Dropped by hand in Ferry: not uploaded.' };
		return {
			total: invalid.total + dropped.total,
			rows: [...invalid.rows, ...dropped.rows.map((row) => ({ ...row, reasons: [reason] }))]
		};
	}

	async explain(row: number): Promise<RowIssue[]> {
		const result = this.#scanned();
		const [record] = await this.#readEdited(result, [row]);
		return record ? this.#explained(result, row, record) : [];
	}

	/**
	 * The rows without an error of the latest scan, from row index `start` (0-based; 0, then each
	 * page's `next`), at most `count` of them: each with its 1-based row number and its mapped fields
	 * only, normalised (normaliseRecord, with the slash-date orders the scan resolved per column).
	 * Rows with warnings are included; they are valid.
	 */
	async validRows(
		start: number,
		count: number,
		sending: SendingOptions = {}
	): Promise<ValidRowsPage> {
		const result = this.#scanned();
		const call = this.#resultCall;
		if (!call) throw new FerryError('aborted', 'The file has not been scanned yet.');
		const masks = this.#masks(result);
		const indices: number[] = [];
		let index = Math.max(0, Math.floor(start));
		for (; index < result.rows && indices.length < count; index++)
			if ((masks[index] & ERROR_MASK) === 0 && !this.#isDropped(index)) indices.push(index);
		const records = await this.#readEdited(result, indices);
		const options = {
			dateOrders: dateOrdersByField(result.dateOrders, call.mapping),
			dateOrder: call.options.dateOrder,
			defaultRegion: call.options.defaultRegion,
			profile: call.profile,
			hashConfig: call.options.hashConfig,
			...sending
		};
		return {
			rows: records.map((record, i) => ({
				row: indices[i] + 1,
				record: normaliseRecord(canonicalRecord(record.fields, call.mapping), options)
			})),
			next: index < result.rows ? index : null
		};
	}

	/**
	 * The 1-based row numbers where each import of at most `rowsPerPart` valid rows begins: the
	 * first valid row, then every rowsPerPart-th one after it (the split of a file over a
	 * destination's rows-per-import limit).
	 */
	partStarts(rowsPerPart: number): number[] {
		const result = this.#scanned();
		const starts: number[] = [];
		let valid = 0;
		for (let row = 0; row < result.rows; row++) {
			if ((result.rowIssues[row] & ERROR_MASK) !== 0) continue;
			if (valid % rowsPerPart === 0) starts.push(row + 1);
			valid++;
		}
		return starts;
	}

	/**
	 * The distinct items of a list column over every row (the roles found), most frequent first:
	 * as the scan gathered them when it is the column mapped to roles, else read again.
	 */
	async distinctValues(column: number, cap: number, pageRows = 5000): Promise<DistinctValues> {
		const result = this.#scanned();
		const gathered = result.roleValues;
		if (gathered?.column === column && cap === ROLE_VALUES_CAP)
			return { values: gathered.values, more: gathered.more };
		const counts = new ListValueCounts(cap);
		for (let start = 0; start < result.rows; start += pageRows) {
			const rows = Array.from(
				{ length: Math.min(pageRows, result.rows - start) },
				(_, i) => start + i
			);
			for (const record of await this.#readRecords(result, rows))
				counts.add(record.fields[column]?.trim() ?? '');
		}
		return counts.distinct();
	}

	#paged(result: ScanResult, rows: number[], records: RecordSpan[], shown: Shown): PagedRow[] {
		const masks = this.#masks(result);
		const edited = this.#edited;
		return records.map((record, i) => {
			const row = rows[i];
			const edit = this.#overlay.get(row);
			return {
				row,
				line: record.line,
				fields: shown.capValues ? capValues(record.fields) : record.fields,
				issues: codesOf(masks[row]),
				duplicateOf: edited
					? (edited.firstOf('user_id', row) ?? edited.firstOf('email', row) ?? null)
					: (result.duplicateOf.get(row) ?? null),
				edited: editedColumns(edit),
				dropped: edit?.dropped === true
			};
		});
	}

	/** Records of `rows` with the edits applied: what the screen, the report and the upload read. */
	async #readEdited(result: ScanResult, rows: number[]): Promise<RecordSpan[]> {
		const records = await this.#readRecords(result, rows);
		return this.#overlay.size === 0
			? records
			: records.map((record, i) => this.#withEdits(record, rows[i]));
	}

	/**
	 * Reads runs of consecutive rows, pages after pages through one stream where they move forward
	 * (forwardSource); a row too large to read is not read.
	 */
	async #readRecords(result: ScanResult, rows: number[]): Promise<RecordSpan[]> {
		const copy = await (this.#copy?.made ?? this.#workingCopy({}));
		if (this.#rowSource?.copy !== copy) {
			this.#rowSource?.source.close();
			this.#rowSource = { copy, source: forwardSource(copy.blob) };
		}
		return readRows(this.#rowSource.source, result, rows, this.#preview.layout, transformRecord);
	}
}

/**
 * The head and what it says. A head is sure once it is the whole file or holds the first records
 * (a header and a data record, or two records of a headerless CSV); until then it is read again
 * twice as long, up to MAX_HEAD_BYTES. A CSV header with no data record within that bound is
 * still a layout (the preview stays empty); no complete first record at all is an error.
 */
async function inspectHead(file: Blob, encoding: string | undefined) {
	for (let headBytes = HEAD_BYTES; ; headBytes *= 2) {
		const head = await openHead(file, { encoding, headBytes });
		const inspection = inspectText(head.text, head.complete, HOOKS);
		const { layout, preview } = inspection;
		const csv = layout.format === 'csv';
		if (head.complete || preview.length >= (csv && !layout.header ? 2 : 1))
			return { head, inspection };
		if (headBytes >= MAX_HEAD_BYTES) {
			if (csv && (layout.header || preview.length > 0)) return { head, inspection };
			throw new FerryError(
				'record_too_long',
				`The first ${csv ? 'line' : 'record'} of this file is longer than ${MAX_HEAD_BYTES >> 20} MiB, the most Ferry reads to find its columns, so it cannot tell how to read the file.`
			);
		}
	}
}

/** The preview and proposed mapping, from the head of the file only (64 KiB, or more: see inspectHead). */
async function readPreview(
	file: Blob,
	fileName: string,
	encoding: string | undefined,
	profile: DestinationProfile
): Promise<Preview> {
	const { head, inspection } = await inspectHead(file, encoding);
	const { layout, preview, notices } = inspection;
	return {
		fileName,
		size: file.size,
		info: head.info,
		layout,
		rows: preview.map((record, row) => ({
			row,
			line: record.line,
			fields: capValues(record.fields)
		})),
		proposals: proposeMapping({
			columns: layout.columns,
			keys: layout.keys,
			sample: preview.map((record) => record.fields),
			preset: layout.preset,
			profile
		}),
		notices
	};
}
