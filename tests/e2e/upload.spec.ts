import {
	expect,
	test,
	type BrowserContext,
	type Page,
	type Route,
	type TestInfo
} from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import type { ReceivedView, SourceView } from '../../src/lib/core/protocol/import-api';
import { decryptReport } from '../../src/lib/core/report';
import { ReferenceApi } from '../support/reference-api';
import { failOnConsoleErrors } from './console';
import { KEEP_SCREENSHOTS, screenshot } from './screenshot';
import { expectNoAxeViolations } from './axe';

// Chromium reports the requests the tests make fail on purpose: the one in flight when the browser
// goes offline, and the connection test with a wrong token.
failOnConsoleErrors({
	allow: [
		/net::ERR_INTERNET_DISCONNECTED/,
		/^Failed to load resource: the server responded with a status of 401 \(Unauthorized\)$/
	]
});

const legacy = fileURLToPath(new URL('../fixtures/e2e/legacy-1252.csv', import.meta.url));
const APP_ORIGIN = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4174)}`;
const TOKEN = 't';

/** The reference import API (its own process and database), and what these tests ask it. */
class UploadTestApi extends ReferenceApi {
	async get<T>(path: string): Promise<T> {
		const response = await fetch(this.url + path, {
			headers: { authorization: `Bearer ${TOKEN}` }
		});
		expect(response.status, `GET ${path}`).toBe(200);
		return (await response.json()) as T;
	}

	/** The source the app created for a file (newest first). */
	async sourceNamed(name: string): Promise<SourceView> {
		const { sources } = await this.get<{ sources: SourceView[] }>('/sources');
		const source = sources.find((view) => view.name === name);
		expect(source, `a source named ${name} at the API`).toBeDefined();
		return source!;
	}
}

let api: UploadTestApi;
/** Unique per test run: the tests of a worker share one API, and a test may run again (--repeat-each). */
const tag = () => crypto.randomUUID().slice(0, 8);
test.beforeAll(async () => {
	api = new UploadTestApi({ token: TOKEN, args: ['--cors', APP_ORIGIN] });
	await api.start();
});
test.afterAll(() => api?.stop());

/** Points the app at the test's API through the settings page (opened from the nav). */
async function configure(page: Page, rowsPerChunk?: number): Promise<void> {
	await page.getByRole('link', { name: 'Settings', exact: true }).click();
	await page.getByTestId('settings-url').fill(api.url);
	await page.getByTestId('settings-token').fill(TOKEN);
	await page.getByTestId('settings-mode-create').check();
	if (rowsPerChunk) await page.getByTestId('settings-rows-per-chunk').fill(String(rowsPerChunk));
	await page.getByTestId('settings-test').click();
	await expect(page.getByTestId('settings-check')).toHaveText('Connected');
	await expect(page.getByTestId('settings-limits')).toContainText(
		`Uploads will use ${(rowsPerChunk ?? 1000).toLocaleString('en-US')} rows`
	);
}

async function openImport(page: Page): Promise<void> {
	await page.getByRole('link', { name: 'Import', exact: true }).click();
	await page.getByTestId('dropzone').waitFor();
}

/** The upload panel and the results under it, kept (with KEEP_SCREENSHOTS) like screenshot() keeps full pages. */
async function uploadShot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
	const path = `test-results/screenshots/${name}.png`;
	const box = await page.getByTestId('upload').boundingBox();
	const results = await page.getByTestId('upload-results').boundingBox();
	expect(box).not.toBeNull();
	if (!KEEP_SCREENSHOTS) return;
	// Bounding boxes are relative to the viewport; a full-page clip is relative to the page.
	const scrollY = await page.evaluate(() => window.scrollY);
	const bottom = Math.min((results ?? box!).y + (results ?? box!).height, box!.y + 900);
	await page.screenshot({
		path,
		fullPage: true,
		clip: {
			x: 0,
			y: scrollY + box!.y - 8,
			width: page.viewportSize()!.width,
			height: bottom - box!.y + 16
		}
	});
	await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** "1,234 of 19,600" → 1234 */
async function sentRows(page: Page): Promise<number> {
	const text = (await page.getByTestId('upload-sent').textContent()) ?? '';
	return Number(text.split(' of ')[0].replace(/\D/g, ''));
}

test('uploads the 4 valid rows of a legacy export, mapped fields only, and rolls them back', async ({
	page
}, testInfo) => {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	// The defaults are the local reference API; a wrong token is named as such by the test button.
	await page.getByRole('link', { name: 'Settings', exact: true }).click();
	await expect(page.getByTestId('settings-url')).toHaveValue('http://localhost:8787/api/v1');
	await expect(page.getByTestId('settings-mode-link')).toBeChecked();
	await page.getByTestId('settings-url').fill(api.url);
	await page.getByTestId('settings-token').fill('not-the-token');
	await page.getByTestId('settings-test').click();
	await expect(page.getByTestId('settings-check')).toHaveText('Failed');
	await expect(page.getByTestId('settings-check-message')).toHaveText(
		'The destination refused the token (401).'
	);
	await configure(page);
	await expectNoAxeViolations(page, 'settings: connected');
	await screenshot(page, testInfo, 'upload-settings');
	await openImport(page);

	await page.getByTestId('file-input').setInputFiles(legacy);
	await expect(page.getByTestId('count-valid')).toHaveText('4');
	await expect(page.getByTestId('count-invalid')).toHaveText('2');
	await expect(page.getByTestId('upload-start')).toHaveText('Upload 4 valid rows');
	await page.getByTestId('upload-start').click();

	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 4 imported');
	await expect(page.getByTestId('upload-no-accounts')).toHaveCount(0);
	await expect(page.getByTestId('result-count-imported')).toHaveText('4');
	const rows = page.getByTestId('result-row');
	await expect(rows).toHaveCount(4);
	await expect(rows.locator('td:first-child')).toHaveText(['1', '2', '4', '6']);
	await expect(page.locator('[data-testid="result-row"][data-status="imported"]')).toHaveCount(4);
	await expect(rows.first()).toContainText('mueller@example.de');
	await expectNoAxeViolations(page, 'import: uploaded');
	await screenshot(page, testInfo, 'upload-imported');

	// The server got exactly the valid rows, once each, with only the mapped fields.
	const source = await api.sourceNamed('legacy-1252.csv');
	expect(source).toMatchObject({ status: 'complete', rows: 4, counts: { imported: 4 } });
	const received = await api.get<ReceivedView>(`/sources/${source.id}/received`);
	expect(received.chunks.flatMap((chunk) => chunk.rows)).toEqual([1, 2, 4, 6]);
	expect(received.chunks.every((chunk) => chunk.replays === 0)).toBe(true);
	expect(received.fields).toEqual([
		'email',
		'email_verified',
		'name',
		'organization',
		'registration_date',
		'user_id'
	]);
	// … in canonical form: booleans true/false, dotted dates as ISO dates.
	expect(
		await api.query(
			'SELECT email, name, email_verified, registration_date, organization FROM accounts WHERE created_by_source = ? ORDER BY id',
			[source.id]
		)
	).toEqual([
		{
			email: 'mueller@example.de',
			name: 'Jürgen Müller',
			email_verified: 'true',
			registration_date: '2020-02-01',
			organization: 'Müller & Söhne'
		},
		{
			email: 'francoise@example.fr',
			name: 'Françoise Dupré',
			email_verified: 'true',
			registration_date: '2020-03-15',
			organization: 'Café Crème'
		},
		{
			email: 'smorgas@example.se',
			name: 'Åsa Öberg',
			email_verified: 'true',
			registration_date: '2021-05-05',
			organization: '€uro AB'
		},
		{
			email: 'garcon@example.fr',
			name: 'Garçon Élan',
			email_verified: 'true',
			registration_date: '2021-06-07',
			organization: 'Straße GmbH'
		}
	]);

	// Roll back: the destination removes the 4 accounts; the source is marked.
	await page.getByTestId('upload-rollback').click();
	await page
		.getByRole('dialog', { name: 'Roll back this upload?' })
		.getByTestId('confirm-accept')
		.click();
	await expect(page.getByTestId('upload-status')).toHaveText('Rolled back');
	await expect(page.getByTestId('upload-rollback-summary')).toContainText('4 accounts removed');
	expect((await api.get<SourceView>(`/sources/${source.id}`)).status).toBe('rolled_back');
	await expectNoAxeViolations(page, 'import: rolled back');
	await uploadShot(page, testInfo, 'upload-rolled-back');

	// Again in link mode: no account exists any more, so every row comes back not_found, rejected,
	// with its reason; the results table filters by status.
	await page.getByRole('link', { name: 'Settings', exact: true }).click();
	await page.getByTestId('settings-mode-link').check();
	await openImport(page);
	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 0 imported, 4 not found');
	await expect(page.getByTestId('upload-no-accounts')).toBeVisible();
	await expect(page.getByTestId('upload-rejected')).toHaveText('4');
	await expect(page.getByTestId('result-count-not_found')).toHaveText('4');
	await page.getByTestId('result-filter-not_found').click();
	await expect(page.locator('[data-testid="result-row"][data-status="not_found"]')).toHaveCount(4);
	await expect(page.getByTestId('result-row').first()).toContainText('no account has this email');
	await page.getByTestId('result-filter-all').click();
	await expect(page.getByTestId('result-row')).toHaveCount(4);
	await uploadShot(page, testInfo, 'upload-link-mode-rejected');

	// The encrypted failure report holds the 2 invalid rows and the 4 the destination refused.
	const password = 'report password for the refused rows';
	await page.getByTestId('report-password').fill(password);
	await page.getByTestId('report-password-repeat').fill(password);
	await page.getByTestId('write-report').click();
	await expect(page.getByTestId('report-rows')).toHaveText('6', { timeout: 30_000 });
	const download = page.waitForEvent('download');
	await page.getByTestId('download-report').click();
	const encrypted = readFileSync(await (await download).path());
	const csv = new TextDecoder().decode(await decryptReport(encrypted, { password }));
	const reported = Papa.parse<Record<string, string>>(csv, {
		header: true,
		skipEmptyLines: true
	}).data;
	expect(reported.map((row) => [row.row, row.status])).toEqual([
		['1', 'not_found'],
		['2', 'not_found'],
		['3', 'invalid_row'],
		['4', 'not_found'],
		['5', 'invalid_row'],
		['6', 'not_found']
	]);
	expect(reported[0].email).toBe('mueller@example.de');
	expect(reported[0].messages).toContain('no account has this email');
});

test('a reload mid-upload resumes by itself, going offline waits, and every valid row arrives once', async ({
	page,
	context
}, testInfo) => {
	const ROWS = 20_000;
	const run = tag();
	const fileName = `big-upload-${run}.csv`;
	// Every 50th row has a broken email: 19,600 valid rows. "notes" is not mapped.
	const lines = Array.from({ length: ROWS }, (_, i) => {
		const n = i + 1;
		return `${run}-${n},${n % 50 === 0 ? `broken${n}` : `${run}.${n}@example.com`},User ${n},${n % 2 ? 'yes' : 'no'},private ${n}`;
	});
	const valid = Array.from({ length: ROWS }, (_, i) => i + 1).filter((n) => n % 50 !== 0);

	// Chunk requests are slowed down so there is time to act in the middle of the upload; while
	// `holding`, a chunk reaches the server (and is applied) but its answer never reaches the page.
	let holding = false;
	const held: Route[] = [];
	await context.route('**/api/v1/sources/*/chunks/*', async (route) => {
		if (route.request().method() !== 'PUT') return route.continue();
		if (holding) {
			await route.fetch().catch(() => null);
			held.push(route);
			return;
		}
		await new Promise((resolve) => setTimeout(resolve, 40));
		await route.continue().catch(() => {});
	});

	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await configure(page, 100);
	await openImport(page);
	await page.getByTestId('file-input').setInputFiles({
		name: fileName,
		mimeType: 'text/csv',
		buffer: Buffer.from(`id,email,name,verified,notes\n${lines.join('\n')}\n`)
	});
	await expect(page.getByTestId('count-valid')).toHaveText(String(valid.length));
	await page.getByTestId('upload-start').click();
	// Preparing asks the destination and makes the first chunks of 19,600 rows: past 5 s beside
	// another test on CI's two cores.
	await expect(page.getByTestId('upload-connection')).toHaveText('online', { timeout: 30_000 });
	await expect.poll(() => sentRows(page), { timeout: 30_000 }).toBeGreaterThan(2000);

	// A chunk is applied but its answer is lost, and the page reloads.
	holding = true;
	await expect.poll(() => held.length, { timeout: 10_000 }).toBeGreaterThan(0);
	const beforeReload = await sentRows(page);
	holding = false;
	await page.reload();
	await page.getByTestId('dropzone').waitFor();

	// No click: the upload resumes from the outbox by itself.
	await expect(page.getByTestId('upload-status')).toHaveText('Uploading');
	await expect.poll(() => sentRows(page), { timeout: 30_000 }).toBeGreaterThan(beforeReload + 1000);
	await uploadShot(page, testInfo, 'upload-resumed-after-reload');

	// Offline: the state says so, and once what was in flight has settled, nothing more is answered
	// until the connection is back.
	await context.setOffline(true);
	await expect(page.getByTestId('upload-connection')).toHaveText('offline');
	await uploadShot(page, testInfo, 'upload-offline');
	await page.waitForTimeout(300);
	const whileOffline = await sentRows(page);
	const receivedWhileOffline = (await api.sourceNamed(fileName)).rows;
	await page.waitForTimeout(1500);
	expect(await sentRows(page)).toBe(whileOffline);
	expect((await api.sourceNamed(fileName)).rows).toBe(receivedWhileOffline);
	await expect(page.getByTestId('upload-connection')).toHaveText('offline');
	await context.setOffline(false);

	// Back online: it goes on without any action and completes.
	await expect(page.getByTestId('upload-status')).toHaveText(
		`Complete: ${valid.length.toLocaleString('en-US')} imported`,
		{ timeout: 60_000 }
	);
	await expect(page.getByTestId('result-count-imported')).toHaveText(String(valid.length));
	await expect(page.getByTestId('upload-sent')).toHaveText(
		`${valid.length.toLocaleString('en-US')} of ${valid.length.toLocaleString('en-US')}`
	);
	await uploadShot(page, testInfo, 'upload-complete-after-reload-and-offline');

	// Exactly the valid rows, none missing, none applied twice; the lost answer came back as a replay.
	const source = await api.sourceNamed(fileName);
	expect(source).toMatchObject({ status: 'complete', rows: valid.length });
	const received = await api.get<ReceivedView>(`/sources/${source.id}/received`);
	const rows = received.chunks.flatMap((chunk) => chunk.rows);
	expect(rows).toHaveLength(valid.length);
	expect([...rows].sort((a, b) => a - b)).toEqual(valid);
	expect(received.chunks.every((chunk) => chunk.invalidRows.length === 0)).toBe(true);
	expect(received.chunks.reduce((sum, chunk) => sum + chunk.replays, 0)).toBeGreaterThan(0);
	expect(received.fields).toEqual(['email', 'email_verified', 'name', 'user_id']);
	expect(source.counts.imported).toBe(valid.length);
});

/**
 * A CSV of `count` users, every 50th with a broken email, ids and emails starting with `prefix` (the
 * tests share one API); returns it and its valid row numbers.
 */
function usersCsv(count: number, prefix: string): { buffer: Buffer; valid: number[] } {
	const lines = Array.from({ length: count }, (_, i) => {
		const n = i + 1;
		return `${prefix}${n},${n % 50 === 0 ? `broken${n}` : `${prefix}${n}@example.com`},User ${n}`;
	});
	return {
		buffer: Buffer.from(`id,email,name\n${lines.join('\n')}\n`),
		valid: Array.from({ length: count }, (_, i) => i + 1).filter((n) => n % 50 !== 0)
	};
}

/** Chunk requests take a little longer, so a test can act in the middle of an upload. */
async function slowChunks(target: Page | BrowserContext): Promise<void> {
	await target.route('**/api/v1/sources/*/chunks/*', async (route) => {
		if (route.request().method() === 'PUT') await new Promise((r) => setTimeout(r, 40));
		await route.continue().catch(() => {});
	});
}

test('one tab sends while another shows the progress, can pause it, and takes over when it closes', async ({
	page,
	context
}, testInfo) => {
	const run = tag();
	const fileName = `two-tabs-${run}.csv`;
	const { buffer, valid } = usersCsv(10_000, `t${run}-`);
	await slowChunks(context);
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await configure(page, 100);
	await openImport(page);
	await page.getByTestId('file-input').setInputFiles({
		name: fileName,
		mimeType: 'text/csv',
		buffer
	});
	await expect(page.getByTestId('count-valid')).toHaveText(String(valid.length));
	await page.getByTestId('upload-start').click();
	await expect.poll(() => sentRows(page), { timeout: 30_000 }).toBeGreaterThan(500);

	// The same source in a second tab: it does not send, it follows the stored progress.
	const other = await context.newPage();
	const otherErrors: string[] = [];
	other.on('console', (message) => {
		if (message.type() === 'error') otherErrors.push(message.text());
	});
	other.on('pageerror', (error) => otherErrors.push(error.message));
	await other.goto(page.url());
	await other.getByTestId('dropzone').waitFor();
	await expect(other.getByTestId('upload-elsewhere')).toBeVisible();
	const seen = await sentRows(other);
	await expect.poll(() => sentRows(other), { timeout: 30_000 }).toBeGreaterThan(seen);

	// Pause from the second tab: the sending tab pauses, both say so; resume the same way.
	await other.getByTestId('upload-pause').click();
	await expect(page.getByTestId('upload-connection')).toHaveText('paused');
	await expect(other.getByTestId('upload-connection')).toHaveText('paused');
	await uploadShot(other, testInfo, 'upload-other-tab-paused');
	await other.getByTestId('upload-resume').click();
	await expect(page.getByTestId('upload-connection')).toHaveText('online');

	// The sending tab closes: the second one takes over by itself and finishes.
	await page.close();
	await expect(other.getByTestId('upload-elsewhere')).toBeHidden({ timeout: 10_000 });
	await expect(other.getByTestId('upload-status')).toHaveText(
		`Complete: ${valid.length.toLocaleString('en-US')} imported`,
		{ timeout: 60_000 }
	);
	await expect(other.getByTestId('result-count-imported')).toHaveText(String(valid.length));
	await uploadShot(other, testInfo, 'upload-other-tab-took-over');

	const source = await api.sourceNamed(fileName);
	const received = await api.get<ReceivedView>(`/sources/${source.id}/received`);
	const rows = received.chunks.flatMap((chunk) => chunk.rows);
	expect(rows).toHaveLength(valid.length);
	expect([...rows].sort((a, b) => a - b)).toEqual(valid);
	expect(otherErrors).toEqual([]);
	await other.close();
});

test('cancel stops for good, also after a reload; roll back removes what was sent', async ({
	page
}, testInfo) => {
	const run = tag();
	const fileName = `cancelled-${run}.csv`;
	const { buffer, valid } = usersCsv(10_000, `c${run}-`);
	await slowChunks(page);
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await configure(page, 100);
	await openImport(page);
	await page.getByTestId('file-input').setInputFiles({
		name: fileName,
		mimeType: 'text/csv',
		buffer
	});
	await expect(page.getByTestId('count-valid')).toHaveText(String(valid.length));
	await page.getByTestId('upload-start').click();
	await expect.poll(() => sentRows(page), { timeout: 30_000 }).toBeGreaterThan(500);

	await page.getByTestId('upload-cancel').click();
	await page
		.getByRole('dialog', { name: 'Cancel this upload?' })
		.getByTestId('confirm-accept')
		.click();
	await expect(page.getByTestId('upload-status')).toHaveText(/^Cancelled: [\d,]+ imported$/);
	const answered = await sentRows(page);
	expect(answered).toBeLessThan(valid.length);
	await expect(page.getByTestId('result-filter-all')).toContainText(String(answered));

	// A reload does not resume a cancelled upload.
	await page.reload();
	await page.getByTestId('dropzone').waitFor();
	await expect(page.getByTestId('upload-status')).toHaveText(/^Cancelled: [\d,]+ imported$/);
	await expect(page.getByTestId('upload-start')).toHaveText(
		`Upload the ${valid.length.toLocaleString('en-US')} valid rows again`
	);
	const source = await api.sourceNamed(fileName);
	const received = await api.get<ReceivedView>(`/sources/${source.id}/received`);
	const sent = received.chunks.flatMap((chunk) => chunk.rows).length;
	expect(sent).toBeLessThan(valid.length);
	expect(sent).toBeGreaterThanOrEqual(answered);
	await uploadShot(page, testInfo, 'upload-cancelled');

	await page.getByTestId('upload-rollback').click();
	await page
		.getByRole('dialog', { name: 'Roll back this upload?' })
		.getByTestId('confirm-accept')
		.click();
	await expect(page.getByTestId('upload-status')).toHaveText('Rolled back');
	await expect(page.getByTestId('upload-rollback-summary')).toContainText(
		`${sent} accounts removed`
	);
	expect(
		await api.query<{ count: number }>(
			'SELECT count(*) AS count FROM accounts WHERE created_by_source = ?',
			[source.id]
		)
	).toEqual([{ count: 0 }]);
	expect((await api.get<SourceView>(`/sources/${source.id}`)).rows).toBe(sent);
});
