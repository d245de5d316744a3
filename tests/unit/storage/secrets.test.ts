import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FerryDatabase, deleteAllLocalData, getDatabase } from '../../../src/lib/storage/db';
import {
	DESTINATION_TOKEN,
	loadDestinationToken,
	readSecret,
	writeSecret
} from '../../../src/lib/storage/secrets';
import { uniqueName } from './helpers';

const TOKEN = 'tok-3f9a1c-very-secret';

let db: FerryDatabase;

afterEach(async () => {
	await db?.delete();
});

/** Everything a record holds, as bytes and text, the way someone reading the disk would look. */
function rawText(record: unknown): string {
	return JSON.stringify(record, (_key, value: unknown) =>
		value instanceof ArrayBuffer || ArrayBuffer.isView(value)
			? new TextDecoder('latin1').decode(value as ArrayBuffer)
			: value
	);
}

/** The records of `table` as IndexedDB itself returns them, past Dexie. */
function rawRecords(database: FerryDatabase, table: string): Promise<unknown[]> {
	return new Promise((resolve, reject) => {
		const request = database.backendDB().transaction(table).objectStore(table).getAll();
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
}

describe('secrets at rest', () => {
	it('reads back what was written, and stores no plaintext', async () => {
		db = new FerryDatabase(uniqueName('secrets'));
		await writeSecret(DESTINATION_TOKEN, TOKEN, db);
		expect(await readSecret(DESTINATION_TOKEN, db)).toBe(TOKEN);
		const stored = await rawRecords(db, 'secrets');
		expect(stored).toHaveLength(1);
		expect(rawText(stored)).not.toContain(TOKEN);
	});

	it('keeps one non-extractable device key, and a new nonce per write', async () => {
		db = new FerryDatabase(uniqueName('secrets'));
		await writeSecret(DESTINATION_TOKEN, TOKEN, db);
		const first = await db.secrets.get(DESTINATION_TOKEN);
		await writeSecret(DESTINATION_TOKEN, TOKEN, db);
		const second = await db.secrets.get(DESTINATION_TOKEN);
		expect(second?.iv).not.toEqual(first?.iv);
		const keys = await db.keys.toArray();
		expect(keys).toHaveLength(1);
		expect(keys[0].key.extractable).toBe(false);
		await expect(crypto.subtle.exportKey('raw', keys[0].key)).rejects.toThrow();
	});

	it('answers null for a secret never stored or not encrypted under this key', async () => {
		db = new FerryDatabase(uniqueName('secrets'));
		expect(await readSecret(DESTINATION_TOKEN, db)).toBeNull();
		await writeSecret('other', TOKEN, db);
		const moved = await db.secrets.get('other');
		await db.secrets.put({ ...moved!, name: DESTINATION_TOKEN });
		expect(await readSecret(DESTINATION_TOKEN, db)).toBeNull();
	});
});

describe('the token an earlier Ferry left in localStorage', () => {
	it('is stored encrypted first, then forgotten there, and read from IndexedDB afterwards', async () => {
		db = new FerryDatabase(uniqueName('secrets'));
		const forget = vi.fn(async () => {
			// By the time localStorage forgets it, IndexedDB has it.
			expect(await readSecret(DESTINATION_TOKEN, db)).toBe(TOKEN);
		});
		expect(await loadDestinationToken(TOKEN, forget, db)).toBe(TOKEN);
		expect(forget).toHaveBeenCalledOnce();
		await forget.mock.results[0].value;

		const again = vi.fn();
		expect(await loadDestinationToken(null, again, db)).toBe(TOKEN);
		expect(again).not.toHaveBeenCalled();
	});

	it('stays in localStorage when it could not be stored', async () => {
		db = new FerryDatabase(uniqueName('secrets'));
		db.close({ disableAutoOpen: true });
		const forget = vi.fn();
		await expect(loadDestinationToken(TOKEN, forget, db)).rejects.toThrow();
		expect(forget).not.toHaveBeenCalled();
	});

	it('is none on a browser that never stored one', async () => {
		db = new FerryDatabase(uniqueName('secrets'));
		expect(await loadDestinationToken(null, vi.fn(), db)).toBeNull();
	});
});

describe('deleting all local data', () => {
	it('keeps the destination token', async () => {
		db = getDatabase();
		await writeSecret(DESTINATION_TOKEN, TOKEN, db);
		await deleteAllLocalData();
		expect(await readSecret(DESTINATION_TOKEN, db)).toBe(TOKEN);
	});
});
