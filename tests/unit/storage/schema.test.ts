import 'fake-indexeddb/auto';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { RollbackSummary } from '../../../src/lib/core/protocol/import-api';
import type { Preview } from '../../../src/lib/pipeline/session';
import { FerryDatabase } from '../../../src/lib/storage/db';
import type {
	ChunkRowResult,
	StoredPreview,
	StoredRollback,
	StoredRowChange,
	StoredRowEdit
} from '../../../src/lib/storage/schema';
import type { RowChange, RowEdit } from '../../../src/lib/core/edits/overlay';
import type { UploadRowResult } from '../../../src/lib/upload/outbox';
import { uniqueName } from './helpers';

let db: FerryDatabase;

afterEach(async () => {
	await db?.delete();
});

/** What IndexedDB itself holds: the source of truth, not Dexie's idea of it. */
function storedSchema(idb: IDBDatabase) {
	const names = [...idb.objectStoreNames];
	const transaction = idb.transaction(names, 'readonly');
	return Object.fromEntries(
		names.map((name) => {
			const store = transaction.objectStore(name);
			const indexes = [...store.indexNames].map((index) => {
				const { keyPath, unique, multiEntry } = store.index(index);
				return { keyPath, unique, multiEntry };
			});
			return [name, { keyPath: store.keyPath, autoIncrement: store.autoIncrement, indexes }];
		})
	);
}

describe('schema v5', () => {
	it.each([
		{ input: 'sources', expected: { keyPath: 'id', indexes: ['updatedAt', 'status'] } },
		{ input: 'files', expected: { keyPath: 'sourceId', indexes: [] } },
		{ input: 'previews', expected: { keyPath: 'sourceId', indexes: [] } },
		{ input: 'profiles', expected: { keyPath: 'signature', indexes: ['updatedAt'] } },
		{ input: 'results', expected: { keyPath: ['sourceId', 'seq'], indexes: ['sourceId'] } },
		{ input: 'reports', expected: { keyPath: 'sourceId', indexes: [] } },
		{
			input: 'outbox',
			expected: { keyPath: ['sourceId', 'seq'], indexes: ['sourceId', ['sourceId', 'state']] }
		},
		{ input: 'edits', expected: { keyPath: ['sourceId', 'seq'], indexes: ['sourceId'] } },
		{ input: 'exports', expected: { keyPath: 'id', indexes: ['startedAt'] } },
		{ input: 'keys', expected: { keyPath: 'name', indexes: [] } },
		{ input: 'secrets', expected: { keyPath: 'name', indexes: [] } }
	])('$input: key $expected.keyPath, indexes $expected.indexes', async ({ input, expected }) => {
		db = new FerryDatabase(uniqueName('schema'));
		await db.open();
		const stored = storedSchema(db.backendDB())[input];
		expect(stored.keyPath).toEqual(expected.keyPath);
		expect(stored.autoIncrement).toBe(false);
		expect(stored.indexes.map((index) => index.keyPath).sort()).toEqual(
			[...expected.indexes].sort()
		);
		expect(stored.indexes.every((index) => !index.unique && !index.multiEntry)).toBe(true);
	});

	it('has exactly the tables of version 5, at native version 50 (Dexie multiplies by 10)', async () => {
		db = new FerryDatabase(uniqueName('schema'));
		await db.open();
		expect([...db.backendDB().objectStoreNames].sort()).toEqual(
			[
				'edits',
				'exports',
				'files',
				'keys',
				'outbox',
				'previews',
				'profiles',
				'reports',
				'results',
				'secrets',
				'sources'
			].sort()
		);
		expect(db.verno).toBe(5);
		expect(db.backendDB().version).toBe(50);
	});
});

describe('stored records', () => {
	// Stored shapes are their own types. Where one equals a shape of the pipeline or the protocol
	// today, this fails to compile the day they part, so what IndexedDB holds changes only on purpose.
	it('equal the shapes they are written from', () => {
		expectTypeOf<StoredPreview>().toEqualTypeOf<Preview>();
		expectTypeOf<StoredRollback>().toEqualTypeOf<RollbackSummary>();
		expectTypeOf<UploadRowResult>().toEqualTypeOf<ChunkRowResult>();
		expectTypeOf<StoredRowEdit>().toEqualTypeOf<RowEdit>();
		expectTypeOf<StoredRowChange>().toEqualTypeOf<RowChange>();
	});
});
