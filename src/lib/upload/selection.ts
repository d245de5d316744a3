/**
 * Which of a source's valid rows one run sends, and which rows a retry sends again. Pure: the
 * parse worker filters the rows it builds chunks from; the upload state picks the rows to retry
 * from the stored answers.
 */
import { isApplied } from '../core/protocol/import-api';
import type { UploadRowResult } from './outbox';

export type RowSelection =
	/** Every valid row. */
	| { kind: 'all' }
	/** The first `count` valid rows: a sample sent before the rest. */
	| { kind: 'first'; count: number }
	/** Every valid row but the first `count`: the rest after a sample. */
	| { kind: 'after'; count: number }
	/** These 1-based row numbers (those still valid), ascending: a retry. */
	| { kind: 'rows'; rows: number[] };

export const ALL_ROWS: RowSelection = { kind: 'all' };

/** The default size of a sample ("Try the first N rows"). */
export const DEFAULT_SAMPLE_ROWS = 100;

/** The rows of `rows` (valid rows in file order) that `selection` keeps; reads no further than it needs. */
export async function* selectRows<T extends { row: number }>(
	rows: AsyncIterable<T> | Iterable<T>,
	selection: RowSelection
): AsyncGenerator<T> {
	if (selection.kind === 'first' && selection.count <= 0) return;
	const wanted = selection.kind === 'rows' ? new Set(selection.rows) : null;
	const last = selection.kind === 'rows' ? Math.max(0, ...selection.rows) : Infinity;
	let seen = 0;
	for await (const entry of rows) {
		const index = seen++;
		if (selection.kind === 'first') {
			yield entry;
			if (seen >= selection.count) return;
		} else if (selection.kind === 'after') {
			if (index >= selection.count) yield entry;
		} else if (wanted) {
			if (entry.row > last) return;
			if (wanted.has(entry.row)) yield entry;
		} else {
			yield entry;
		}
	}
}

/** How many of `valid` rows the selection sends (a retry's rows that are no longer valid aside). */
export function selectedCount(selection: RowSelection, valid: number): number {
	switch (selection.kind) {
		case 'all':
			return valid;
		case 'first':
			return Math.min(Math.max(0, selection.count), valid);
		case 'after':
			return Math.max(0, valid - selection.count);
		case 'rows':
			return Math.min(selection.rows.length, valid);
	}
}

/** Refused: answered, not applied, and known not to be ('unknown' may have been applied). */
export function isRefused(status: UploadRowResult['status']): boolean {
	return !isApplied(status) && status !== 'unknown';
}

/**
 * Each row's latest answer over a source's runs, given oldest run first: a row a retry imported
 * is no longer refused, one it refused again keeps the new reason.
 */
export function latestAnswers(
	runs: Iterable<Iterable<UploadRowResult>>
): Map<number, UploadRowResult> {
	const latest = new Map<number, UploadRowResult>();
	for (const run of runs) for (const result of run) latest.set(result.row, result);
	return latest;
}

/** The rows to send again: those whose latest answer is a refusal, ascending. */
export function rowsToRetry(runs: Iterable<Iterable<UploadRowResult>>): number[] {
	const rows: number[] = [];
	for (const [row, result] of latestAnswers(runs)) if (isRefused(result.status)) rows.push(row);
	return rows.sort((a, b) => a - b);
}
