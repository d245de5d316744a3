import { referenceEngine } from '../core/engine/reference';
import type { RangeRunner, ScanEngine, ScanProgress, ScanResult } from '../core/engine/types';
import { FerryError, isFerryError, type AbortSignalLike } from '../core/errors';
import { detectPreset, transformRecord } from '../core/formats/presets';
import { proposeMapping } from '../core/mapping/automap';
import { isKnownAlias } from '../core/mapping/normalize';
import { parseRecordRange } from '../core/read';
import { inspectText } from '../core/sniff/inspect';
import { ERROR_MASK, codesOf } from '../core/validate/codes';
import {
	dateOrdersByField,
	listValue,
	normaliseRecord,
	type CanonicalRecord
} from '../core/validate/normalize';
import type { CredentialCounts } from '../core/validate/verdicts';
import { canonicalRecord } from '../core/validate/canonical';
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
	openHead,
	sha256OfBlob,
	sha256Stream,
	workingCopy,
	type WorkingCopy,
	type WorkingCopySink
} from '../io/open';
import { capValues, type DecompressionLimits } from '../core/limits';

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
	extraKeys: string[];
	duplicateRows: number;
	notices: string[];
	/** Rows per algorithm of each row's credential (`invalid` for hashes that do not parse). */
	credentials: CredentialCounts;
	/** Present when the scan had to re-read the file in another encoding: the preview to show now. */
	preview?: Preview;
}

/** What the admin decided for the rows sent, beyond validation (normaliseRecord's options). */
export interface SendingOptions {
	roleMap?: Readonly<Record<string, string>>;
	organization?: string;
}

/** The distinct values of a list column (roles), at most `cap` of them; `more` when some were left out. */
export interface DistinctValues {
	values: { value: string; rows: number }[];
	more: boolean;
}

export interface PagedRow extends PreviewRow {
	issues: IssueCode[];
	duplicateOf: number | null;
}

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
	/** The mapping and options #result was computed with. */
	#resultCall: ScanCall | null = null;
	#notices: string[] = [];

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
			this.#result = await this.#scanOnce(call);
			this.#resultCall = call;
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
			return { ...this.#summary(this.#result), preview: this.#preview };
		}
	}

	async #scanOnce(call: ScanCall): Promise<ScanResult> {
		const engine = this.options.engine ?? referenceEngine;
		const scan = (copy: WorkingCopy) =>
			engine.scan({
				source: blobSource(copy.blob),
				ranges: this.options.ranges?.(copy.blob),
				layout: this.#preview.layout,
				mapping: call.mapping,
				profile: call.profile,
				options: call.options,
				maxRows: call.maxRows,
				transformRecord,
				signal: call.signal,
				onProgress: call.onProgress
			});
		const { maxRows } = call;
		if (maxRows === undefined) return scan(await this.#workingCopy(call));
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
		return {
			engine: result.engine,
			rows: result.rows,
			valid: result.valid,
			invalid: result.invalid,
			warnings: result.warnings,
			validWithWarnings: result.validWithWarnings,
			issueCounts: result.issueCounts,
			dateOrders: result.dateOrders,
			extraKeys: result.extraKeys,
			duplicateRows: result.duplicateOf.size,
			credentials: result.credentials,
			notices: [...this.#notices]
		};
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
		return this.#paged(result, rows, await this.#readRecords(result, rows), shown);
	}

	/** Rows whose issue mask intersects `mask`, paged, with their reasons: the "invalid rows" list. */
	async filteredRows(
		mask: number,
		offset: number,
		count: number,
		shown: Shown = {}
	): Promise<{ total: number; rows: ExplainedRow[] }> {
		const result = this.#scanned();
		const matches: number[] = [];
		let total = 0;
		for (let row = 0; row < result.rows; row++) {
			if ((result.rowIssues[row] & mask) === 0) continue;
			if (total >= offset && matches.length < count) matches.push(row);
			total++;
		}
		const records = await this.#readRecords(result, matches);
		const rows = this.#paged(result, matches, records, shown).map((row, i) => ({
			...row,
			reasons: result.explain(
				row.row,
				records[i].fields,
				records[i].fieldCount,
				records[i].malformedQuote
			)
		}));
		return { total, rows };
	}

	async explain(row: number): Promise<RowIssue[]> {
		const result = this.#scanned();
		const [record] = await this.#readRecords(result, [row]);
		return record
			? result.explain(row, record.fields, record.fieldCount, record.malformedQuote)
			: [];
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
		const indices: number[] = [];
		let index = Math.max(0, Math.floor(start));
		for (; index < result.rows && indices.length < count; index++)
			if ((result.rowIssues[index] & ERROR_MASK) === 0) indices.push(index);
		const records = await this.#readRecords(result, indices);
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

	/** The distinct items of a list column over every row (the roles found), most frequent first. */
	async distinctValues(column: number, cap: number, pageRows = 5000): Promise<DistinctValues> {
		const result = this.#scanned();
		const counts = new Map<string, number>();
		let more = false;
		for (let start = 0; start < result.rows; start += pageRows) {
			const rows = Array.from(
				{ length: Math.min(pageRows, result.rows - start) },
				(_, i) => start + i
			);
			for (const record of await this.#readRecords(result, rows)) {
				for (const value of listValue(record.fields[column]?.trim() ?? '')) {
					if (counts.has(value)) counts.set(value, counts.get(value)! + 1);
					else if (counts.size < cap) counts.set(value, 1);
					else more = true;
				}
			}
		}
		const values = [...counts].map(([value, rows]) => ({ value, rows }));
		return { values: values.sort((a, b) => b.rows - a.rows), more };
	}

	#paged(result: ScanResult, rows: number[], records: RecordSpan[], shown: Shown): PagedRow[] {
		return records.map((record, i) => {
			const row = rows[i];
			return {
				row,
				line: record.line,
				fields: shown.capValues ? capValues(record.fields) : record.fields,
				issues: codesOf(result.rowIssues[row]),
				duplicateOf: result.duplicateOf.get(row) ?? null
			};
		});
	}

	/** Reads runs of consecutive rows with one slice each. */
	async #readRecords(result: ScanResult, rows: number[]): Promise<RecordSpan[]> {
		const source = blobSource((await (this.#copy?.made ?? this.#workingCopy({}))).blob);
		const out: RecordSpan[] = [];
		let i = 0;
		while (i < rows.length) {
			let j = i;
			while (j + 1 < rows.length && rows[j + 1] === rows[j] + 1) j++;
			const first = rows[i];
			const last = rows[j];
			const bytes = await source.read(result.rowStarts[first], result.rowEnds[last]);
			const records = parseRecordRange(
				bytes,
				{ offset: result.rowStarts[first], line: result.rowLines[first] },
				this.#preview.layout,
				transformRecord
			);
			// One push per record: spreading a page of 100,000s of records overflows the stack.
			for (const record of records.slice(0, last - first + 1)) out.push(record);
			i = j + 1;
		}
		return out;
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
