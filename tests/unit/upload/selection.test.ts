import { describe, expect, it } from 'vitest';
import type { UploadRowResult } from '../../../src/lib/upload/outbox';
import {
	latestAnswers,
	rowsToRetry,
	selectRows,
	selectedCount,
	type RowSelection
} from '../../../src/lib/upload/selection';

/** Valid rows as the parse worker yields them: ascending row numbers, gaps where rows had errors. */
const VALID = [1, 2, 4, 5, 7, 8, 9, 12].map((row) => ({ row }));

async function picked(selection: RowSelection, rows = VALID): Promise<number[]> {
	const out: number[] = [];
	for await (const entry of selectRows(rows, selection)) out.push(entry.row);
	return out;
}

describe('selectRows', () => {
	it('keeps every valid row for all', async () => {
		expect(await picked({ kind: 'all' })).toEqual([1, 2, 4, 5, 7, 8, 9, 12]);
	});

	it('takes the first N valid rows (not the first N row numbers) and the rest after them', async () => {
		expect(await picked({ kind: 'first', count: 3 })).toEqual([1, 2, 4]);
		expect(await picked({ kind: 'after', count: 3 })).toEqual([5, 7, 8, 9, 12]);
		expect(await picked({ kind: 'first', count: 100 })).toEqual(await picked({ kind: 'all' }));
		expect(await picked({ kind: 'after', count: 100 })).toEqual([]);
		expect(await picked({ kind: 'first', count: 0 })).toEqual([]);
	});

	it('sample and rest together send every valid row exactly once', async () => {
		for (const count of [0, 1, 4, 8, 9]) {
			const both = [
				...(await picked({ kind: 'first', count })),
				...(await picked({ kind: 'after', count }))
			];
			expect(both).toEqual(VALID.map((entry) => entry.row));
		}
	});

	it('stops reading once the sample is full', async () => {
		let read = 0;
		function* counting() {
			for (const entry of VALID) {
				read++;
				yield entry;
			}
		}
		const out: number[] = [];
		for await (const entry of selectRows(counting(), { kind: 'first', count: 2 }))
			out.push(entry.row);
		expect(out).toEqual([1, 2]);
		expect(read).toBe(2);
	});

	it('sends only the listed rows that are still valid, and stops after the last', async () => {
		let read = 0;
		function* counting() {
			for (const entry of VALID) {
				read++;
				yield entry;
			}
		}
		const out: number[] = [];
		// Row 3 had an error (an edit broke it, say): it is not valid, so not sent.
		for await (const entry of selectRows(counting(), { kind: 'rows', rows: [3, 4, 8] }))
			out.push(entry.row);
		expect(out).toEqual([4, 8]);
		expect(read).toBe(7);
	});

	it('counts what a selection sends', () => {
		expect(selectedCount({ kind: 'all' }, 8)).toBe(8);
		expect(selectedCount({ kind: 'first', count: 3 }, 8)).toBe(3);
		expect(selectedCount({ kind: 'first', count: 30 }, 8)).toBe(8);
		expect(selectedCount({ kind: 'after', count: 3 }, 8)).toBe(5);
		expect(selectedCount({ kind: 'after', count: 30 }, 8)).toBe(0);
		expect(selectedCount({ kind: 'rows', rows: [4, 8] }, 8)).toBe(2);
	});
});

describe('rows to retry', () => {
	const main: UploadRowResult[] = [
		{ row: 1, status: 'imported' },
		{ row: 2, status: 'not_found', reason: 'no account has this email' },
		{ row: 3, status: 'name_mismatch', reason: "name differs from the account's" },
		{ row: 4, status: 'invalid_row', reason: 'email is not a valid address' },
		{ row: 5, status: 'unknown', reason: 'applied earlier; the server no longer has its answer' },
		{ row: 6, status: 'already_connected' },
		{ row: 7, status: 'updated' }
	];

	it('are the refused rows: not applied and not unknown', () => {
		expect(rowsToRetry([main])).toEqual([2, 3, 4, 6]);
	});

	it('follow the latest answer over the runs: a retry that imported a row takes it off', () => {
		const retry: UploadRowResult[] = [
			{ row: 2, status: 'imported' },
			{ row: 3, status: 'already_exists', reason: 'an account with this email exists' },
			{ row: 4, status: 'invalid_row', reason: 'email is not a valid address' }
		];
		expect(rowsToRetry([main, retry])).toEqual([3, 4, 6]);
		expect(latestAnswers([main, retry]).get(3)).toEqual(retry[1]);
		expect(rowsToRetry([main, retry, [{ row: 3, status: 'imported' }]])).toEqual([4, 6]);
	});

	it('a sample and the rest are runs over different rows', () => {
		const sample: UploadRowResult[] = [{ row: 1, status: 'not_found' }];
		const rest: UploadRowResult[] = [
			{ row: 2, status: 'imported' },
			{ row: 3, status: 'not_found' }
		];
		expect(rowsToRetry([sample, rest])).toEqual([1, 3]);
	});
});
