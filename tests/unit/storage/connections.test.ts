import 'fake-indexeddb/auto';
import Dexie, { type Transaction } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { FerryDatabase, type ConnectionNotice } from '../../../src/lib/storage/db';
import {
	SCHEMA_V1,
	SCHEMA_V2,
	SCHEMA_V3,
	SCHEMA_V4,
	type SourceRecord
} from '../../../src/lib/storage/schema';
import { blobBytes, bytesOf, samplePreview } from './helpers';
import { FerryDatabaseNext, uniqueName } from './helpers';

const opened: Dexie[] = [];

function track<T extends Dexie>(db: T): T {
	opened.push(db);
	return db;
}

afterEach(async () => {
	for (const db of opened.splice(0)) db.close();
});

function collect(db: FerryDatabase): ConnectionNotice[] {
	const notices: ConnectionNotice[] = [];
	db.onConnectionNotice((notice) => notices.push(notice));
	return notices;
}

/** A connection without a versionchange handler: it never closes by itself (a stuck old tab). */
function rawOpen(name: string, version: number): Promise<IDBDatabase> {
	return new Promise((resolve, reject) => {
		const request = indexedDB.open(name, version);
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
}

describe('another tab upgrades the database', () => {
	it('closes this connection for good and tells the UI to reload', async () => {
		const name = uniqueName('versionchange');
		const oldTab = track(new FerryDatabase(name));
		await oldTab.sources.count();
		const notices = collect(oldTab);

		const newTab = track(new FerryDatabaseNext(name));
		await newTab.open();

		expect(notices).toEqual([
			{ kind: 'upgraded-elsewhere', message: expect.stringContaining('updated in another tab') }
		]);
		expect(oldTab.isOpen()).toBe(false);
		expect(newTab.backendDB().version).toBe(60);
		// No silent reopen: old code must not write into the new schema.
		await expect(oldTab.sources.count()).rejects.toMatchObject({ name: 'DatabaseClosedError' });
	});

	it('stops notifying a listener after it unsubscribes', async () => {
		const name = uniqueName('versionchange');
		const oldTab = track(new FerryDatabase(name));
		await oldTab.open();
		const notices: ConnectionNotice[] = [];
		const unsubscribe = oldTab.onConnectionNotice((notice) => notices.push(notice));
		unsubscribe();

		await track(new FerryDatabaseNext(name)).open();
		expect(notices).toEqual([]);
		expect(oldTab.isOpen()).toBe(false);
	});
});

describe('another tab deletes all local data', () => {
	it('closes this connection and says the data was deleted', async () => {
		const name = uniqueName('deleted');
		const thisTab = track(new FerryDatabase(name));
		await thisTab.open();
		const notices = collect(thisTab);

		await track(new FerryDatabase(name)).delete();

		expect(notices.map((notice) => notice.kind)).toEqual(['deleted-elsewhere']);
		expect(thisTab.isOpen()).toBe(false);
	});
});

describe('an upgrade blocked by a connection that does not close', () => {
	it('tells the UI, then completes once the other connection is gone', async () => {
		const name = uniqueName('blocked');
		const stubborn = await rawOpen(name, 10);
		const upgrading = track(new FerryDatabaseNext(name));
		const notice = new Promise<ConnectionNotice>((resolve) =>
			upgrading.onConnectionNotice(resolve)
		);

		const opening = upgrading.open();
		expect((await notice).kind).toBe('blocked');
		expect(upgrading.isOpen()).toBe(false);

		stubborn.close();
		await opening;
		expect(upgrading.backendDB().version).toBe(60);
	});
});

/*
 * Migration harness. Each upgrade gets a test in this shape: write a database the way the previous
 * release did (raw Dexie with that release's schema constant, so the test does not depend on today's
 * FerryDatabase), close it, open it with FerryDatabase, and check that the rows survived and were
 * transformed. The second case shows an upgrade function at work, using a test-only next version.
 */
async function writeRaw(
	name: string,
	version: number,
	schema: Record<string, string>,
	rows: Record<string, object[]>
): Promise<void> {
	const raw = new Dexie(name);
	raw.version(version).stores(schema);
	await raw.transaction('rw', raw.tables, async () => {
		for (const [table, records] of Object.entries(rows)) await raw.table(table).bulkPut(records);
	});
	raw.close();
}

/** A schema's tables without the ones it deletes. */
function tablesOf(schema: Record<string, string | null>): Record<string, string> {
	return Object.fromEntries(
		Object.entries(schema).filter((entry): entry is [string, string] => entry[1] !== null)
	);
}

const STORED_SOURCE: SourceRecord = {
	id: 'a5b1e7c2-0000-4000-8000-000000000001',
	name: 'users.csv',
	createdAt: 1_700_000_000_000,
	updatedAt: 1_700_000_100_000,
	status: 'uploading',
	step: 'upload',
	fileName: 'users.csv',
	fileBytes: 42,
	headerSignature: '2:1a2b3c4d',
	mapping: ['email', 'user_id'],
	readOptions: { encoding: null, dateOrder: 'dmy', defaultRegion: 'US' },
	counts: { rows: 2, valid: 2, invalid: 0, warnings: 0 },
	resultCounts: { imported: 1 },
	destination: { url: 'https://id.example.com', mode: 'link', upsert: false, remoteId: 'r1' }
};

describe('migrations', () => {
	it('v1 → v2: every table survives, the verdicts and the unused working copies are gone', async () => {
		const name = uniqueName('migrate');
		const id = STORED_SOURCE.id;
		const plain = { ...STORED_SOURCE, id: 'a5b1e7c2-0000-4000-8000-000000000002', fileBytes: 3 };
		const file = { original: new Blob([bytesOf('abc')]), name: 'users.csv', type: 'text/csv' };
		const outbox = {
			sourceId: id,
			seq: 0,
			key: 'k',
			body: new Uint8Array([31, 139]),
			rows: new Uint32Array([1, 2]),
			state: 'sent',
			attempts: 1,
			sentAt: 1,
			ackedAt: null
		};
		const result = {
			sourceId: id,
			seq: 1,
			results: [{ row: 3, status: 'imported' }],
			receivedAt: 2
		};
		const report = { sourceId: id, bytes: new Blob([bytesOf('FERRYRPT')]), createdAt: 3, rows: 1 };
		const profile = { signature: '2:1a2b3c4d', mapping: ['email', 'user_id'], updatedAt: 4 };
		await writeRaw(name, 1, SCHEMA_V1, {
			// 42 bytes: 3 of the original and 39 of a working copy only version 1 could hold.
			sources: [STORED_SOURCE, plain],
			files: [
				{ ...file, sourceId: id, working: new Blob(['x'.repeat(39)]), lastModified: 5 },
				{ ...file, sourceId: plain.id, working: null, lastModified: 6 }
			],
			previews: [{ sourceId: id, preview: samplePreview() }],
			verdicts: [{ sourceId: id, rowIssues: new Uint32Array([0, 1]), scannedAt: 7 }],
			outbox: [outbox],
			results: [result],
			reports: [report],
			profiles: [profile]
		});

		const db = track(new FerryDatabase(name));
		expect(await db.sources.get(id)).toEqual({ ...STORED_SOURCE, fileBytes: 3 });
		expect(await db.sources.get(plain.id)).toEqual(plain);
		const stored = await db.files.get(id);
		expect(stored).toEqual({ ...file, original: expect.any(Blob), sourceId: id, lastModified: 5 });
		expect(await blobBytes(stored!.original)).toEqual(bytesOf('abc'));
		expect((await db.files.get(plain.id))?.lastModified).toBe(6);
		expect((await db.previews.get(id))?.preview).toEqual(samplePreview());
		const [queued] = await db.outbox.where('[sourceId+state]').equals([id, 'sent']).toArray();
		expect(queued).toEqual(outbox);
		expect(await db.results.get([id, 1])).toEqual(result);
		expect(await db.reports.get(id)).toEqual({ ...report, bytes: expect.any(Blob) });
		expect(await db.profiles.get(profile.signature)).toEqual(profile);
		expect([...db.backendDB().objectStoreNames]).not.toContain('verdicts');
		expect(db.backendDB().version).toBe(50);
	});

	it('v2 → v3: every record stays as it was, and the empty edits table is there', async () => {
		const name = uniqueName('migrate');
		const file = {
			sourceId: STORED_SOURCE.id,
			original: new Blob([bytesOf('abc')]),
			name: 'users.csv',
			type: 'text/csv',
			lastModified: 5
		};
		await writeRaw(name, 2, tablesOf(SCHEMA_V2), {
			sources: [STORED_SOURCE],
			files: [file],
			previews: [{ sourceId: STORED_SOURCE.id, preview: samplePreview() }]
		});

		const db = track(new FerryDatabase(name));
		expect(await db.sources.get(STORED_SOURCE.id)).toEqual(STORED_SOURCE);
		expect(await db.files.get(STORED_SOURCE.id)).toEqual({ ...file, original: expect.any(Blob) });
		expect((await db.previews.get(STORED_SOURCE.id))?.preview).toEqual(samplePreview());
		expect(await db.edits.count()).toBe(0);
		expect(db.backendDB().version).toBe(50);
	});

	it('v3 → v4: every record stays as it was, and the empty export log is there', async () => {
		const name = uniqueName('migrate');
		const step = {
			sourceId: STORED_SOURCE.id,
			seq: 0,
			label: 'Edit a cell',
			changes: [],
			createdAt: 9
		};
		await writeRaw(name, 3, tablesOf(SCHEMA_V3), { sources: [STORED_SOURCE], edits: [step] });

		const db = track(new FerryDatabase(name));
		expect(await db.sources.get(STORED_SOURCE.id)).toEqual(STORED_SOURCE);
		expect(await db.edits.get([STORED_SOURCE.id, 0])).toEqual(step);
		expect(await db.exports.count()).toBe(0);
		expect(db.backendDB().version).toBe(50);
	});

	it('v4 → v5: every record stays as it was, and the empty key and secret tables are there', async () => {
		const name = uniqueName('migrate');
		const step = {
			sourceId: STORED_SOURCE.id,
			seq: 0,
			label: 'Edit a cell',
			changes: [],
			createdAt: 9
		};
		await writeRaw(name, 4, tablesOf(SCHEMA_V4), { sources: [STORED_SOURCE], edits: [step] });

		const db = track(new FerryDatabase(name));
		expect(await db.sources.get(STORED_SOURCE.id)).toEqual(STORED_SOURCE);
		expect(await db.edits.get([STORED_SOURCE.id, 0])).toEqual(step);
		expect(await db.keys.count()).toBe(0);
		expect(await db.secrets.count()).toBe(0);
		expect(db.backendDB().version).toBe(50);
	});

	it('an upgrade function transforms the rows of the previous version (harness self-test)', async () => {
		const name = uniqueName('migrate');
		await writeRaw(name, 1, SCHEMA_V1, { sources: [STORED_SOURCE] });

		function upgradeToNext(tx: Transaction) {
			return tx
				.table('sources')
				.toCollection()
				.modify((source: SourceRecord) => {
					source.name = source.name.toUpperCase();
				});
		}
		class WithUpgrade extends FerryDatabase {
			constructor() {
				super(name);
				this.version(this.verno + 1)
					.stores({ sources: 'id, updatedAt, status, fileName' })
					.upgrade(upgradeToNext);
			}
		}
		const db = track(new WithUpgrade());
		expect((await db.sources.get(STORED_SOURCE.id))?.name).toBe('USERS.CSV');
		expect(await db.sources.where('fileName').equals('users.csv').count()).toBe(1);
	});
});
