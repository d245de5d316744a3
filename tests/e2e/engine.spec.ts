import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failOnConsoleErrors } from './console';
import { screenshot } from './screenshot';
import { expectNoAxeViolations } from './axe';

failOnConsoleErrors();

/**
 * About 14 MB of users (several 4 MiB ranges): notes with quoted line breaks, so that some range
 * guesses land inside a quoted field, non-ASCII names, phones, and a few bad rows.
 */
function userExport(): string {
	const parts = ['user_id,email,name,phone_number,created_at,notes\r\n'];
	for (let i = 1; i <= 120_000; i++) {
		const email = i % 997 === 0 ? 'not-an-email' : `user${i}@example.com`;
		const name = i % 3 === 0 ? `"García, Zoë ${i}"` : `José ${i}`;
		const phone = i % 4 === 0 ? `+1202555${String(i % 10_000).padStart(4, '0')}` : '';
		const notes =
			i % 5 === 0 ? `"first line\r\n${i + 1},fake@example.com,line two, with a comma"` : 'ok';
		parts.push(`${i},${email},${name},${phone},2023-0${1 + (i % 9)}-1${i % 10},${notes}\r\n`);
	}
	return parts.join('');
}

/** The range workers running now: dedicated workers nested in the parse worker. */
const aliveRangeWorkers = (page: Page) =>
	page.workers().filter((worker) => worker.url().includes('range.worker'));

test('the about panel names the engine and its range workers', async ({ page }, testInfo) => {
	await page.goto('/settings');
	const about = page.getByTestId('about');
	await expect(about.getByTestId('about-engine')).toHaveText('wasm-simd');
	await expect(about.getByTestId('about-simd')).toHaveText('yes');
	const cores = await page.evaluate(() => navigator.hardwareConcurrency);
	await expect(about.getByTestId('about-workers')).toHaveText(String(Math.max(1, cores)));
	await about.scrollIntoViewIfNeeded();
	await expectNoAxeViolations(page, 'settings: about panel');
	await screenshot(page, testInfo, 'about-panel');
});

test('a CSV over several ranges is validated by range workers, as the CLI counts it', async ({
	page
}, testInfo) => {
	test.setTimeout(120_000);
	const file = join(mkdtempSync(join(tmpdir(), 'ferry-ranges-')), 'users.csv');
	writeFileSync(file, userExport());
	// Range workers are dedicated workers nested in the parse worker (the page's warm-up may have
	// started the one this scan takes).
	const started: string[] = [];
	page.on('worker', (worker) => started.push(worker.url()));
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page.locator('input[type="file"]').setInputFiles(file);

	const cli = JSON.parse(
		execFileSync('node', ['bin/ferry.js', 'validate', '--json', file], { encoding: 'utf8' })
	);
	await expect(page.getByTestId('count-rows')).toHaveText(String(cli.rows), { timeout: 90_000 });
	await expect(page.getByTestId('count-valid')).toHaveText(String(cli.valid));
	await expect(page.getByTestId('count-invalid')).toHaveText(String(cli.invalid));
	await expect(page.getByTestId('count-warnings')).toHaveText(String(cli.warnings));
	expect(cli.rows).toBe(120_000);
	await expect(page.getByTestId('engine')).toHaveText('wasm-simd');
	expect(started.some((url) => url.includes('range.worker'))).toBe(true);
	await screenshot(page, testInfo, 'ranges-validated');
});

test('before the first drop the page warms a range worker up; the first scan and a mapping change take it', async ({
	page
}) => {
	const rangeWorkers: string[] = [];
	page.on('worker', (worker) => {
		if (worker.url().includes('range.worker')) rangeWorkers.push(worker.url());
	});
	await page.goto('/');
	// The warm-up scans a made-up export in a range worker, and keeps the worker.
	await expect.poll(() => rangeWorkers.length, { timeout: 20_000 }).toBe(1);
	// A drop during the warm-up would cancel it (and end its worker): the file comes after it.
	await page.locator('body[data-engine-warm]').waitFor({ state: 'attached', timeout: 20_000 });
	expect(aliveRangeWorkers(page)).toHaveLength(1);

	const rows = Array.from({ length: 2000 }, (_, i) => `${i + 1},user${i + 1}@example.com,N${i}`);
	await page.locator('input[type="file"]').setInputFiles({
		name: 'users.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(['user_id,email,name', ...rows, ''].join('\r\n'))
	});
	await expect(page.getByTestId('count-valid')).toHaveText('2000');
	await expect(page.getByTestId('engine')).toHaveText('wasm-simd');
	// No other range worker was started for it, and the warmed one stays after the scan…
	expect(rangeWorkers).toHaveLength(1);
	expect(aliveRangeWorkers(page)).toHaveLength(1);

	// …so that a mapping change, checked again in a range worker, takes it warm.
	await page
		.locator('[data-testid="mapping-row"][data-column="name"] select')
		.selectOption('locale');
	await expect(page.getByTestId('count-valid')).toHaveText('0');
	await expect(page.getByTestId('issue-invalid_locale')).toHaveAttribute('data-count', '2000');
	expect(rangeWorkers).toHaveLength(1);
	expect(aliveRangeWorkers(page)).toHaveLength(1);
});
