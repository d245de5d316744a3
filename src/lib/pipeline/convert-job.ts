/**
 * A conversion of a scanned source's valid rows (the app's Export page, run in the parse worker):
 * the pre-flight with the source rows it leaves out, then the pieces written to output files with
 * progress. Pure: where the bytes go is the caller's `OutputFiles`.
 */
import {
	CensusBuilder,
	convert,
	preflight,
	renamable,
	type ConvertOptions,
	type PreflightItem,
	type SkipReason,
	type Target
} from '../core/convert';
import { chosenRecords } from '../core/convert/records';
import type { FieldName } from '../core/types';
import type { CanonicalRecord } from '../core/validate/normalize';
import type { ValidRow } from './session';

/** Source rows listed per reason a user is left out (the count says how many more). */
export const ROWS_LISTED = 10;

/** A pre-flight line; a `left_out` one also lists the first source rows it concerns. */
export interface ListedPreflightItem extends PreflightItem {
	rows?: number[];
}

export interface ConvertPreflight {
	/** Records the writer will read (the sample applied): the progress's total. */
	records: number;
	items: ListedPreflightItem[];
}

/** The rows' records, remembering the source row of the last one read (the writer pulls one at a time). */
function recordsOf(rows: AsyncIterable<ValidRow>, seen: { row: number; count: number }) {
	return (async function* (): AsyncIterable<CanonicalRecord> {
		for await (const { row, record } of rows) {
			seen.row = row;
			seen.count++;
			yield record;
		}
	})();
}

/** What the target cannot take, counted over the rows as the writer will read them. */
export async function preflightOf(
	target: Target,
	rows: AsyncIterable<ValidRow>,
	options: ConvertOptions,
	signal?: AbortSignal
): Promise<ConvertPreflight> {
	const builder = new CensusBuilder(target);
	const listed = new Map<SkipReason, number[]>();
	const seen = { row: 0, count: 0 };
	for await (const [record] of chosenRecords(recordsOf(rows, seen), options)) {
		signal?.throwIfAborted();
		builder.add(record);
		const reason = target.skipReason(record);
		if (!reason) continue;
		const list = listed.get(reason) ?? [];
		if (list.length < ROWS_LISTED) list.push(seen.row);
		listed.set(reason, list);
	}
	const items = preflight(builder).map((item) =>
		item.outcome === 'left_out' ? { ...item, rows: listed.get(item.subject as SkipReason) } : item
	);
	return { records: builder.census.records, items };
}

/** Where the pieces go: one file per name, written in order, closed at its `file` piece. */
export interface OutputFiles {
	write(name: string, chunk: Uint8Array): void | Promise<void>;
	close(name: string): void | Promise<void>;
}

export interface WrittenFile {
	name: string;
	bytes: number;
	rows: number;
}

export interface ConvertOutcome {
	files: WrittenFile[];
	/** Users written (the users files' rows; an id map's rows are not users). */
	rows: number;
	skipped: Partial<Record<SkipReason, number>>;
}

export interface ConvertProgress {
	done: number;
	total: number;
}

/** At most this often a progress report (each one crosses to the page). */
const PROGRESS_EVERY_MS = 100;

/** Writes the target's files of the rows into `out`, reporting rows read of `total`. */
export async function writeConversion(
	target: Target,
	rows: AsyncIterable<ValidRow>,
	options: ConvertOptions,
	out: OutputFiles,
	progress: { total: number; report(progress: ConvertProgress): void; signal?: AbortSignal }
): Promise<ConvertOutcome> {
	const seen = { row: 0, count: 0 };
	const outcome: ConvertOutcome = { files: [], rows: 0, skipped: {} };
	let reportedAt = 0;
	for await (const piece of convert(target, recordsOf(rows, seen), options)) {
		progress.signal?.throwIfAborted();
		if (piece.kind === 'skip')
			outcome.skipped[piece.reason] = (outcome.skipped[piece.reason] ?? 0) + 1;
		else if (piece.kind === 'data') await out.write(piece.name, piece.chunk);
		else {
			await out.close(piece.name);
			outcome.files.push({ name: piece.name, bytes: piece.bytes, rows: piece.rows });
			if (piece.name.startsWith('users')) outcome.rows += piece.rows;
		}
		const now = Date.now();
		if (now - reportedAt >= PROGRESS_EVERY_MS) {
			reportedAt = now;
			progress.report({ done: Math.min(seen.count, progress.total), total: progress.total });
		}
	}
	progress.report({ done: progress.total, total: progress.total });
	return outcome;
}

/**
 * The core's options from the page's choices: the chosen fields in order (none passed when they are
 * exactly the target's default set, so the pre-flight still says what the target drops), renames
 * only where the target allows them and the name changes, and the sample.
 */
export function convertOptions(
	target: Target,
	choice: {
		fields: readonly FieldName[];
		rename: Partial<Record<FieldName, string>>;
		sample: number | null;
	}
): ConvertOptions {
	const options: ConvertOptions = {};
	const defaults = target.holds;
	const isDefault =
		choice.fields.length === defaults.length &&
		choice.fields.every((field, i) => field === defaults[i]);
	if (!isDefault) options.fields = [...choice.fields];
	if (renamable(target)) {
		const rename: Partial<Record<FieldName, string>> = {};
		for (const field of choice.fields) {
			const name = choice.rename[field]?.trim();
			if (name && name !== field) rename[field] = name;
		}
		if (Object.keys(rename).length > 0) options.rename = rename;
	}
	if (choice.sample !== null) options.sample = choice.sample;
	return options;
}

/** Why the choices cannot be written as they are, or null. */
export function choiceProblem(choice: {
	fields: readonly FieldName[];
	rename: Partial<Record<FieldName, string>>;
	sample: number | null;
}): string | null {
	if (choice.fields.length === 0) return 'Choose at least one field.';
	if (choice.sample !== null && !(Number.isInteger(choice.sample) && choice.sample > 0))
		return 'The sample takes a whole number above zero.';
	const names = choice.fields.map((field) => choice.rename[field]?.trim() || field);
	const twice = names.find((name, i) => names.indexOf(name) !== i);
	return twice ? `Two fields would be written as “${twice}”.` : null;
}

/** The ZIP's name: "users-hanko.zip" from "users.ndjson" and hanko. */
export function zipName(sourceName: string, target: string): string {
	const stem =
		sourceName
			.split(/[\\/]/)
			.pop()!
			.replace(/\.[^.]*$/, '') || 'users';
	return `${stem}-${target}.zip`;
}

/** "Ferry: users.ndjson converted for Hanko" / "4 users in 2 files, 1 left out". */
export function convertMessage(
	sourceName: string,
	targetLabel: string,
	outcome: ConvertOutcome
): { title: string; body: string } {
	const left = Object.values(outcome.skipped).reduce((sum, count) => sum + (count ?? 0), 0);
	const files = outcome.files.length;
	return {
		title: `Ferry: ${sourceName} converted for ${targetLabel}`,
		body:
			`${outcome.rows.toLocaleString()} ${outcome.rows === 1 ? 'user' : 'users'} in ${files} ${files === 1 ? 'file' : 'files'}` +
			(left > 0 ? `, ${left.toLocaleString()} left out` : '')
	};
}
