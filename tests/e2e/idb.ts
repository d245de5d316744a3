import type { Page } from '@playwright/test';

/**
 * Every string, Blob and byte array stored in the app's IndexedDB, searched for `needle`: where the
 * plaintext of a report would be if it were ever stored. Returns the stores it was found in, sorted.
 */
export async function storesContaining(page: Page, needle: string): Promise<string[]> {
	return page.evaluate(async (needle) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('ferry');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const found = new Set<string>();
		const latin1 = new TextDecoder('latin1');
		async function search(store: string, value: unknown, depth: number): Promise<void> {
			if (depth > 6 || value === null || value === undefined) return;
			if (typeof value === 'string') {
				if (value.includes(needle)) found.add(store);
			} else if (value instanceof Blob) {
				if (latin1.decode(await value.arrayBuffer()).includes(needle)) found.add(store);
			} else if (ArrayBuffer.isView(value)) {
				const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
				if (latin1.decode(bytes).includes(needle)) found.add(store);
			} else if (typeof value === 'object') {
				for (const item of Object.values(value)) await search(store, item, depth + 1);
			}
		}
		for (const name of Array.from(db.objectStoreNames)) {
			const records = await new Promise<unknown[]>((resolve, reject) => {
				const request = db.transaction(name).objectStore(name).getAll();
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			for (const record of records) await search(name, record, 0);
		}
		db.close();
		return [...found].sort();
	}, needle);
}
