import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { failOnConsoleErrors } from './console';
import { dropFile } from './drop';
import { screenshot } from './screenshot';
import { expectNoAxeViolations } from './axe';

failOnConsoleErrors();

const legacy = fileURLToPath(new URL('../fixtures/e2e/legacy-1252.csv', import.meta.url));
const verifiedSelect = '[data-testid="mapping-row"][data-column="verified"] select';

declare global {
	interface Window {
		/** While true, every IndexedDB put/add throws QuotaExceededError, as on a full disk. */
		__ferryDiskFull?: boolean;
	}
}

/** Makes IndexedDB writes fail with QuotaExceededError while window.__ferryDiskFull is set. */
async function simulateFullDisk(page: Page) {
	await page.addInitScript(() => {
		for (const method of ['put', 'add'] as const) {
			const original = IDBObjectStore.prototype[method];
			IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args) {
				if (window.__ferryDiskFull) {
					throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
				}
				return original.apply(this, args as Parameters<typeof original>);
			};
		}
	});
}

const setDiskFull = (page: Page, full: boolean) =>
	page.evaluate((full) => (window.__ferryDiskFull = full), full);

/** How many records each of the app's stores holds, read straight from IndexedDB. */
async function storeCounts(page: Page): Promise<Record<string, number>> {
	return page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('ferry');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const counts: Record<string, number> = {};
		for (const name of Array.from(db.objectStoreNames)) {
			counts[name] = await new Promise<number>((resolve, reject) => {
				const request = db.transaction(name).objectStore(name).count();
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
		}
		db.close();
		return counts;
	});
}

test('a full disk: the import goes on, nothing is half-written, and a retry saves the source', async ({
	page,
	context
}, testInfo) => {
	await simulateFullDisk(page);
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await setDiskFull(page, true);

	await dropFile(page, legacy);
	const notice = page.getByTestId('storage-notice');
	await expect(notice).toContainText(
		'Not enough storage space to save the file “legacy-1252.csv”: nothing of it was saved.'
	);
	await expect(notice).toContainText('The import itself goes on.');
	// Preview, mapping and validation work all the same.
	await expect(page.getByTestId('file-name')).toHaveText('legacy-1252.csv');
	await expect(page.getByTestId('count-rows')).toHaveText('6');
	await expect(page.getByTestId('count-invalid')).toHaveText('2');
	await expect(page.getByTestId('issue-row')).toHaveCount(2);
	// The notice outlives the scan that follows the failed write.
	await expect(notice).toBeVisible();
	await expect(page.getByTestId('saved')).toHaveCount(0);
	expect(new URL(page.url()).searchParams.has('source')).toBe(false);
	await expectNoAxeViolations(page, 'import: disk full notice');
	await screenshot(page, testInfo, 'disk-full-import-goes-on');

	// The failure report can still be written and downloaded, just not stored.
	await page.getByTestId('report-password').fill('a long enough password');
	await page.getByTestId('report-password-repeat').fill('a long enough password');
	await page.getByTestId('write-report').click();
	await expect(page.getByTestId('report-storage-notice')).toContainText('neither is its report', {
		timeout: 30_000
	});
	const download = page.waitForEvent('download');
	await page.getByTestId('download-report').click();
	const report = readFileSync(await (await download).path());
	expect(report.subarray(0, 8).toString('latin1')).toBe('FERRYRPT');

	// Nothing half-written: no source, and no file or preview without one.
	await setDiskFull(page, false);
	const list = await context.newPage();
	await list.goto('/sources');
	await expect(list.getByTestId('sources-empty')).toBeVisible();
	expect(await storeCounts(list)).toMatchObject({
		sources: 0,
		files: 0,
		previews: 0,
		reports: 0
	});

	// Space is back: one click saves the source, its mapping and its counts.
	await page.getByTestId('retry-save').click();
	await expect(page.getByTestId('saved')).toBeVisible();
	await expect(notice).toHaveCount(0);
	await expect(page).toHaveURL(/\?source=/);
	// The report written meanwhile is still offered (from memory: it was never stored).
	await expect(page.getByTestId('report-written')).toContainText('not saved on this device');
	const row = list.getByTestId('source-row');
	await expect(row).toHaveCount(1);
	await expect(row.getByTestId('source-counts')).toContainText('6 rows: 4 valid, 2 invalid');

	// Full again while saving new counts: the stored counts stay as they were, whole.
	await setDiskFull(page, true);
	await page.locator(verifiedSelect).selectOption('');
	await expect(page.getByTestId('count-invalid')).toHaveText('1');
	await expect(notice).toContainText('Not enough storage space to save the validation results');
	await expect(page.getByTestId('saved')).toHaveCount(0);
	await expect(row.getByTestId('source-counts')).toContainText('6 rows: 4 valid, 2 invalid');

	await setDiskFull(page, false);
	await page.getByTestId('retry-save').click();
	await expect(page.getByTestId('saved')).toBeVisible();
	await expect(row.getByTestId('source-counts')).toContainText('6 rows: 5 valid, 1 invalid');

	// And the saved source comes back after a reload with the mapping the retry stored.
	await page.reload();
	await expect(page.getByTestId('count-invalid')).toHaveText('1');
	await expect(page.locator(verifiedSelect)).toHaveValue('');
	await list.close();
});

test('persistent storage is asked for with the first source, and its state is shown', async ({
	page
}, testInfo) => {
	// The browser's answer, stubbed (headless Chromium declines), kept across page loads.
	await page.addInitScript(() => {
		const calls = () => Number(sessionStorage.getItem('persist-calls') ?? 0);
		navigator.storage.persist = async () => {
			sessionStorage.setItem('persist-calls', String(calls() + 1));
			return true;
		};
		navigator.storage.persisted = async () => calls() > 0;
	});
	const persistCalls = () => page.evaluate(() => Number(sessionStorage.getItem('persist-calls')));
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await dropFile(page, legacy);
	await expect(page.getByTestId('saved')).toBeVisible();
	await expect.poll(persistCalls).toBe(1);

	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await expect(page.getByTestId('recent-persistence')).toHaveAttribute('data-state', 'persisted');
	await expect(page.getByTestId('recent-storage')).toContainText(/Ferry uses .+ of .+ here\./);
	await expectNoAxeViolations(page, 'import: storage state');
	await screenshot(page, testInfo, 'storage-state-on-import-page');

	// A second source does not ask again.
	await dropFile(page, legacy);
	await expect(page.getByTestId('saved')).toBeVisible();
	await page.goto('/');
	await expect(page.getByTestId('recent-source')).toHaveCount(2);
	expect(await persistCalls()).toBe(1);
});
