import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { getDatabase } from '../../../src/lib/storage/db';
import {
	deleteExport,
	getExport,
	listExports,
	purgeExports,
	saveExport
} from '../../../src/lib/storage/exports';
import type { ExportRecord } from '../../../src/lib/storage/schema';

const DAY = 24 * 60 * 60 * 1000;

function record(
	id: string,
	startedAt: number,
	overrides: Partial<ExportRecord> = {}
): ExportRecord {
	return {
		id,
		destination: 'http://localhost:8787/api/v1',
		filters: { organization: 'acme' },
		format: 'csv',
		fields: ['user_id', 'email'],
		names: ['id', 'E-mail'],
		sample: false,
		status: 'complete',
		rows: 10,
		bytes: 300,
		cursor: null,
		// A handle is structured-cloned by IndexedDB; fake-indexeddb takes any cloneable value.
		file: {} as FileSystemFileHandle,
		target: 'private',
		fileName: 'users.csv',
		message: null,
		startedAt,
		updatedAt: startedAt,
		endedAt: startedAt,
		...overrides
	};
}

afterEach(async () => {
	await getDatabase().exports.clear();
});

describe('the export log', () => {
	it('lists exports newest first and keeps where an unfinished one resumes', async () => {
		await saveExport(record('a', 1));
		await saveExport(
			record('b', 3, { status: 'interrupted', cursor: 'c2', bytes: 120, endedAt: null })
		);
		await saveExport(record('c', 2));
		expect((await listExports()).map((entry) => entry.id)).toEqual(['b', 'c', 'a']);
		expect(await getExport('b')).toMatchObject({ cursor: 'c2', bytes: 120, status: 'interrupted' });
		await deleteExport('b');
		expect(await getExport('b')).toBeUndefined();
	});

	it('forgets entries past the retention period, never a running export', async () => {
		const now = 100 * DAY;
		await saveExport(record('old', now - 8 * DAY));
		await saveExport(record('recent', now - 2 * DAY));
		await saveExport(record('stalled', now - 9 * DAY, { status: 'interrupted', endedAt: null }));
		await saveExport(record('running', now - 9 * DAY, { status: 'running', endedAt: null }));
		const purged = await purgeExports('7d', now);
		expect(purged.map((entry) => entry.id).sort()).toEqual(['old', 'stalled']);
		expect((await listExports()).map((entry) => entry.id).sort()).toEqual(['recent', 'running']);
		expect(await purgeExports('forever', now + 1000 * DAY)).toEqual([]);
	});
});
