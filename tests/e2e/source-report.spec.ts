import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeRecipientKey, generateRecipientKeyPair } from '../../src/lib/core/report';
import { failOnConsoleErrors } from './console';
import { dropFile } from './drop';
import { storesContaining } from './idb';
import { screenshot } from './screenshot';

failOnConsoleErrors();

const legacy = fileURLToPath(new URL('../fixtures/e2e/legacy-1252.csv', import.meta.url));
const PASSWORD = 'correct horse battery staple';
/** Argon2id in the browser plus the page's work: generous, never asserted as a duration. */
const CRYPTO = { timeout: 30_000 };
const verifiedSelect = '[data-testid="mapping-row"][data-column="verified"] select';

async function openImport(page: Page) {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
}

/** Drops the legacy file and waits until it is checked and saved as a source; returns its id. */
async function dropLegacy(page: Page): Promise<string> {
	await dropFile(page, legacy);
	await expect(page.getByTestId('count-rows')).toHaveText('6');
	await expect(page.getByTestId('count-invalid')).toHaveText('2');
	await expect(page.getByTestId('saved')).toBeVisible();
	await expect(page).toHaveURL(/\?source=/);
	return new URL(page.url()).searchParams.get('source')!;
}

async function downloadReport(page: Page): Promise<{ name: string; bytes: Buffer }> {
	const download = page.waitForEvent('download');
	await page.getByTestId('download-report').click();
	const file = await download;
	return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

async function uploadReport(page: Page, report: { name: string; bytes: Buffer }) {
	await page.goto('/report');
	await page.getByTestId('report-input').setInputFiles({
		name: report.name,
		mimeType: 'application/octet-stream',
		buffer: report.bytes
	});
}

test('the failure report is written with a password, downloaded, and opened on /report', async ({
	page
}, testInfo) => {
	await openImport(page);
	await dropLegacy(page);

	const form = page.getByTestId('report-form');
	await expect(form).toContainText('2 rows that will not import');
	// A typo in the repeated password is caught before anything is written.
	await page.getByTestId('report-password').fill(PASSWORD);
	await page.getByTestId('report-password-repeat').fill(`${PASSWORD}!`);
	await page.getByTestId('write-report').click();
	await expect(page.getByTestId('report-problem')).toContainText('The two passwords differ');
	await expect(page.getByTestId('report-written')).toHaveCount(0);

	await page.getByTestId('report-password-repeat').fill(PASSWORD);
	await expect(page.getByTestId('cost-interactive')).toBeChecked();
	await page.getByTestId('write-report').click();
	const written = page.getByTestId('report-written');
	await expect(written).toBeVisible(CRYPTO);
	await expect(page.getByTestId('report-rows')).toHaveText('2');
	await expect(written).toContainText('saved on this device');
	await expect(page.getByTestId('report-problem')).toHaveCount(0);
	await expect(page.getByTestId('report-form')).toHaveCount(0);
	await screenshot(page, testInfo, 'report-written-on-import-page');

	// Stored encrypted only: the CSV's header and a reason code are nowhere in IndexedDB.
	expect(await storesContaining(page, 'FERRYRPT')).toEqual(['reports']);
	expect(await storesContaining(page, 'row,line,status')).toEqual([]);
	expect(await storesContaining(page, 'invalid_boolean')).toEqual([]);

	const report = await downloadReport(page);
	expect(report.name).toBe('legacy-1252.csv.ferry-report');
	expect(report.bytes.subarray(0, 8).toString('latin1')).toBe('FERRYRPT');

	// A reload keeps the report: it is offered again without writing it anew.
	await page.reload();
	await expect(page.getByTestId('count-rows')).toHaveText('6');
	await expect(page.getByTestId('report-rows')).toHaveText('2');
	const again = await downloadReport(page);
	expect(again.bytes.equals(report.bytes)).toBe(true);

	await uploadReport(page, report);
	await expect(page.getByTestId('fact-cost')).toContainText('interactive');
	await page.getByTestId('password-input').fill('Tr0ub4dor&3');
	await page.getByTestId('open-report').click();
	const error = page.getByTestId('report-error');
	await expect(error).toHaveAttribute('data-code', 'wrong_key', CRYPTO);
	await expect(page.getByTestId('report-table')).toHaveCount(0);

	await page.getByTestId('password-input').fill(PASSWORD);
	await page.getByTestId('open-report').click();
	const table = page.getByTestId('report-table');
	await expect(table).toBeVisible(CRYPTO);
	await expect(error).toHaveCount(0);
	await expect(page.getByTestId('report-summary')).toHaveText('2 rows did not import');
	await expect(table.locator('th')).toHaveText([
		'row',
		'line',
		'status',
		'reasons',
		'messages',
		'customer_id',
		'email',
		'name',
		'created_at',
		'verified',
		'company'
	]);
	const rows = page.getByTestId('report-row');
	await expect(rows).toHaveCount(2);
	const first = rows.nth(0).locator('td');
	await expect(first.nth(0)).toHaveText('3');
	await expect(first.nth(1)).toHaveText('4');
	await expect(first.nth(2)).toHaveText('invalid_row');
	await expect(first.nth(3)).toHaveText('invalid_boolean');
	await expect(first.nth(4)).toContainText('vielleicht');
	await expect(rows.nth(0).locator('td').nth(5)).toHaveText('C-3');
	await expect(rows.nth(0).locator('td').nth(7)).toHaveText('Íñigo Pérez');
	await expect(rows.nth(0).locator('td').nth(9)).toHaveText('vielleicht');
	const second = rows.nth(1).locator('td');
	await expect(second.nth(0)).toHaveText('5');
	await expect(second.nth(3)).toHaveText('invalid_date');
	await expect(second.nth(7)).toHaveText('Zoë Naïve');
	await expect(second.nth(8)).toHaveText('31.02.2020');
	await screenshot(page, testInfo, 'written-report-opened');
});

test('a report sealed to an admin, without a password, at the moderate cost choice', async ({
	page
}) => {
	const admin = await generateRecipientKeyPair();
	await openImport(page);
	await dropLegacy(page);

	await page.getByTestId('report-recipients').fill('not a key');
	await page.getByTestId('write-report').click();
	await expect(page.getByTestId('report-problem')).toContainText('Line 1 is not a public key');

	await page.getByTestId('report-recipients').fill('');
	await page.getByTestId('write-report').click();
	await expect(page.getByTestId('report-problem')).toContainText('Type a password');

	await page
		.getByTestId('report-recipients')
		.fill(`\n${await encodeRecipientKey(admin.publicKey)}\n`);
	await page.getByTestId('cost-moderate').check();
	await page.getByTestId('write-report').click();
	await expect(page.getByTestId('report-rows')).toHaveText('2', CRYPTO);
	const report = await downloadReport(page);

	await uploadReport(page, report);
	await expect(page.getByTestId('fact-kdf')).toContainText('only with a recipient’s private key');
	await expect(page.getByTestId('method-password')).toBeDisabled();
	await page.getByTestId('private-key-input').fill(Buffer.from(admin.privateKey).toString('hex'));
	await page.getByTestId('open-report').click();
	await expect(page.getByTestId('report-row')).toHaveCount(2, CRYPTO);
});

test('the import page lists recent sources, and each opens again', async ({ page }, testInfo) => {
	await openImport(page);
	await expect(page.getByTestId('recent-sources')).toHaveCount(0);
	const id = await dropLegacy(page);

	await openImport(page);
	const recent = page.getByTestId('recent-source');
	await expect(recent).toHaveCount(1);
	await expect(recent).toHaveAttribute('data-id', id);
	await expect(recent.getByTestId('recent-open')).toHaveText('legacy-1252.csv');
	await expect(recent.getByTestId('recent-counts')).toContainText('6 rows: 4 valid, 2 invalid');
	await expect(recent).toContainText('Draft');
	await expect(page.getByTestId('recent-persistence')).toHaveAttribute(
		'data-state',
		/^(persisted|best-effort|unsupported)$/
	);
	await expect(page.getByTestId('all-sources')).toHaveText('All sources (1)');
	await screenshot(page, testInfo, 'recent-sources');

	await recent.getByTestId('recent-open').click();
	await expect(page).toHaveURL(`/?source=${id}`);
	await expect(page.getByTestId('file-name')).toHaveText('legacy-1252.csv');
	await expect(page.getByTestId('count-invalid')).toHaveText('2');
	await expect(page.getByTestId('recent-sources')).toHaveCount(0);
});

/** Console errors of a page opened by the test itself (failOnConsoleErrors watches `page` only). */
function consoleErrors(page: Page): string[] {
	const problems: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error') problems.push(message.text());
	});
	page.on('pageerror', (error) => problems.push(error.message));
	return problems;
}

test('two tabs on one source update together', async ({ page, context }, testInfo) => {
	const list = page;
	await list.goto('/sources');
	await expect(list.getByTestId('sources-empty')).toBeVisible();

	const importing = await context.newPage();
	const importingErrors = consoleErrors(importing);
	await openImport(importing);
	const id = await dropLegacy(importing);

	// The list in the other tab follows without a reload.
	const row = list.getByTestId('source-row');
	await expect(row).toHaveCount(1);
	await expect(row).toHaveAttribute('data-id', id);
	const counts = row.getByTestId('source-counts');
	await expect(counts).toContainText('6 rows: 4 valid, 2 invalid');

	// A mapping change re-validates, and the list's counts follow.
	await importing.locator(verifiedSelect).selectOption('');
	await expect(importing.getByTestId('count-invalid')).toHaveText('1');
	await expect(counts).toContainText('6 rows: 5 valid, 1 invalid');

	// Both tabs on the same source: a change in either one shows in the other.
	const other = list;
	await other.goto(`/?source=${id}`);
	await expect(other.getByTestId('count-invalid')).toHaveText('1');
	await expect(other.locator(verifiedSelect)).toHaveValue('');

	await importing.locator(verifiedSelect).selectOption('email_verified');
	await expect(importing.getByTestId('count-invalid')).toHaveText('2');
	await expect(other.locator(verifiedSelect)).toHaveValue('email_verified');
	await expect(other.getByTestId('count-invalid')).toHaveText('2');
	await expect(other.getByTestId('changed-elsewhere')).toBeVisible();

	await other.locator(verifiedSelect).selectOption('');
	await expect(importing.locator(verifiedSelect)).toHaveValue('');
	await expect(importing.getByTestId('count-invalid')).toHaveText('1');

	// A report written in one tab can be downloaded from the other.
	await other.getByTestId('report-password').fill(PASSWORD);
	await other.getByTestId('report-password-repeat').fill(PASSWORD);
	await other.getByTestId('write-report').click();
	await expect(other.getByTestId('report-rows')).toHaveText('1', CRYPTO);
	await expect(importing.getByTestId('report-rows')).toHaveText('1');
	await expect(importing.getByTestId('report-form')).toHaveCount(0);
	const fromOther = await downloadReport(importing);
	expect(fromOther.bytes.subarray(0, 8).toString('latin1')).toBe('FERRYRPT');
	await screenshot(importing, testInfo, 'second-tab-follows');

	// Checked differently since: both tabs say the stored report is out of date.
	await expect(importing.getByTestId('report-stale')).toHaveCount(0);
	await importing.locator(verifiedSelect).selectOption('email_verified');
	await expect(importing.getByTestId('report-stale')).toBeVisible();
	await expect(other.getByTestId('count-invalid')).toHaveText('2');
	await expect(other.getByTestId('report-stale')).toBeVisible();

	// Still one source, not one per tab.
	await other.goto('/sources');
	await expect(other.getByTestId('source-row')).toHaveCount(1);
	await expect(other.getByTestId('source-counts')).toContainText('6 rows: 4 valid, 2 invalid');
	expect(importingErrors).toEqual([]);
});
