import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encryptReport, generateRecipientKeyPair } from '../../../src/lib/core/report/cipher';
import { deleteAllLocalData, getDatabase } from '../../../src/lib/storage/db';
import { finishUpload, markRolledBack, startUpload } from '../../../src/lib/storage/outbox-store';
import {
	fileExpiresAt,
	forgetFile,
	purgeExpired,
	RETENTION_PERIODS
} from '../../../src/lib/storage/retention';
import {
	ackChunk,
	createSource,
	getSource,
	resultsByChunk,
	loadSource,
	putChunks,
	reportInfo,
	saveReport,
	saveScanCounts
} from '../../../src/lib/storage/sources';
import { bytesOf, CSV, sampleSource, sampleSummary } from './helpers';

const DAY = 24 * 60 * 60 * 1000;
/** The fixed clock: 1 Dec 2026, noon UTC. */
const START = Date.UTC(2026, 11, 1, 12);

beforeEach(async () => {
	vi.useFakeTimers({ toFake: ['Date'] });
	vi.setSystemTime(START);
	await deleteAllLocalData();
});

afterEach(() => {
	vi.useRealTimers();
});

/** A source scanned, uploaded (one chunk, acknowledged), completed, with an encrypted report. */
async function uploadedSource(): Promise<string> {
	const { id } = await createSource(sampleSource());
	await saveScanCounts(id, sampleSummary());
	await startUpload(id, {
		rows: 2,
		rowsPerChunk: 1000,
		bytesPerChunk: 1 << 20,
		destination: { url: 'http://localhost:8787/api/v1', mode: 'create', upsert: false }
	});
	await putChunks(id, [
		{ seq: 0, key: 'k0', body: bytesOf('gzip body'), rows: new Uint32Array([1, 2]) }
	]);
	await ackChunk(id, 0, [
		{ row: 1, status: 'imported' },
		{ row: 2, status: 'imported' }
	]);
	await finishUpload(id);
	const { publicKey } = await generateRecipientKeyPair();
	await saveReport(
		id,
		await encryptReport(bytesOf('row,reason\n3,bad\n'), { recipients: [publicKey] })
	);
	return id;
}

/** Every stored byte of the raw file or a preview row, as strings: where "Ann" would be. */
async function plaintextRows(): Promise<string> {
	const db = getDatabase();
	const files = await db.files.toArray();
	const previews = await db.previews.toArray();
	const texts = await Promise.all(files.map((file) => file.original.text()));
	return texts.join('') + JSON.stringify(previews);
}

describe('purgeExpired', () => {
	it('forgets the file and preview once the retention period after completion has passed, keeping the rest', async () => {
		const id = await uploadedSource();
		const completed = (await getSource(id))!;
		expect(fileExpiresAt(completed, '7d')).toBe(START + 7 * DAY);
		expect(await plaintextRows()).toContain('Ann');

		expect(await purgeExpired(START + 7 * DAY - 1, '7d')).toEqual([]);
		expect(await loadSource(id)).not.toBeNull();

		const now = START + 7 * DAY;
		expect(await purgeExpired(now, '7d')).toEqual([id]);
		expect(await plaintextRows()).toBe('[]');
		expect(await loadSource(id)).toBeNull();
		const source = (await getSource(id))!;
		expect(source).toMatchObject({
			status: 'imported',
			counts: { rows: 3, valid: 2, invalid: 1 },
			resultCounts: { imported: 2 },
			fileForgottenAt: now,
			fileBytes: 0
		});
		expect(fileExpiresAt(source, '7d')).toBeNull();
		expect((await resultsByChunk(id)).flat()).toHaveLength(2);
		expect(await reportInfo(id)).toMatchObject({ sourceId: id });

		// Once is enough: a second purge has nothing to do.
		expect(await purgeExpired(now + DAY, '7d')).toEqual([]);
	});

	it('keeps files of runs that have not ended, and everything under "until I delete it"', async () => {
		const draft = await createSource(sampleSource({ fileName: 'draft.csv' }));
		const uploaded = await uploadedSource();
		expect(await purgeExpired(START + 365 * DAY, 'forever')).toEqual([]);
		expect(RETENTION_PERIODS.forever.ms).toBeNull();
		expect(fileExpiresAt((await getSource(uploaded))!, 'forever')).toBeNull();

		expect(await purgeExpired(START + 365 * DAY, '1d')).toEqual([uploaded]);
		expect(await loadSource(draft.id)).not.toBeNull();
	});

	it('counts the period from the rollback when the upload was rolled back', async () => {
		const id = await uploadedSource();
		vi.setSystemTime(START + 5 * DAY);
		await markRolledBack(id, { removedAccounts: 2, removedLinks: 0, keptUpdates: 0 });
		expect(await purgeExpired(START + 5 * DAY + DAY - 1, '1d')).toEqual([]);
		expect(await purgeExpired(START + 6 * DAY, '1d')).toEqual([id]);
	});

	it('follows a shorter setting at once', async () => {
		const id = await uploadedSource();
		expect(await purgeExpired(START + 2 * DAY, '30d')).toEqual([]);
		expect(await purgeExpired(START + 2 * DAY, '1d')).toEqual([id]);
	});
});

describe('forgetFile', () => {
	it('forgets a file at once, whatever the retention, and says so once', async () => {
		const { id } = await createSource(sampleSource());
		expect(await forgetFile(id)).toBe(true);
		expect(await forgetFile(id)).toBe(false);
		expect(await plaintextRows()).toBe('[]');
		expect(await getSource(id)).toMatchObject({ fileForgottenAt: START, fileBytes: 0 });
		expect(CSV).toContain('Ann');
	});

	it('leaves an upload in progress alone, and an unknown source', async () => {
		const { id } = await createSource(sampleSource());
		await startUpload(id, {
			rows: 2,
			rowsPerChunk: 1000,
			bytesPerChunk: 1 << 20,
			destination: { url: 'http://localhost:8787/api/v1', mode: 'create', upsert: false }
		});
		expect(await forgetFile(id)).toBe(false);
		expect(await loadSource(id)).not.toBeNull();
		expect(await forgetFile('nope')).toBe(false);
	});
});
