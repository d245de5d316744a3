import { expect, test, type Locator, type Page, type TestInfo } from '@playwright/test';
import { readFileSync } from 'node:fs';
import type { SourceView } from '../../src/lib/core/protocol/import-api';
import { reportCsv } from '../../src/lib/core/report/csv';
import { refusedRow } from '../../src/lib/core/report/rows';
import { formatRunDuration, LOG_TIME_FORMAT } from '../../src/lib/upload/outcome';
import { ReferenceApi } from '../support/reference-api';
import { expectNoAxeViolations } from './axe';
import { failOnConsoleErrors } from './console';
import { screenshot } from './screenshot';
import { connectTo } from './destination';

failOnConsoleErrors();
test.use({ locale: 'en-US' });

const APP_ORIGIN = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4174)}`;
const TOKEN = 't';
const WIDTHS = [1366, 390];

/** A reference API with no accounts at all: link mode finds none of the rows' accounts. */
let api: ReferenceApi;
test.beforeAll(async () => {
	api = new ReferenceApi({ token: TOKEN, args: ['--cors', APP_ORIGIN] });
	await api.start();
});
test.afterAll(() => api?.stop());

async function apiSources(): Promise<SourceView[]> {
	const response = await fetch(`${api.url}/sources`, {
		headers: { authorization: `Bearer ${TOKEN}` }
	});
	return ((await response.json()) as { sources: SourceView[] }).sources;
}

/** Six valid rows whose accounts the destination does not have. */
function sixRows(run: string): Buffer {
	const lines = ['user_id,email,name'];
	for (let i = 1; i <= 6; i++) lines.push(`${run}-${i},${run}-${i}@example.com,User ${i}`);
	return Buffer.from(lines.join('\n') + '\n');
}

async function linkToApi(page: Page): Promise<void> {
	await page.getByRole('link', { name: 'Settings', exact: true }).click();
	await connectTo(page, api.url, TOKEN, 'link');
	await page.getByRole('link', { name: 'Import', exact: true }).click();
	await page.getByTestId('dropzone').waitFor();
}

/** Full-page screenshots at the laptop and the phone width, then back to the laptop. */
async function atBothWidths(page: Page, testInfo: TestInfo, name: string): Promise<void> {
	for (const width of WIDTHS) {
		await page.setViewportSize({ width, height: 900 });
		await screenshot(page, testInfo, `${name}-${width}`);
	}
	await page.setViewportSize({ width: WIDTHS[0], height: 900 });
}

test('a named link-mode run into a destination without accounts says what happened, is renamed and rolled back on delete', async ({
	page
}, testInfo) => {
	const run = crypto.randomUUID().slice(0, 8);
	const fileName = `accounts-${run}.csv`;
	await page.setViewportSize({ width: WIDTHS[0], height: 900 });
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await linkToApi(page);

	await page
		.getByTestId('file-input')
		.setInputFiles({ name: fileName, mimeType: 'text/csv', buffer: sixRows(run) });
	await expect(page.getByTestId('count-valid')).toHaveText('6');
	// The run's name defaults to the file's; the admin names it at the drop.
	const name = page.getByTestId('source-name');
	await expect(name).toHaveValue(fileName);
	await expect(name).toBeEnabled();
	await name.fill(`March link run ${run}`);
	await name.press('Enter');

	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 0 imported, 6 not found');
	await expect(page.getByTestId('upload-status')).toHaveClass(/\bbad\b/);
	const hint = page.getByTestId('upload-no-accounts');
	await expect(hint).toContainText('The destination has no accounts to link these rows to');
	await expect(hint).toContainText('npm run api:seed');
	await expect(page.getByTestId('upload-no-accounts-settings')).toHaveAttribute(
		'href',
		'/settings'
	);
	// The destination's source carries the run's name.
	const remote = (await apiSources()).find((source) => source.name === `March link run ${run}`);
	expect(remote, 'the API source named after the run').toBeDefined();
	await atBothWidths(page, testInfo, 'outcomes-link-no-accounts');

	// The list shows the run by its name and its real counts, and renames it.
	await page.getByRole('link', { name: 'Sources', exact: true }).click();
	// Found by its file name, shown under the run's name (the name turns into a field when renamed).
	const row = page.getByTestId('source-row').filter({ hasText: fileName });
	await expect(row.getByTestId('source-open')).toHaveText(`March link run ${run}`);
	await expect(row.getByTestId('source-status')).toHaveText('0 imported · 6 not found');
	await row.getByTestId('source-rename').click();
	await row.getByTestId('source-name-input').fill(`Renamed run ${run}`);
	await row.getByTestId('source-rename-save').click();
	const renamed = row;
	await expect(renamed.getByTestId('source-open')).toHaveText(`Renamed run ${run}`);
	await atBothWidths(page, testInfo, 'outcomes-sources');

	// Deleting an uploaded source offers its rollback first.
	await renamed.getByTestId('source-delete').click();
	const dialog = page.getByRole('dialog', { name: 'Roll back this upload before deleting?' });
	await expect(dialog).toBeVisible();
	await expect(dialog.getByRole('button')).toHaveText([
		'Cancel',
		'Delete here only',
		'Roll back at the destination, then delete'
	]);
	await atBothWidths(page, testInfo, 'outcomes-delete-offers-rollback');
	await dialog.getByRole('button', { name: 'Roll back at the destination, then delete' }).click();
	await expect(renamed).toHaveCount(0);
	const after = (await apiSources()).find((source) => source.id === remote!.id);
	expect(after?.status).toBe('rolled_back');
});

/** The download a click on `button` starts: its suggested name and its bytes. */
async function downloaded(page: Page, button: Locator): Promise<{ name: string; bytes: Buffer }> {
	const download = page.waitForEvent('download');
	await button.click();
	const file = await download;
	return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

/** The epoch ms of a <time> element, after checking it reads as the browser formats the log's times. */
async function loggedTime(page: Page, time: Locator): Promise<number> {
	const at = Date.parse((await time.getAttribute('datetime'))!);
	const expected = await page.evaluate(
		([ms, options]) => new Intl.DateTimeFormat(undefined, options).format(ms),
		[at, LOG_TIME_FORMAT] as const
	);
	await expect(time).toHaveText(expected);
	return at;
}

test('the import log lists a run’s start, end, duration, counts and encrypted report, at both widths', async ({
	page
}, testInfo) => {
	test.setTimeout(90_000);
	const run = crypto.randomUUID().slice(0, 8);
	const fileName = `log-${run}.csv`;
	// Four rows the destination has no accounts for, two that validation keeps back.
	const lines = ['user_id,email,name'];
	for (let i = 1; i <= 4; i++) lines.push(`${run}-${i},${run}-${i}@example.com,User ${i}`);
	lines.push(`${run}-5,not an email,User 5`, `${run}-6,also not,User 6`);
	await page.setViewportSize({ width: WIDTHS[0], height: 900 });
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await linkToApi(page);
	await page.getByTestId('file-input').setInputFiles({
		name: fileName,
		mimeType: 'text/csv',
		buffer: Buffer.from(lines.join('\n') + '\n')
	});
	await expect(page.getByTestId('count-valid')).toHaveText('4');
	await expect(page.getByTestId('count-invalid')).toHaveText('2');

	const before = Date.now();
	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 0 imported, 4 not found');
	const after = Date.now();

	await page.getByTestId('report-password').fill('correct horse battery staple');
	await page.getByTestId('report-password-repeat').fill('correct horse battery staple');
	await page.getByTestId('write-report').click();
	await expect(page.getByTestId('report-written')).toBeVisible({ timeout: 30_000 });
	const fromImport = await downloaded(page, page.getByTestId('download-report'));

	await page.getByRole('link', { name: 'Sources', exact: true }).click();
	const row = page.getByTestId('source-row').filter({ hasText: fileName });
	await expect(row.getByTestId('source-status')).toHaveText('0 imported · 4 not found');
	await expect(row.getByTestId('source-run')).toContainText('Completed');
	const started = await loggedTime(page, row.getByTestId('source-run-started'));
	const ended = await loggedTime(page, row.getByTestId('source-run-ended'));
	expect(started).toBeGreaterThanOrEqual(before);
	expect(ended).toBeGreaterThanOrEqual(started);
	expect(ended).toBeLessThanOrEqual(after);
	await expect(row.getByTestId('source-run-duration')).toHaveText(
		formatRunDuration(ended - started)
	);
	await expect(row.getByTestId('source-file-kept')).toContainText('File and preview kept until');

	// The log's download is the import page's: the same name, the same encrypted bytes.
	const fromLog = await downloaded(page, row.getByTestId('source-download-report'));
	expect(fromLog.name).toBe(`${fileName}.ferry-report`);
	expect(fromLog.name).toBe(fromImport.name);
	expect(fromLog.bytes.equals(fromImport.bytes)).toBe(true);

	// The table scrolls in its own focusable region, never the page.
	const region = page.getByRole('region', { name: 'Import log' });
	await expect(region).toHaveAttribute('tabindex', '0');
	for (const width of WIDTHS) {
		await page.setViewportSize({ width, height: 900 });
		await expect(row.getByTestId('source-download-report')).toBeAttached();
		const { scrollWidth, innerWidth } = await page.evaluate(() => ({
			scrollWidth: document.documentElement.scrollWidth,
			innerWidth: window.innerWidth
		}));
		expect(scrollWidth, `page width at ${width} px`).toBeLessThanOrEqual(innerWidth);
		await expectNoAxeViolations(page, `the import log at ${width} px`);
		await screenshot(page, testInfo, `outcomes-import-log-${width}`);
	}
});

test('a source never uploaded is deleted without a rollback question', async ({ page }) => {
	const run = crypto.randomUUID().slice(0, 8);
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page
		.getByTestId('file-input')
		.setInputFiles({ name: `draft-${run}.csv`, mimeType: 'text/csv', buffer: sixRows(run) });
	await expect(page.getByTestId('count-valid')).toHaveText('6');
	await page.getByRole('link', { name: 'Sources', exact: true }).click();
	const row = page.getByTestId('source-row').filter({ hasText: `draft-${run}.csv` });
	await row.getByTestId('source-delete').click();
	const dialog = page.getByRole('dialog', { name: 'Delete this source?' });
	await expect(dialog.getByTestId('confirm-alternative')).toHaveCount(0);
	await dialog.getByTestId('confirm-accept').click();
	await expect(row).toHaveCount(0);
});

test('a failure report Ferry wrote is read back with its phone numbers intact, and says so', async ({
	page
}, testInfo) => {
	const columns = ['user_id', 'email', 'name', 'phone_number'];
	const rows = [
		['u1', 'ann@example.com', 'Ann', '+14155550100'],
		['u2', 'bob@example.com', 'Bob', '+14155550101']
	].map((fields, index) =>
		refusedRow(index + 1, index + 2, columns, fields, 'not_found', 'no account has this email')
	);
	const csv = reportCsv(columns, rows);
	expect(csv).toContain("'+14155550100");
	await page.setViewportSize({ width: WIDTHS[0], height: 900 });
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page
		.getByTestId('file-input')
		.setInputFiles({ name: 'report.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
	await expect(page.getByTestId('preset')).toHaveText('ferry-failure-report');
	await expect(page.getByTestId('notice')).toHaveText(
		'Ferry failure report: 2 values un-escaped (the quote its formula protection added is taken off).'
	);
	await expect(page.getByTestId('count-valid')).toHaveText('2');
	await expect(page.getByTestId('count-invalid')).toHaveText('0');
	await expect(page.getByTestId('file-bar')).toBeVisible();
	await expect(page.getByText('+14155550100').first()).toBeVisible();
	await screenshot(page, testInfo, 'outcomes-report-read-back');
});
