import type { DestinationProfile } from '../profiles/types';
import type { AbortSignalLike } from '../errors';
import type {
	ByteSource,
	Layout,
	MalformedQuote,
	Mapping,
	RowIssue,
	ValidationOptions
} from '../types';
import type { RowPlaces } from '../read';
import type { GatheredValues } from '../validate/list-values';
import type { RowLinks } from '../validate/links';
import type { DuplicateKey } from '../validate/plan';
import type { ValidationSummary } from '../validate/verdicts';
import type { RangePlan, RangeResult, RangeTask } from './ranges';

/** Scans byte ranges of one working copy, maybe several at once (a pool of workers). */
export interface RangeRunner {
	/** How many ranges it scans at once. */
	readonly concurrency: number;
	run(task: RangeTask, plan: RangePlan, signal?: AbortSignalLike): Promise<RangeResult>;
	/**
	 * Takes back a result once merged (its arrays are then garbage here): a pool frees them with
	 * the worker that made them instead of leaving them to this thread's collector.
	 */
	release?(result: RangeResult): void;
	/** The scan is over, done or not: what the runner holds for it (a stream) can go. */
	finish?(): void;
}

/** A scan's duplicates, to be taken by a later scan that keys the same columns the same way. */
export interface KnownKeys {
	signature: string;
	duplicateOf: RowLinks;
	firstRowOfKey: ScanResult['firstRowOfKey'];
}

/** Everything a scan needs: the UTF-8 working copy, how to read it, and what to check. */
export interface ScanRequest {
	source: ByteSource;
	layout: Layout;
	mapping: Mapping;
	profile: DestinationProfile;
	options: ValidationOptions;
	transformRecord: (
		preset: string | null,
		record: Record<string, unknown>
	) => Record<string, unknown>;
	/** Where the accelerated engine's ranges are scanned; on the calling thread when absent. */
	ranges?: RangeRunner;
	/** Stop after this many data rows (the CLI's --max-rows). */
	maxRows?: number;
	/**
	 * Where each row lives, from an earlier whole scan of this same working copy and layout (they
	 * do not depend on the mapping): a scan by ranges then gives verdicts only and returns these.
	 */
	places?: RowPlaces;
	/**
	 * The duplicates an earlier whole scan of this same working copy found, with its plan's
	 * keySignature: a scan by ranges whose plan has the same signature takes them instead of
	 * hashing and indexing every key again.
	 */
	keys?: KnownKeys;
	/** A record longer than this many bytes is skipped unread (default MAX_RECORD_BYTES; tests set less). */
	maxRecordBytes?: number;
	/** Bytes per range of a scan by ranges, instead of the engine's (the warm-up's small ranges). */
	rangeSize?: number;
	signal?: AbortSignalLike;
	onProgress?: (progress: ScanProgress) => void;
}

export interface ScanProgress {
	bytes: number;
	total: number;
	rows: number;
}

/**
 * Verdicts plus where each row lives in the working copy, all in packed typed arrays: the caller
 * pages rows by slicing bytes, never by keeping a million objects.
 */
export interface ScanResult extends ValidationSummary, RowPlaces {
	/** Which engine produced it: 'js' (reference), 'wasm-simd', 'wasm'. */
	engine: string;
	/** JSON keys met after the preview (not columns of the layout, so not mapped). */
	extraKeys: string[];
	/**
	 * The distinct items of the column mapped to roles, gathered on the way (no second reading
	 * for the value-mapping step); null when no column is, or when the count could not be exact.
	 */
	roleValues: GatheredValues | null;
	/**
	 * The first row holding a duplicate key (a trimmed user_id, or a trimmed lower-cased email),
	 * -1 when none does: what an edit looks up to keep duplicates consistent without a re-scan.
	 */
	firstRowOfKey(key: DuplicateKey, value: string): number;
	/**
	 * The issues of one row with messages, given its fields and misplaced quote (re-read from the
	 * working copy).
	 */
	explain(
		row: number,
		fields: string[],
		fieldCount: number,
		malformedQuote?: MalformedQuote
	): RowIssue[];
}

/** The one interface every parse/validate path implements. */
export interface ScanEngine {
	readonly name: string;
	scan(request: ScanRequest): Promise<ScanResult>;
}
