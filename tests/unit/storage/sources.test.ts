import 'fake-indexeddb/auto';
import { liveQuery } from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { headerSignature } from '../../../src/lib/core/mapping/automap';
import type { Mapping } from '../../../src/lib/core/types';
import { encryptReport, generateRecipientKeyPair } from '../../../src/lib/core/report/cipher';
import { deleteAllLocalData, getDatabase } from '../../../src/lib/storage/db';
import {
	ackChunk,
	createSource,
	deleteSource,
	findProfile,
	getSource,
	listSources,
	loadReport,
	loadSource,
	putChunks,
	reportInfo,
	saveProfile,
	saveReport,
	saveScanCounts,
	updateSource
} from '../../../src/lib/storage/sources';
import { blobBytes, bytesOf, CSV, sampleSource, sampleSummary } from './helpers';

beforeEach(async () => {
	await deleteAllLocalData();
});

afterEach(() => {
	vi.restoreAllMocks();
});

/** Rows stored for a source, per table. */
async function rowsOf(sourceId: string) {
	const db = getDatabase();
	return {
		sources: await db.sources.where('id').equals(sourceId).count(),
		files: await db.files.where('sourceId').equals(sourceId).count(),
		previews: await db.previews.where('sourceId').equals(sourceId).count(),
		results: await db.results.where('sourceId').equals(sourceId).count(),
		reports: await db.reports.where('sourceId').equals(sourceId).count(),
		outbox: await db.outbox.where('sourceId').equals(sourceId).count()
	};
}

async function encryptedReport(text: string): Promise<Uint8Array> {
	const { publicKey } = await generateRecipientKeyPair();
	return encryptReport(bytesOf(text), { recipients: [publicKey] });
}

describe('createSource / loadSource', () => {
	it('returns the file bytes, the preview and the source exactly as stored', async () => {
		const input = sampleSource();
		const created = await createSource(input);
		const loaded = await loadSource(created.id);

		expect(loaded?.source).toEqual(created);
		expect(created).toMatchObject({
			name: 'users.csv',
			status: 'draft',
			step: 'mapping',
			fileBytes: CSV.length,
			headerSignature: headerSignature(['email', 'name', 'user_id']),
			counts: null,
			destination: null
		});
		expect(loaded?.preview).toEqual(input.preview);
		expect(loaded?.file.original).toBeInstanceOf(Blob);
		expect(await blobBytes(loaded!.file.original)).toEqual(bytesOf(CSV));
		expect(loaded?.file).toEqual({
			sourceId: created.id,
			original: expect.any(Blob),
			name: 'users.csv',
			type: 'text/csv',
			lastModified: expect.any(Number)
		});
		expect(loaded?.hasReport).toBe(false);
		expect(loaded?.outbox).toEqual({ pending: 0, sent: 0, acked: 0 });
	});

	it('stores only the counts of a scan summary, with the changes to the source', async () => {
		const { id } = await createSource(sampleSource());
		expect(await saveScanCounts(id, sampleSummary())).toBe(true);
		expect((await getSource(id))?.counts).toEqual({ rows: 3, valid: 2, invalid: 1, warnings: 0 });
	});

	it('changes the source’s mapping and step in the same write as the counts', async () => {
		const { id } = await createSource(sampleSource());
		const mapping = ['email', null, 'user_id'] as const;
		const changes: unknown[] = [];
		const subscription = liveQuery(() => getSource(id)).subscribe((source) =>
			changes.push([source?.counts?.rows ?? null, source?.mapping[1], source?.step])
		);
		try {
			await saveScanCounts(id, sampleSummary(), { mapping: [...mapping], step: 'review' });
			await vi.waitFor(() => expect(changes.at(-1)).toEqual([3, null, 'review']));
			// Never the new counts beside the old mapping (two writes would show that in between).
			expect(changes).not.toContainEqual([3, 'name', 'mapping']);
		} finally {
			subscription.unsubscribe();
		}
		expect((await getSource(id))?.mapping).toEqual(mapping);
	});

	it('writes nothing when the compare-and-set check fails (a newer change from another tab)', async () => {
		const { id } = await createSource(sampleSource());
		const theirs = ['email', null, 'user_id'] as const;
		await updateSource(id, { mapping: [...theirs] });
		const stale: Mapping = ['email', 'name', 'user_id'];
		const unlessChanged = (current: { mapping: readonly unknown[] }) =>
			current.mapping[0] !== 'email' ? { mapping: stale } : null;
		expect(await saveScanCounts(id, sampleSummary(), unlessChanged)).toBe(false);
		expect((await getSource(id))?.mapping).toEqual(theirs);
		expect((await getSource(id))?.counts).toBeNull();
		// When the check holds, the same call writes.
		expect(await saveScanCounts(id, sampleSummary(), () => ({ mapping: stale }))).toBe(true);
		expect((await getSource(id))?.counts?.rows).toBe(3);
	});

	it('refuses counts for a source that does not exist', async () => {
		await expect(saveScanCounts('missing', sampleSummary())).rejects.toThrow(/does not exist/);
		expect(await listSources()).toEqual([]);
	});

	it('loads null for an unknown id', async () => {
		expect(await loadSource('missing')).toBeNull();
	});
});

describe('listSources / updateSource', () => {
	it('lists the most recently updated first', async () => {
		const clock = vi.spyOn(Date, 'now');
		clock.mockReturnValue(1_000);
		const first = await createSource(sampleSource({ name: 'first' }));
		clock.mockReturnValue(2_000);
		await createSource(sampleSource({ name: 'second' }));
		clock.mockReturnValue(3_000);
		expect(await updateSource(first.id, { step: 'review', status: 'uploading' })).toBe(true);

		const listed = await listSources();
		expect(listed.map((source) => source.name)).toEqual(['first', 'second']);
		expect(listed[0]).toMatchObject({ step: 'review', status: 'uploading' });
		expect(listed[0].updatedAt).toBe(3_000);
	});

	it('answers false when updating a source that no longer exists', async () => {
		expect(await updateSource('gone', { step: 'review' })).toBe(false);
		expect(await listSources()).toEqual([]);
	});
});

describe('deleteSource', () => {
	it('removes the source and everything stored for it, and nothing of other sources', async () => {
		const doomed = await createSource(sampleSource());
		const kept = await createSource(sampleSource({ name: 'kept' }));
		for (const { id } of [doomed, kept]) {
			await saveScanCounts(id, sampleSummary());
			await saveReport(id, await encryptedReport('row,status\n'));
			await putChunks(id, [
				{ seq: 0, key: 'k0', body: bytesOf('a'), rows: new Uint32Array([1]) },
				{ seq: 1, key: 'k1', body: bytesOf('b'), rows: new Uint32Array([2]) }
			]);
			await ackChunk(id, 0, [{ row: 1, status: 'imported' }]);
		}
		const everything = { sources: 1, files: 1, previews: 1, results: 1, reports: 1 };
		expect(await rowsOf(doomed.id)).toEqual({ ...everything, outbox: 2 });

		await deleteSource(doomed.id);

		const nothing = Object.fromEntries(Object.keys(everything).map((table) => [table, 0]));
		expect(await rowsOf(doomed.id)).toEqual({ ...nothing, outbox: 0 });
		expect(await rowsOf(kept.id)).toEqual({ ...everything, outbox: 2 });
		expect(await loadSource(doomed.id)).toBeNull();
	});
});

describe('deleteAllLocalData', () => {
	it('empties every table and leaves the database usable', async () => {
		const { id } = await createSource(sampleSource());
		await saveProfile('3:abc', ['email', null, 'user_id']);
		await deleteAllLocalData();

		const db = getDatabase();
		expect(db.isOpen()).toBe(true);
		for (const table of db.tables) expect(await table.count()).toBe(0);
		expect(await loadSource(id)).toBeNull();
		expect((await createSource(sampleSource())).id).not.toBe(id);
		expect(await listSources()).toHaveLength(1);
	});
});

describe('mapping profiles', () => {
	it.each([
		{
			input: { saved: ['email', 'Name', 'user_id'], asked: ['Email ', 'name', 'USER_ID'] },
			expected: ['email', null, 'user_id']
		},
		{ input: { saved: ['email', 'name', 'user_id'], asked: ['email', 'name'] }, expected: null },
		{
			input: { saved: ['email', 'name', 'user_id'], asked: ['mail', 'name', 'id'] },
			expected: null
		}
	])('finds the mapping of $input.asked saved for $input.saved', async ({ input, expected }) => {
		await saveProfile(headerSignature(input.saved), ['email', null, 'user_id']);
		expect(await findProfile(headerSignature(input.asked))).toEqual(expected);
	});

	it('keeps the latest mapping for a layout', async () => {
		const signature = headerSignature(['email', 'name']);
		await saveProfile(signature, ['email', null]);
		await saveProfile(signature, ['email', 'name']);
		expect(await findProfile(signature)).toEqual(['email', 'name']);
		expect(await getDatabase().profiles.count()).toBe(1);
	});
});

describe('saveReport', () => {
	it.each([{ input: 'Uint8Array' }, { input: 'Blob' }])(
		'stores an encrypted report given as a $input and returns its bytes',
		async ({ input }) => {
			const { id } = await createSource(sampleSource());
			const report = await encryptedReport('row,status\n3,invalid_row\n');
			await saveReport(
				id,
				input === 'Blob' ? new Blob([report as Uint8Array<ArrayBuffer>]) : report
			);

			expect(await blobBytes((await loadReport(id))!)).toEqual(report);
			expect((await loadSource(id))?.hasReport).toBe(true);
		}
	);

	it('refuses plaintext and stores nothing', async () => {
		const { id } = await createSource(sampleSource());
		await expect(saveReport(id, bytesOf('row,status\n3,invalid_row\n'))).rejects.toThrow(
			/not a Ferry report/
		);
		expect(await loadReport(id)).toBeNull();
	});

	it('replaces the previous report of the source', async () => {
		const { id } = await createSource(sampleSource());
		await saveReport(id, await encryptedReport('first'));
		const second = await encryptedReport('second');
		await saveReport(id, second);
		expect(await blobBytes((await loadReport(id))!)).toEqual(second);
		expect(await getDatabase().reports.count()).toBe(1);
	});

	it('keeps the row count and basis beside the bytes, read back by reportInfo', async () => {
		const { id } = await createSource(sampleSource({ name: 'legacy.csv' }));
		expect(await reportInfo(id)).toBeNull();
		const report = await encryptedReport('row,status\n3,invalid_row\n');
		await saveReport(id, report, { rows: 1, basis: 'mapping-a' });
		expect(await reportInfo(id)).toMatchObject({
			sourceId: id,
			sourceName: 'legacy.csv',
			size: report.length,
			rows: 1,
			basis: 'mapping-a'
		});
		await saveReport(id, report);
		expect(await reportInfo(id)).toMatchObject({ rows: null, basis: null });
		expect(await reportInfo('missing')).toBeNull();
	});
});

describe('getSource', () => {
	it('returns the record or null', async () => {
		const { id } = await createSource(sampleSource({ name: 'one' }));
		expect((await getSource(id))?.name).toBe('one');
		await deleteSource(id);
		expect(await getSource(id)).toBeNull();
	});
});

describe('liveQuery', () => {
	/** Subscribes to a live query; `next` waits for an emitted value that passes a test. */
	function observe<T>(query: () => Promise<T>) {
		const values: T[] = [];
		let failure: unknown = null;
		let wake = () => {};
		const subscription = liveQuery(query).subscribe({
			next(value) {
				values.push(value);
				wake();
			},
			error(error) {
				failure = error;
				wake();
			}
		});
		async function next(test: (value: T) => boolean): Promise<T> {
			for (;;) {
				if (failure) throw failure;
				const seen = values.find(test);
				if (seen !== undefined) return seen;
				await new Promise<void>((resolve) => (wake = resolve));
			}
		}
		return { next, stop: () => subscription.unsubscribe() };
	}

	it('re-runs listSources and loadSource when a write changes what they read', async () => {
		const { id } = await createSource(sampleSource({ name: 'watched' }));
		const list = observe(() => listSources());
		const loaded = observe(() => loadSource(id));
		try {
			await list.next((sources) => sources.length === 1);
			await loaded.next((source) => source?.source.counts === null);

			await createSource(sampleSource({ name: 'another' }));
			await saveScanCounts(id, sampleSummary());

			const names = await list.next((sources) => sources.length === 2);
			expect(names.map((source) => source.name).sort()).toEqual(['another', 'watched']);
			const counted = await loaded.next((source) => source?.source.counts !== null);
			expect(counted?.source.counts?.rows).toBe(3);
		} finally {
			list.stop();
			loaded.stop();
		}
	});
});
