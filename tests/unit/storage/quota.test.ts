import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deleteAllLocalData, getDatabase } from '../../../src/lib/storage/db';
import {
	formatBytes,
	isQuotaError,
	isStorageFullError,
	requestPersistence,
	storageState,
	StorageFullError
} from '../../../src/lib/storage/quota';
import {
	createSource,
	listSources,
	loadSource,
	saveScanCounts
} from '../../../src/lib/storage/sources';
import { sampleSource, sampleSummary, simulateQuota } from './helpers';

const quotaDom = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

beforeEach(async () => {
	await deleteAllLocalData();
});

afterEach(() => {
	vi.unstubAllGlobals();
});

describe('isQuotaError', () => {
	it.each([
		{ input: 'a raw DOMException', error: quotaDom(), expected: true },
		{
			input: "Firefox's legacy name",
			error: new DOMException('full', 'NS_ERROR_DOM_QUOTA_REACHED'),
			expected: true
		},
		{
			input: 'Dexie.QuotaExceededError',
			error: new Dexie.QuotaExceededError('full'),
			expected: true
		},
		{
			input: 'Dexie.AbortError with the quota error as inner',
			error: new Dexie.AbortError('Transaction aborted', quotaDom()),
			expected: true
		},
		{
			input: 'Dexie.BulkError with a quota failure',
			error: new Dexie.BulkError('1 of 2 failed', { 1: quotaDom() }),
			expected: true
		},
		{
			input: 'an Error with the quota error as cause',
			error: new Error('save failed', { cause: quotaDom() }),
			expected: true
		},
		{
			input: 'Dexie.AbortError without a quota inner',
			error: new Dexie.AbortError('Transaction aborted', new DOMException('x', 'ConstraintError')),
			expected: false
		},
		{
			input: 'a plain AbortError',
			error: new DOMException('aborted', 'AbortError'),
			expected: false
		},
		{
			input: 'Dexie.ConstraintError',
			error: new Dexie.ConstraintError('key exists'),
			expected: false
		},
		{ input: 'a string', error: 'QuotaExceededError', expected: false },
		{ input: 'null', error: null, expected: false }
	])('$input → $expected', ({ error, expected }) => {
		expect(isQuotaError(error)).toBe(expected);
	});
});

describe('storageState / requestPersistence', () => {
	it('reports unsupported where navigator.storage is missing (Node)', async () => {
		vi.stubGlobal('navigator', undefined);
		expect(await storageState()).toEqual({ persistence: 'unsupported', estimate: 'unsupported' });
		expect(await requestPersistence()).toBe('unsupported');
	});

	it.each([
		{
			input: { persisted: true, estimate: { usage: 1500, quota: 10_000 } },
			expected: { persistence: 'persisted', estimate: { usage: 1500, quota: 10_000 } }
		},
		{
			input: { persisted: false, estimate: {} },
			expected: { persistence: 'best-effort', estimate: 'unsupported' }
		}
	])('reads persisted=$input.persisted and the estimate', async ({ input, expected }) => {
		vi.stubGlobal('navigator', {
			storage: {
				persisted: async () => input.persisted,
				estimate: async () => input.estimate
			}
		});
		expect(await storageState()).toEqual(expected);
	});

	it.each([
		{ input: true, expected: 'persisted' },
		{ input: false, expected: 'best-effort' }
	])('requestPersistence: persist() answers $input → $expected', async ({ input, expected }) => {
		vi.stubGlobal('navigator', { storage: { persist: async () => input } });
		expect(await requestPersistence()).toBe(expected);
	});

	it('asks for persistence on the first source only', async () => {
		const persist = vi.fn(async () => true);
		vi.stubGlobal('navigator', { storage: { persist } });
		await createSource(sampleSource());
		await createSource(sampleSource());
		expect(persist).toHaveBeenCalledTimes(1);
	});
});

describe('StorageFullError', () => {
	it.each([
		{ input: 999, expected: '999 bytes' },
		{ input: 1_500, expected: '1.5 KB' },
		{ input: 123_400_000, expected: '123 MB' },
		{ input: 2_340_000_000, expected: '2.3 GB' }
	])('formatBytes($input) = $expected', ({ input, expected }) => {
		expect(formatBytes(input)).toBe(expected);
	});

	it('says what is used, what is free and what to delete', () => {
		const error = new StorageFullError(
			'the file “big.csv”',
			{ usage: 950_000_000, quota: 1_000_000_000 },
			[{ id: 'a', name: 'old.csv', bytes: 400_000_000 }]
		);
		expect(error.message).toBe(
			'Not enough storage space to save the file “big.csv”: nothing of it was saved. ' +
				"Ferry's data uses 950 MB of the 1.0 GB this browser allows here (50.0 MB free). " +
				'Delete sources you no longer need (largest: “old.csv”, 400 MB) or free disk space on ' +
				'this device, then try again.'
		);
		expect(isStorageFullError(error)).toBe(true);
	});
});

describe('a write that runs out of space', () => {
	it.each([
		{ input: 'request' as const, expected: 'QuotaExceededError' },
		{ input: 'commit' as const, expected: 'AbortError' }
	])(
		'$input fails: nothing of the source remains, and it saves once space is freed',
		async ({ input, expected }) => {
			const db = getDatabase();
			const kept = await createSource(sampleSource({ name: 'older.csv' }));
			vi.stubGlobal('navigator', {
				storage: { estimate: async () => ({ usage: 990, quota: 1000 }) }
			});
			// sources, files, previews: the third write of createSource fails.
			const quota = await simulateQuota(db, 'previews', input);
			try {
				const error = await createSource(sampleSource({ fileName: 'new.csv' })).catch((e) => e);
				expect(error).toBeInstanceOf(StorageFullError);
				expect(error.cause.name).toBe(expected);
				expect(isQuotaError(error.cause)).toBe(true);
				expect(error.message).toContain('the file “new.csv”');
				expect(error.message).toContain('uses 990 bytes of the 1.0 KB');
				expect(error.candidates).toEqual([
					{ id: kept.id, name: 'older.csv', bytes: kept.fileBytes }
				]);

				expect((await listSources()).map((source) => source.name)).toEqual(['older.csv']);
				expect(await db.files.count()).toBe(1);
				expect(await db.previews.count()).toBe(1);

				quota.control.failing = false;
				const created = await createSource(sampleSource({ fileName: 'new.csv' }));
				expect((await loadSource(created.id))?.file.name).toBe('new.csv');
				expect(await listSources()).toHaveLength(2);
			} finally {
				await quota.remove();
			}
		}
	);

	it('keeps the previous counts and mapping when new ones do not fit', async () => {
		const db = getDatabase();
		const { id } = await createSource(sampleSource());
		await saveScanCounts(id, sampleSummary());
		const quota = await simulateQuota(db, 'sources');
		try {
			const second = { ...sampleSummary(), valid: 3, invalid: 0 };
			await expect(
				saveScanCounts(id, second, { mapping: ['email', null, 'user_id'] })
			).rejects.toBeInstanceOf(StorageFullError);

			const loaded = await loadSource(id);
			expect(loaded?.source.counts).toMatchObject({ valid: 2, invalid: 1 });
			expect(loaded?.source.mapping).toEqual(['email', 'name', 'user_id']);
		} finally {
			await quota.remove();
		}
	});

	it('passes other failures through unchanged', async () => {
		await expect(saveScanCounts('missing', sampleSummary())).rejects.not.toBeInstanceOf(
			StorageFullError
		);
	});
});
