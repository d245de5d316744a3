import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { ReferenceApi } from '../support/reference-api';
import { failOnConsoleErrors } from './console';
import { storesContaining } from './idb';
import { screenshot } from './screenshot';

// A source's raw file and preview rows leave the device after the retention period (or at once on
// request); its counts, upload results and encrypted report stay.

failOnConsoleErrors();
test.use({ locale: 'en-US', timezoneId: 'UTC' });

const legacy = fileURLToPath(new URL('../fixtures/e2e/legacy-1252.csv', import.meta.url));
const APP_ORIGIN = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4174)}`;
const TOKEN = 't';
const PASSWORD = 'correct horse battery staple';
const DAY = 24 * 60 * 60 * 1000;
/** A value of the legacy file: wherever it is stored, the file's plaintext is. */
const NEEDLE = 'mueller@example.de';

let api: ReferenceApi;
test.beforeAll(async () => {
	api = new ReferenceApi({ token: TOKEN, args: ['--cors', APP_ORIGIN] });
	await api.start();
});
test.afterAll(() => api?.stop());

async function nav(page: Page, name: string): Promise<void> {
	await page
		.getByRole('navigation', { name: 'Main' })
		.getByRole('link', { name, exact: true })
		.click();
}

/** Drops the legacy export and waits until it is checked and saved; returns the source's id. */
async function dropLegacy(page: Page): Promise<string> {
	await nav(page, 'Import');
	await page.getByTestId('file-input').setInputFiles(legacy);
	await expect(page.getByTestId('count-valid')).toHaveText('4');
	await expect(page.getByTestId('saved')).toBeVisible();
	await expect(page).toHaveURL(/\?source=/);
	return new URL(page.url()).searchParams.get('source')!;
}

async function shots(page: Page, testInfo: TestInfo, name: string): Promise<void> {
	for (const width of [1366, 390]) {
		await page.setViewportSize({ width, height: 900 });
		await screenshot(page, testInfo, `${name}-${width}`);
	}
	await page.setViewportSize({ width: 1366, height: 900 });
}

test('after the retention period the file is forgotten; counts, results and the report stay', async ({
	page
}, testInfo) => {
	await page.clock.install({ time: new Date('2026-12-01T10:00:00Z') });
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await nav(page, 'Settings');
	await page.getByTestId('settings-url').fill(api.url);
	await page.getByTestId('settings-token').fill(TOKEN);
	await page.getByTestId('settings-mode-create').check();
	await expect(page.getByTestId('retention-select')).toHaveValue('7d');

	const id = await dropLegacy(page);
	await page.getByTestId('report-password').fill(PASSWORD);
	await page.getByTestId('report-password-repeat').fill(PASSWORD);
	await page.getByTestId('write-report').click();
	await expect(page.getByTestId('report-written')).toBeVisible({ timeout: 30_000 });
	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 4 imported');

	await nav(page, 'Sources');
	const row = page.locator(`[data-testid="source-row"][data-id="${id}"]`);
	await expect(row.getByTestId('source-kept')).toHaveText(
		'File and preview kept until Dec 8, 2026; results and the encrypted report are kept until you delete the source.'
	);
	await expect(page.getByTestId('retention-summary')).toContainText(
		'removed 7 days after their upload completes'
	);
	expect(await storesContaining(page, NEEDLE)).toEqual(['files', 'previews']);

	// Eight days later, with the app open all along: the periodic purge has run.
	await page.clock.fastForward(8 * DAY);
	await expect(row.getByTestId('source-file-kept')).toHaveText('File forgotten on Dec 9, 2026');
	await expect(row.getByTestId('source-counts')).toContainText('6 rows: 4 valid, 2 invalid');
	await expect(row.getByTestId('source-status')).toHaveText('4 imported');
	await expect(row.getByTestId('source-kept')).toContainText('the encrypted report are kept');
	await expect(row.getByTestId('source-forget')).toHaveCount(0);
	expect(await storesContaining(page, NEEDLE)).toEqual([]);
	expect(await storesContaining(page, 'FERRYRPT')).toEqual(['reports']);
	await shots(page, testInfo, 'retention-forgotten');

	// Opening it says what happened instead of "no longer on this device".
	await row.getByTestId('source-open').click();
	await expect(page.getByTestId('error')).toContainText('Its file was removed from this device');
});

test('"Forget this file now" on the Sources page and on the import page', async ({
	page
}, testInfo) => {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	const first = await dropLegacy(page);

	await nav(page, 'Sources');
	const row = page.locator(`[data-testid="source-row"][data-id="${first}"]`);
	await expect(row.getByTestId('source-kept')).toHaveText(
		'File and preview kept until 7 days after the upload completes; results are kept until you delete the source.'
	);
	await shots(page, testInfo, 'retention-sources');
	await row.getByTestId('source-forget').click();
	const confirm = page.getByTestId('confirm-dialog').filter({ hasText: 'Forget this file now?' });
	await expect(confirm).toContainText('legacy-1252.csv');
	await confirm.getByTestId('confirm-accept').click();
	await expect(row.getByTestId('source-file-kept')).toHaveText(/^File forgotten on /);
	await expect(row.getByTestId('source-counts')).toContainText('6 rows: 4 valid, 2 invalid');
	expect(await storesContaining(page, NEEDLE)).toEqual([]);

	const second = await dropLegacy(page);
	await page.getByTestId('forget-file').click();
	await page
		.getByTestId('confirm-dialog')
		.filter({ hasText: 'Forget this file now?' })
		.getByTestId('confirm-accept')
		.click();
	await expect(page).toHaveURL(/\/sources$/);
	await expect(
		page.locator(`[data-testid="source-row"][data-id="${second}"]`).getByTestId('source-file-kept')
	).toHaveText(/^File forgotten on /);
	expect(await storesContaining(page, NEEDLE)).toEqual([]);

	// "Until I delete it" is offered, and the Sources page says so.
	await nav(page, 'Settings');
	await page.getByTestId('retention-select').selectOption('forever');
	await nav(page, 'Sources');
	await expect(page.getByTestId('retention-summary')).toContainText('kept until you delete them');
});
