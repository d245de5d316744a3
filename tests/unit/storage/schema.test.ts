import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { FerryDatabase } from '../../../src/lib/storage/db';
import { SCHEMA_V1 } from '../../../src/lib/storage/schema';
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

describe('schema v1', () => {
	it.each([
		{ input: 'sources', expected: { keyPath: 'id', indexes: ['updatedAt', 'status'] } },
		{ input: 'files', expected: { keyPath: 'sourceId', indexes: [] } },
		{ input: 'previews', expected: { keyPath: 'sourceId', indexes: [] } },
		{ input: 'verdicts', expected: { keyPath: 'sourceId', indexes: [] } },
		{ input: 'profiles', expected: { keyPath: 'signature', indexes: ['updatedAt'] } },
		{ input: 'results', expected: { keyPath: ['sourceId', 'seq'], indexes: ['sourceId'] } },
		{ input: 'reports', expected: { keyPath: 'sourceId', indexes: [] } },
		{
			input: 'outbox',
			expected: { keyPath: ['sourceId', 'seq'], indexes: ['sourceId', ['sourceId', 'state']] }
		}
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

	it('has exactly the tables of SCHEMA_V1, at native version 10 (Dexie multiplies by 10)', async () => {
		db = new FerryDatabase(uniqueName('schema'));
		await db.open();
		expect([...db.backendDB().objectStoreNames].sort()).toEqual(Object.keys(SCHEMA_V1).sort());
		expect(db.verno).toBe(1);
		expect(db.backendDB().version).toBe(10);
	});
});
