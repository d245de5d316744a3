import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { ReferenceApi } from '../support/reference-api';
import { failOnConsoleErrors } from './console';
import { connectTo } from './destination';
import { storesContaining } from './idb';

failOnConsoleErrors();

const legacy = fileURLToPath(new URL('../fixtures/e2e/legacy-1252.csv', import.meta.url));
const APP_ORIGIN = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4174)}`;
// Long and unique, so finding it anywhere cannot be a coincidence.
const TOKEN = `ferry-e2e-token-${crypto.randomUUID()}`;

let api: ReferenceApi;
test.beforeAll(async () => {
	api = new ReferenceApi({ token: TOKEN, args: ['--cors', APP_ORIGIN] });
	await api.start();
});
test.afterAll(() => api?.stop());

/** The stored token record as IndexedDB returns it, and what the device key decrypts it to. */
async function storedToken(page: Page) {
	return page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('ferry');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const get = <T>(store: string, key: string) =>
			new Promise<T | undefined>((resolve, reject) => {
				const request = db.transaction(store).objectStore(store).get(key);
				request.onsuccess = () => resolve(request.result as T | undefined);
				request.onerror = () => reject(request.error);
			});
		const record = await get<{ iv: Uint8Array<ArrayBuffer>; ciphertext: ArrayBuffer }>(
			'secrets',
			'destination-token'
		);
		const device = await get<{ key: CryptoKey }>('keys', 'device');
		db.close();
		if (!record || !device) return null;
		const plain = await crypto.subtle.decrypt(
			{
				name: 'AES-GCM',
				iv: record.iv,
				additionalData: new TextEncoder().encode('destination-token')
			},
			device.key,
			record.ciphertext
		);
		return {
			raw: new TextDecoder('latin1').decode(record.ciphertext),
			decrypted: new TextDecoder().decode(plain),
			extractable: device.key.extractable
		};
	});
}

test('the token is kept encrypted in IndexedDB, not in localStorage, and uploads after a reload', async ({
	page
}) => {
	await page.goto('/settings');
	await expect(page.getByTestId('settings-token')).toBeEnabled();
	await connectTo(page, api.url, TOKEN);
	await expect.poll(async () => (await storedToken(page))?.decrypted).toBe(TOKEN);

	const stored = await storedToken(page);
	expect(stored?.raw).not.toContain(TOKEN);
	expect(stored?.extractable).toBe(false);
	expect(await storesContaining(page, TOKEN)).toEqual([]);
	expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(TOKEN);

	await page.reload();
	await expect(page.getByTestId('settings-token')).toHaveValue(TOKEN);
	expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(TOKEN);

	await page.getByRole('link', { name: 'Import', exact: true }).click();
	await page.getByTestId('file-input').setInputFiles(legacy);
	await expect(page.getByTestId('count-valid')).toHaveText('4');
	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 4 imported');
});

test('a token an earlier Ferry kept in localStorage moves to IndexedDB on the first load', async ({
	page
}) => {
	await page.goto('/');
	await page.evaluate(
		({ url, token }) =>
			localStorage.setItem('ferry.destination', JSON.stringify({ url, token, mode: 'create' })),
		{ url: api.url, token: TOKEN }
	);
	await page.goto('/settings');
	await expect(page.getByTestId('settings-token')).toHaveValue(TOKEN);
	await expect.poll(async () => (await storedToken(page))?.decrypted).toBe(TOKEN);
	const kept = await page.evaluate(() => localStorage.getItem('ferry.destination'));
	expect(kept).not.toContain(TOKEN);
	expect(JSON.parse(kept!)).toMatchObject({ url: api.url, mode: 'create' });
	await page.getByTestId('settings-test').click();
	await expect(page.getByTestId('settings-check')).toHaveText('Connected');
});

/** The names in the root of the origin's private file system. */
function privateEntries(page: Page): Promise<string[]> {
	return page.evaluate(async () => {
		const root = await navigator.storage.getDirectory();
		const names: string[] = [];
		for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys())
			names.push(name);
		return names;
	});
}

test('a working copy a closed tab left is removed at the next start, one an open tab holds stays', async ({
	page,
	context
}) => {
	const orphan = `working-copy-${crypto.randomUUID()}`;
	const live = `working-copy-${crypto.randomUUID()}`;
	await page.goto('/');
	const other = await context.newPage();
	await other.goto('/');
	// Each entry's lock is held before it is created, as the parse worker does it: the sweep of the
	// first load may still be running. The other tab owns `live`; this page owns `orphan` until its
	// reload, which leaves `orphan` behind as a closed tab would.
	const hold = (name: string) =>
		new Promise<void>((granted) => {
			void navigator.locks.request(name, () => {
				granted();
				return new Promise<void>(() => {});
			});
		});
	await other.evaluate(hold, live);
	await page.evaluate(hold, orphan);
	await page.evaluate(
		async (names) => {
			const root = await navigator.storage.getDirectory();
			for (const name of names) {
				const writable = await (await root.getFileHandle(name, { create: true })).createWritable();
				await writable.write('email\na@example.com\n');
				await writable.close();
			}
		},
		[orphan, live]
	);
	expect(await privateEntries(page)).toEqual(expect.arrayContaining([orphan, live]));

	await page.reload();
	await expect.poll(() => privateEntries(page)).not.toContain(orphan);
	// The sweep asks for each lock without waiting: by now it has passed `live` as well.
	await page.waitForTimeout(500);
	expect(await privateEntries(page)).toContain(live);

	await other.close();
	await page.reload();
	await expect.poll(() => privateEntries(page)).not.toContain(live);
});

test('the working copy of an open file holds its lock, so another tab starting keeps it', async ({
	page,
	context
}) => {
	await page.goto('/');
	// Windows-1252: transcoded once into a working copy in the private file system.
	await page.getByTestId('file-input').setInputFiles(legacy);
	await expect(page.getByTestId('count-valid')).toHaveText('4');
	const copies = async () =>
		(await privateEntries(page)).filter((name) => name.startsWith('working-copy-'));
	const [copy] = await copies();
	expect(copy).toBeDefined();
	const held = await page.evaluate(async () =>
		((await navigator.locks.query()).held ?? []).map((lock) => lock.name)
	);
	expect(held).toContain(copy);

	const other = await context.newPage();
	await other.goto('/');
	await other.waitForTimeout(500);
	expect(await copies()).toContain(copy);
});
