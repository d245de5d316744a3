import { expect, test, type Page, type TestInfo } from '@playwright/test';
import type { ReceivedView, SourceView } from '../../src/lib/core/protocol/import-api';
import { ReferenceApi, seedReferenceApi } from '../support/reference-api';
import { expectNoAxeViolations } from './axe';
import { failOnConsoleErrors } from './console';
import { screenshot } from './screenshot';
import { expectFits, wideCsv } from './wide';
import { connectTo } from './destination';

failOnConsoleErrors();
test.use({ locale: 'en-US' });

const APP_ORIGIN = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4174)}`;
const TOKEN = 't';
const WIDTHS = [1366, 390];

/** A destination with accounts user1..user3@example.com (server/accounts.ts). */
let api: ReferenceApi;
test.beforeAll(async () => {
	api = new ReferenceApi({ token: TOKEN, args: ['--cors', APP_ORIGIN] });
	await api.start();
	const seeded = await seedReferenceApi(['--accounts', '3', '--database', api.database]);
	expect(seeded.status, seeded.stderr).toBe(0);
});
test.afterAll(() => api?.stop());

async function get<T>(path: string): Promise<T> {
	const response = await fetch(`${api.url}${path}`, {
		headers: { authorization: `Bearer ${TOKEN}` }
	});
	return (await response.json()) as T;
}

async function remoteSource(name: string): Promise<SourceView> {
	const { sources } = await get<{ sources: SourceView[] }>('/sources');
	const found = sources.find((source) => source.name === name);
	expect(found, `the destination's source "${name}"`).toBeDefined();
	return found!;
}

/** Rows of a CSV: `user_id,email`, one per email. */
function csv(emails: string[], run: string): Buffer {
	const lines = ['user_id,email', ...emails.map((email, i) => `${run}-${i + 1},${email}`)];
	return Buffer.from(lines.join('\n') + '\n');
}

async function openWith(page: Page, mode: 'link' | 'create', name: string, file: Buffer) {
	await page.setViewportSize({ width: WIDTHS[0], height: 900 });
	await page.goto('/settings');
	await connectTo(page, api.url, TOKEN, mode);
	await page.getByRole('link', { name: 'Import', exact: true }).click();
	await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/csv', buffer: file });
}

/** Fits the window (no sideways page scroll), passes axe, and is kept as a screenshot, at both widths. */
async function check(page: Page, testInfo: TestInfo, state: string): Promise<void> {
	for (const width of WIDTHS) {
		await page.setViewportSize({ width, height: 900 });
		await expectFits(page, state);
		await expectNoAxeViolations(page, `${state} at ${width}`);
		await screenshot(page, testInfo, `follow-ups-${state}-${width}`);
	}
	await page.setViewportSize({ width: WIDTHS[0], height: 900 });
}

test('a dry run shows what would happen, changes nothing, then the real upload does it', async ({
	page
}, testInfo) => {
	const run = crypto.randomUUID().slice(0, 8);
	const name = `dry-${run}.csv`;
	const emails = [
		'user1@example.com',
		'user2@example.com',
		`${run}-a@example.com`,
		`${run}-b@example.com`
	];
	await openWith(page, 'link', name, csv(emails, run));
	await expect(page.getByTestId('count-valid')).toHaveText('4');

	await page.getByTestId('upload-dry-run').click();
	const dry = page.getByTestId('follow-up').and(page.locator('[data-kind="dry_run"]'));
	await expect(dry.getByTestId('follow-up-status')).toHaveText('Would be: 2 imported, 2 not found');
	const results = page.getByTestId('follow-up-results');
	await expect(results.getByTestId('result-count-not_found')).toHaveText('2');
	await results.getByTestId('result-filter-not_found').click();
	await expect(results.getByTestId('result-row')).toHaveCount(2);
	await expect(results.getByTestId('result-row').first()).toContainText(
		'no account has this email'
	);
	// Nothing changed: the destination's dry-run source, and the source itself not uploaded yet.
	const remoteDry = await remoteSource(`${name} — dry run`);
	expect(remoteDry).toMatchObject({ dryRun: true, status: 'complete', rows: 4 });
	await expect(page.getByTestId('upload-status')).toHaveCount(0);
	await check(page, testInfo, 'dry-run');

	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 2 imported, 2 not found');
	const real = await remoteSource(name);
	expect(real).toMatchObject({ dryRun: false, counts: { imported: 2, not_found: 2 } });
});

test('try the first N rows: a sample of its own, then the rest without them', async ({
	page
}, testInfo) => {
	const run = crypto.randomUUID().slice(0, 8);
	const name = `sample-${run}.csv`;
	const emails = Array.from({ length: 5 }, (_, i) => `${run}-${i + 1}@example.com`);
	await openWith(page, 'create', name, csv(emails, run));
	await expect(page.getByTestId('count-valid')).toHaveText('5');

	await expect(page.getByTestId('upload-sample-rows')).toHaveValue('100');
	await page.getByTestId('upload-sample-rows').fill('2');
	await page.getByTestId('upload-try-first').click();
	const sample = page.getByTestId('follow-up').and(page.locator('[data-kind="sample"]'));
	await expect(sample.getByTestId('follow-up-status')).toHaveText('Complete: 2 imported');
	await expect(page.getByTestId('upload-start')).toHaveText('Upload the remaining 3 rows');
	await check(page, testInfo, 'sample');

	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 3 imported');
	const first = await remoteSource(`${name} — first 2`);
	const rest = await remoteSource(name);
	const rowsOf = async (source: SourceView) =>
		(await get<ReceivedView>(`/sources/${source.id}/received`)).chunks.flatMap(
			(chunk) => chunk.rows
		);
	expect(await rowsOf(first)).toEqual([1, 2]);
	expect(await rowsOf(rest)).toEqual([3, 4, 5]);
});

test('the rows refused as not_found are sent again in create mode, only them', async ({
	page
}, testInfo) => {
	const run = crypto.randomUUID().slice(0, 8);
	const name = `retry-${run}.csv`;
	// user3 exists (link imports it); the other three have no account.
	const emails = [
		`${run}-a@example.com`,
		'user3@example.com',
		`${run}-b@example.com`,
		`${run}-c@example.com`
	];
	await openWith(page, 'link', name, csv(emails, run));
	await expect(page.getByTestId('count-valid')).toHaveText('4');
	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 1 imported, 3 not found');

	await expect(page.getByTestId('upload-refused')).toHaveText('3');
	await expect(page.getByTestId('upload-retry-mode')).toHaveValue('create');
	await check(page, testInfo, 'retry-offered');
	await page.getByTestId('upload-retry-refused').click();
	const retry = page.getByTestId('follow-up').and(page.locator('[data-kind="retry"]'));
	await expect(retry.getByTestId('follow-up-status')).toHaveText('Complete: 3 imported');
	await expect(page.getByTestId('upload-retry-refused-form')).toHaveCount(0);
	await check(page, testInfo, 'retried');

	const retried = await remoteSource(`${name} — retry 1`);
	expect(retried).toMatchObject({ mode: 'create', rows: 3, counts: { imported: 3 } });
	const received = await get<ReceivedView>(`/sources/${retried.id}/received`);
	expect(received.chunks.flatMap((chunk) => chunk.rows)).toEqual([1, 3, 4]);
	const original = await get<ReceivedView>(`/sources/${(await remoteSource(name)).id}/received`);
	// New chunks under new keys: a new source at the destination.
	const keys = new Set(original.chunks.map((chunk) => chunk.idempotencyKey));
	expect(received.chunks.every((chunk) => !keys.has(chunk.idempotencyKey))).toBe(true);

	await page.getByRole('link', { name: 'Sources', exact: true }).click();
	const row = page.getByTestId('source-row').filter({ hasText: name });
	await expect(row.getByTestId('source-follow-up')).toHaveCount(1);
	await expect(row.getByTestId('source-follow-up')).toContainText('Retry (create');
	await expect(row.getByTestId('source-follow-up')).toContainText('Complete: 3 imported');
	await check(page, testInfo, 'sources');
});

test('the follow-up runs of a 30-column file fit a laptop and a phone', async ({
	page
}, testInfo) => {
	test.setTimeout(120_000);
	const name = `wide-${crypto.randomUUID().slice(0, 8)}.csv`;
	// No account has these emails: link mode refuses every valid row, which a retry then creates.
	await openWith(page, 'link', name, wideCsv(60));
	await expect(page.getByTestId('count-valid')).toHaveText('52');

	await page.getByTestId('upload-dry-run').click();
	const dry = page.getByTestId('follow-up').and(page.locator('[data-kind="dry_run"]'));
	await expect(dry.getByTestId('follow-up-status')).toHaveText(
		'Would be: 0 imported, 52 not found'
	);
	await check(page, testInfo, 'wide-dry-run');

	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toHaveText(/52 not found$/);
	await expect(page.getByTestId('upload-refused')).toHaveText('52');
	await check(page, testInfo, 'wide-retry-offered');
	await page.getByTestId('upload-retry-refused').click();
	const retry = page.getByTestId('follow-up').and(page.locator('[data-kind="retry"]'));
	await expect(retry.getByTestId('follow-up-status')).toHaveText('Complete: 52 imported');
	await check(page, testInfo, 'wide-retried');
});
