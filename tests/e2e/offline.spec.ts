import { expect, test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { encryptReport, invalidRow, reportCsv } from '../../src/lib/core/report';
import { failOnConsoleErrors } from './console';
import { screenshot } from './screenshot';

// Chromium logs the failed network fetches it makes before falling back to the cache.
failOnConsoleErrors({ allow: [/ERR_INTERNET_DISCONNECTED/, /Failed to load resource/] });

const legacy = fileURLToPath(new URL('../fixtures/e2e/legacy-1252.csv', import.meta.url));
const PASSWORD = 'offline report password';

test('once loaded, the app works with no network: a report opens and a file is validated', async ({
	page,
	context
}, testInfo) => {
	test.setTimeout(90_000);
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	// The service worker has cached the whole built app and controls the page.
	await page.waitForFunction(async () => {
		await navigator.serviceWorker.ready;
		return navigator.serviceWorker.controller !== null;
	});

	const columns = ['email', 'name'];
	const csv = reportCsv(columns, [
		invalidRow(
			2,
			3,
			columns,
			['bob@', 'Bob'],
			[{ code: 'invalid_email', message: 'Not an email.' }]
		)
	]);
	const report = await encryptReport(new TextEncoder().encode(csv), { password: PASSWORD });

	await context.setOffline(true);
	await page.goto('/report');
	await page.getByTestId('report-input').setInputFiles({
		name: 'offline.ferry-report',
		mimeType: 'application/octet-stream',
		buffer: Buffer.from(report)
	});
	await page.getByTestId('password-input').fill(PASSWORD);
	await page.getByTestId('open-report').click();
	const table = page.getByTestId('report-table');
	await expect(table).toBeVisible({ timeout: 30_000 });
	await expect(table).toHaveAttribute('data-rows', '1');
	await expect(table).toContainText('bob@');
	await screenshot(page, testInfo, 'offline-report');

	// The import page, its parse worker and the WASM engine also come from the cache.
	await page.goto('/');
	await page.getByTestId('file-input').setInputFiles(legacy);
	await expect(page.getByTestId('count-rows')).toHaveText('6');
	await expect(page.getByTestId('count-invalid')).toHaveText('2');
	await expect(page.getByTestId('engine')).toHaveText('wasm-simd');
	await context.setOffline(false);
});
