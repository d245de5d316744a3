import { FerryError } from './errors';

/**
 * The bounds that keep a hostile or pathological file from taking Ferry's memory: the app, the
 * CLI and their tests import them from here. Their reasons are in docs/inputs.md ("Limits").
 */

/** How far a compressed file may expand while it is read; past either bound, reading stops. */
export interface DecompressionLimits {
	/** The most decompressed bytes. */
	maxBytes: number;
	/** The most decompressed bytes per compressed byte read, checked past RATIO_CHECKED_AFTER. */
	maxRatio: number;
}

/**
 * 4 GiB is four times the largest export Ferry is sized for (1 GB); 100:1 is fifteen times what a
 * real export compresses to (the bench export: 6.5:1) while a gzip bomb of repeated rows is
 * 200:1 to 1000:1.
 */
export const DEFAULT_DECOMPRESSION_LIMITS: DecompressionLimits = {
	maxBytes: 4 * 1024 ** 3,
	maxRatio: 100
};

/** The ratio is judged only once this much is decompressed: a small file's header may be tiny. */
export const RATIO_CHECKED_AFTER = 16 * 1024 * 1024;

/**
 * The most data rows one file may have. Each row costs about 24 bytes of bookkeeping (its byte
 * range, line and verdict) however short it is: 20 million rows stay under half a gigabyte of it.
 */
export const MAX_ROWS_PER_FILE = 20_000_000;

/** The error a scan throws at the row after MAX_ROWS_PER_FILE (unless --max-rows stopped it before). */
export function tooManyRows(): FerryError {
	return new FerryError(
		'too_many_rows',
		`This file has more than ${MAX_ROWS_PER_FILE.toLocaleString('en-US')} rows, the most Ferry checks in one file: split it into smaller files.`
	);
}

/**
 * The most bytes one record may take in the working copy (its byte range as a scan stores it: a
 * CSV record with its line break, a JSON record from `{` to `}`). A longer record becomes the row
 * issue record_too_large and is skipped unread. 16 MiB is hundreds of times any real user row,
 * while reading one costs about 7× its size at peak (bytes, text, copies): about 110 MB, far under
 * the 2 GB a tab or the CLI may take, and far under V8's longest string (about 512 MiB).
 */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * Working-copy bytes per range worker in the browser. Each range worker holds up to about 60 MB of
 * read slices and results before its first garbage collection (V8 collects a worker's buffers by
 * its own external-memory limit, whatever the file's size): a fixed cost that the bound of
 * 1.5 × the file + 250 MB affords once per 256 MiB of file, but not twice on a 100 MB one
 * (docs/performance.md, "Peak memory against file size").
 */
export const BYTES_PER_RANGE_WORKER = 256 * 1024 * 1024;

/** Range workers for a working copy of `bytes`: one per 256 MiB begun, at most one per core. */
export function rangeWorkersFor(bytes: number, cores: number): number {
	return Math.max(1, Math.min(cores, Math.ceil(bytes / BYTES_PER_RANGE_WORKER)));
}

/**
 * The most distinct roles a file's roles column is read for (the value-mapping step lists them):
 * beyond, the step says that only the first ones are shown.
 */
export const ROLE_VALUES_CAP = 200;

/** The most characters of one value shown in a preview, a page of rows or the CLI's sample. */
export const SHOWN_VALUE_CHARS = 1000;

/**
 * `value` cut to `max` characters, with a marker saying how many were left out; a value that fits
 * is returned as is. A surrogate pair is never cut in half.
 */
export function capValue(value: string, max = SHOWN_VALUE_CHARS): string {
	if (value.length <= max) return value;
	let end = max;
	const last = value.charCodeAt(end - 1);
	if (last >= 0xd800 && last <= 0xdbff) end--;
	return `${value.slice(0, end)}…[+${value.length - end} characters]`;
}

/** Every value of a row through capValue. */
export function capValues(fields: string[], max = SHOWN_VALUE_CHARS): string[] {
	return fields.some((field) => field.length > max)
		? fields.map((field) => capValue(field, max))
		: fields;
}

/** Bytes as the limits' messages write them: "4 GiB", "512 MiB". */
export function formatBytes(bytes: number): string {
	for (const [unit, size] of [
		['GiB', 1024 ** 3],
		['MiB', 1024 ** 2],
		['KiB', 1024]
	] as const)
		if (bytes >= size) return `${+(bytes / size).toFixed(1)} ${unit}`;
	return `${bytes} bytes`;
}
