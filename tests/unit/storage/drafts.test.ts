import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encryptReport, generateRecipientKeyPair } from '../../../src/lib/core/report/cipher';
import { deleteAllLocalData, getDatabase } from '../../../src/lib/storage/db';
import {
	createSource,
	getSource,
	listSources,
	purgeStaleDrafts,
	renameSource,
	saveReport,
	saveScanCounts,
	STALE_DRAFT_MS,
	updateSource
} from '../../../src/lib/storage/sources';
import { bytesOf, sampleSource, sampleSummary } from './helpers';

const NOW = Date.UTC(2026, 5, 1, 12);
const HOUR = 60 * 60 * 1000;

beforeEach(async () => {
	await deleteAllLocalData();
});

afterEach(() => {
	vi.restoreAllMocks();
});

/** Runs `write` with Date.now() fixed at `at`, so stored times are known. */
async function at<T>(time: number, write: () => Promise<T>): Promise<T> {
	const clock = vi.spyOn(Date, 'now').mockReturnValue(time);
	try {
		return await write();
	} finally {
		clock.mockRestore();
	}
}

describe('renameSource', () => {
	it('stores the new name, trimmed, and leaves the file name alone', async () => {
		const source = await createSource(sampleSource());
		expect(source.name).toBe('users.csv');
		expect(await renameSource(source.id, '  March import  ')).toBe(true);
		expect(await getSource(source.id)).toMatchObject({
			name: 'March import',
			fileName: 'users.csv'
		});
	});

	it('gives back the file name for an empty name', async () => {
		const source = await createSource(sampleSource());
		await renameSource(source.id, 'March import');
		await renameSource(source.id, '   ');
		expect((await getSource(source.id))?.name).toBe('users.csv');
	});

	it('answers false for a source that no longer exists', async () => {
		expect(await renameSource('gone', 'x')).toBe(false);
	});
});

describe('purgeStaleDrafts', () => {
	it('deletes only drafts nobody took further for 24 hours, with everything stored for them', async () => {
		const old = NOW - STALE_DRAFT_MS - HOUR;
		const stale = await at(old, () => createSource(sampleSource({ fileName: 'stale.csv' })));
		const recent = await at(NOW - 23 * HOUR, () =>
			createSource(sampleSource({ fileName: 'recent.csv' }))
		);
		await at(old, async () => {
			const source = await createSource(sampleSource({ fileName: 'validated.csv' }));
			await saveScanCounts(source.id, sampleSummary());
			return source.id;
		});
		await at(old, async () => {
			const source = await createSource(sampleSource({ fileName: 'reported.csv' }));
			const { publicKey } = await generateRecipientKeyPair();
			await saveReport(
				source.id,
				await encryptReport(bytesOf('row\r\n'), { recipients: [publicKey] })
			);
			return source.id;
		});
		await at(old, async () => {
			const source = await createSource(sampleSource({ fileName: 'uploaded.csv' }));
			await updateSource(source.id, { status: 'cancelled' });
			return source.id;
		});

		expect(await purgeStaleDrafts(NOW)).toEqual([stale.id]);

		const left = (await listSources()).map((source) => source.fileName).sort();
		expect(left).toEqual(['recent.csv', 'reported.csv', 'uploaded.csv', 'validated.csv']);
		const db = getDatabase();
		expect(await db.files.get(stale.id)).toBeUndefined();
		expect(await db.previews.get(stale.id)).toBeUndefined();
		// A day later the recent draft is stale too; the others never are.
		expect(await purgeStaleDrafts(NOW + 2 * HOUR)).toEqual([recent.id]);
	});

	it('keeps a draft that was renamed or otherwise changed within the last 24 hours', async () => {
		const source = await at(NOW - 3 * STALE_DRAFT_MS, () => createSource(sampleSource()));
		await at(NOW - HOUR, () => renameSource(source.id, 'Kept'));
		expect(await purgeStaleDrafts(NOW)).toEqual([]);
		expect((await getSource(source.id))?.name).toBe('Kept');
	});
});
