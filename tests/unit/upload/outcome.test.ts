import { describe, expect, it } from 'vitest';
import {
	listStatusText,
	formatRunDuration,
	runOutcome,
	runTimes,
	uploadStatusText,
	type OutcomeTone
} from '../../../src/lib/upload/outcome';
import type { ImportMode } from '../../../src/lib/core/protocol/import-api';
import type { ResultStatus, SourceStatus, UploadRecord } from '../../../src/lib/storage/schema';

interface Case {
	name: string;
	status: SourceStatus;
	results: Partial<Record<ResultStatus, number>>;
	mode: ImportMode | null;
	panel: string;
	list: string;
	tone: OutcomeTone;
	noAccounts: boolean;
}

/** Counts are written in the locale's digits: 1,150 in English. */
const THOUSANDS = (1150).toLocaleString();

const cases: Case[] = [
	{
		name: 'link mode into a destination without accounts',
		status: 'imported',
		results: { not_found: 296 },
		mode: 'link',
		panel: 'Complete: 0 imported, 296 not found',
		list: '0 imported · 296 not found',
		tone: 'bad',
		noAccounts: true
	},
	{
		name: 'every row applied',
		status: 'imported',
		results: { imported: 1150 },
		mode: 'create',
		panel: `Complete: ${THOUSANDS} imported`,
		list: `${THOUSANDS} imported`,
		tone: 'ok',
		noAccounts: false
	},
	{
		name: 'created and updated',
		status: 'imported',
		results: { imported: 3, updated: 2 },
		mode: 'create',
		panel: 'Complete: 3 imported, 2 updated',
		list: '3 imported · 2 updated',
		tone: 'ok',
		noAccounts: false
	},
	{
		name: 'some refused, in protocol order',
		status: 'imported',
		results: { not_found: 30, imported: 1150, already_connected: 4 },
		mode: 'link',
		panel: `Complete: ${THOUSANDS} imported, 4 already connected, 30 not found`,
		list: `${THOUSANDS} imported · 4 already connected · 30 not found`,
		tone: 'warn',
		noAccounts: false
	},
	{
		name: 'every row not found in create mode (no link hint)',
		status: 'imported',
		results: { not_found: 5 },
		mode: 'create',
		panel: 'Complete: 0 imported, 5 not found',
		list: '0 imported · 5 not found',
		tone: 'bad',
		noAccounts: false
	},
	{
		name: 'only updated rows are applied rows',
		status: 'imported',
		results: { updated: 7 },
		mode: 'create',
		panel: 'Complete: 0 imported, 7 updated',
		list: '0 imported · 7 updated',
		tone: 'ok',
		noAccounts: false
	},
	{
		name: 'answers the destination no longer had',
		status: 'imported',
		results: { imported: 2, unknown: 1 },
		mode: 'link',
		panel: 'Complete: 2 imported, 1 unknown',
		list: '2 imported · 1 unknown',
		tone: 'warn',
		noAccounts: false
	},
	{
		name: 'a run with no rows answered',
		status: 'imported',
		results: {},
		mode: 'link',
		panel: 'Complete',
		list: 'Imported',
		tone: 'bad',
		noAccounts: false
	},
	{
		name: 'cancelled after some rows',
		status: 'cancelled',
		results: { imported: 40 },
		mode: 'create',
		panel: 'Cancelled: 40 imported',
		list: 'Upload cancelled',
		tone: 'warn',
		noAccounts: false
	},
	{
		name: 'cancelled with nothing applied',
		status: 'cancelled',
		results: { not_found: 6 },
		mode: 'link',
		panel: 'Cancelled: 0 imported, 6 not found',
		list: 'Upload cancelled',
		tone: 'bad',
		noAccounts: true
	},
	{
		name: 'still uploading',
		status: 'uploading',
		results: { imported: 10 },
		mode: 'link',
		panel: 'Uploading',
		list: 'Uploading',
		tone: 'warn',
		noAccounts: false
	},
	{
		name: 'rolled back',
		status: 'rolled_back',
		results: { imported: 10 },
		mode: 'create',
		panel: 'Rolled back',
		list: 'Rolled back',
		tone: 'bad',
		noAccounts: false
	},
	{
		name: 'a draft',
		status: 'draft',
		results: {},
		mode: null,
		panel: 'Not uploaded',
		list: 'Draft',
		tone: '',
		noAccounts: false
	}
];

describe('the status of a run', () => {
	it.each(cases)('$name', ({ status, results, mode, panel, list, tone, noAccounts }) => {
		const outcome = runOutcome(status, results, mode);
		expect(uploadStatusText(status, outcome)).toBe(panel);
		expect(listStatusText(status, outcome)).toBe(list);
		expect(outcome.tone).toBe(tone);
		expect(outcome.noAccounts).toBe(noAccounts);
	});
});

describe('runTimes', () => {
	const upload = (times: Partial<UploadRecord>): UploadRecord => ({
		chunkCount: 1,
		rows: 6,
		rowsPerChunk: 500,
		bytesPerChunk: 1_000_000,
		startedAt: 1_000,
		completedAt: null,
		cancelledAt: null,
		rolledBackAt: null,
		rollback: null,
		...times
	});

	it('has no end while the run is going', () => {
		expect(runTimes(upload({}))).toEqual({
			startedAt: 1_000,
			end: null,
			rolledBackAt: null
		});
	});

	it('ends at completion, and a later rollback is its own event', () => {
		expect(runTimes(upload({ completedAt: 4_500, rolledBackAt: 9_000 }))).toEqual({
			startedAt: 1_000,
			end: { at: 4_500, as: 'completed' },
			rolledBackAt: 9_000
		});
	});

	it('ends when cancelled', () => {
		expect(runTimes(upload({ cancelledAt: 2_000 })).end).toEqual({ at: 2_000, as: 'cancelled' });
	});

	it('a run stopped halfway ends with its rollback', () => {
		expect(runTimes(upload({ rolledBackAt: 7_000 }))).toEqual({
			startedAt: 1_000,
			end: { at: 7_000, as: 'rolled back' },
			rolledBackAt: null
		});
	});
});

describe('formatRunDuration', () => {
	it('says a sub-second run took under a second, longer ones as the progress bars do', () => {
		expect(formatRunDuration(0)).toBe('under 1 s');
		expect(formatRunDuration(999)).toBe('under 1 s');
		expect(formatRunDuration(1_000)).toBe('1 s');
		expect(formatRunDuration(185_000)).toBe('3 min 5 s');
		expect(formatRunDuration(3_840_000)).toBe('1 h 4 min');
	});
});
