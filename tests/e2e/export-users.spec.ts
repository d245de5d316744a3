import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { UserPackage } from '../../src/lib/core/protocol/import-api';
import { decryptReport } from '../../src/lib/core/report';
import { ReferenceApi } from '../support/reference-api';
import { expectNoAxeViolations } from './axe';
import { failOnConsoleErrors } from './console';
import { screenshot } from './screenshot';

// The test of a destination without the endpoint provokes a 404 on purpose.
failOnConsoleErrors({
	allow: [
		/^Failed to load resource: the server responded with a status of 404 \(Not Found\)$/,
		/^Failed to load resource: net::ERR_INTERNET_DISCONNECTED$/
	]
});

const APP_ORIGIN = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4174)}`;
const TOKEN = 't';
let api: ReferenceApi;

async function call(method: string, path: string, body: unknown) {
	const text = JSON.stringify(body);
	const response = await fetch(api.url + path, {
		method,
		headers: {
			authorization: `Bearer ${TOKEN}`,
			'content-type': 'application/json',
			...(method === 'PUT'
				? { 'idempotency-key': createHash('sha256').update(text).digest('hex') }
				: {})
		},
		body: text
	});
	expect(response.ok, await response.clone().text()).toBe(true);
	return response.json();
}

test.beforeAll(async () => {
	api = new ReferenceApi({ token: TOKEN, args: ['--cors', APP_ORIGIN] });
	await api.start();
	const source = await call('POST', '/sources', {
		name: 'e2e export',
		mode: 'create',
		file: { name: 'users.csv', size: 1, sha256: 'a'.repeat(64) },
		rows: 24
	});
	// 12 users of acme (odd rows) and 12 of globex.
	const rows = Array.from({ length: 24 }, (_, index) => ({
		row: index + 1,
		user_id: `ext-${index + 1}`,
		email: `person${index + 1}@example.com`,
		name: `Person ${index + 1}`,
		organization: index % 2 === 0 ? 'acme' : 'globex',
		password_hash: '$2b$10$abcdefghijklmnopqrstuuC0dKx2r1Tz6pXmA1mY0ZtXU3d2QJq5G'
	}));
	await call('PUT', `/sources/${source.id}/chunks/0`, { rows });
});
test.afterAll(() => api?.stop());

test.beforeEach(async ({ page }) => {
	// Headless Chromium has the File System Access API, whose picker is a native dialog a test
	// cannot answer: without it the app takes its other path (a private working file, downloaded).
	await page.addInitScript(() => {
		delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
	});
});

async function configure(page: Page, url: string) {
	await page.goto('/');
	await page
		.getByRole('navigation', { name: 'Main' })
		.getByRole('link', { name: 'Settings' })
		.click();
	await page.getByTestId('settings-url').fill(url);
	await page.getByTestId('settings-token').fill(TOKEN);
	await page
		.getByRole('navigation', { name: 'Main' })
		.getByRole('link', { name: 'Export users' })
		.click();
	await expect(page.getByRole('heading', { level: 1, name: 'Export users' })).toBeVisible();
}

async function fits(page: Page, testInfo: TestInfo, state: string) {
	for (const width of [1366, 390]) {
		await page.setViewportSize({ width, height: 900 });
		const { scrollWidth, innerWidth } = await page.evaluate(() => ({
			scrollWidth: document.documentElement.scrollWidth,
			innerWidth: window.innerWidth
		}));
		expect
			.soft(scrollWidth, `page width of ${state} at ${width} px`)
			.toBeLessThanOrEqual(innerWidth);
		await expectNoAxeViolations(page, `${state} at ${width}`);
		await screenshot(page, testInfo, `export-${width}-${state}`);
	}
}

test('exports the 10 first users of one organization as CSV with renamed headers', async ({
	page
}, testInfo) => {
	await configure(page, api.url);
	await fits(page, testInfo, 'empty');

	await page.getByTestId('export-organization').fill('acme');
	for (const field of await page.locator('[data-testid^="export-field-"]').all()) {
		const name = (await field.getAttribute('data-testid'))!.slice('export-field-'.length);
		if (!['user_id', 'email', 'name'].includes(name)) await field.uncheck();
	}
	await page.getByTestId('export-rename-user_id').fill('ID');
	await page.getByTestId('export-rename-email').fill('E-mail address');
	await page.getByTestId('export-format-csv').check();
	await page.getByTestId('export-sample').check();

	const downloading = page.waitForEvent('download');
	await page.getByTestId('export-start').click();
	const download = await downloading;
	expect(download.suggestedFilename()).toMatch(/^users-\d{4}-\d{2}-\d{2}\.csv$/);
	const csv = readFileSync((await download.path())!, 'utf8');
	expect(csv).not.toMatch(/\$2b\$/);
	const rows = Papa.parse<string[]>(csv.trimEnd(), { newline: '\r\n' }).data;
	expect(rows[0]).toEqual(['ID', 'E-mail address', 'name']);
	expect(rows.slice(1)).toEqual(
		Array.from({ length: 10 }, (_, index) => [
			`ext-${2 * index + 1}`,
			`person${2 * index + 1}@example.com`,
			`Person ${2 * index + 1}`
		])
	);

	await expect(page.getByTestId('export-status')).toHaveText('Done: 10 users exported.');
	const entry = page.getByTestId('export-log-entry').first();
	await expect(entry.getByTestId('export-log-status')).toHaveText('Complete');
	await expect(entry).toContainText('organization = acme, sample');
	await expect(entry.getByTestId('export-log-rows')).toHaveText('10 users');
	await fits(page, testInfo, 'done');
});

test('says so when the destination has no export endpoint', async ({ page }, testInfo) => {
	await configure(page, `${new URL(api.url).origin}/elsewhere/api/v1`);
	await page.getByTestId('export-start').click();
	await expect(page.getByTestId('export-status')).toContainText(
		'This destination cannot export users: it has no GET /users endpoint'
	);
	await expect(page.getByTestId('export-log-status').first()).toHaveText('Failed');
	await fits(page, testInfo, 'no-endpoint');
});

test('resumes an export the connection dropped, each user once', async ({ page }) => {
	await configure(page, api.url);
	for (const field of ['given_name', 'family_name', 'username', 'nickname']) {
		await page.getByTestId(`export-field-${field}`).uncheck();
	}
	await page.getByTestId('export-format-json').check();
	await page.route('**/api/v1/users?*', (route) => route.abort('internetdisconnected'));
	await page.getByTestId('export-start').click();
	await expect(page.getByTestId('export-status')).toContainText(
		'The connection dropped after 0 users'
	);
	await expect(page.getByTestId('export-log-status').first()).toHaveText('Interrupted');

	await page.unroute('**/api/v1/users?*');
	const downloading = page.waitForEvent('download');
	await page.getByTestId('export-progress').getByRole('button', { name: 'Resume' }).click();
	const users = JSON.parse(readFileSync((await (await downloading).path())!, 'utf8'));
	expect(users.map((user: { user_id: string }) => user.user_id)).toEqual(
		Array.from({ length: 24 }, (_, index) => `ext-${index + 1}`)
	);
	await expect(page.getByTestId('export-status')).toHaveText('Done: 24 users exported.');
});

test('downloads the GDPR package of one user encrypted, and the report page opens it', async ({
	page
}, testInfo) => {
	test.setTimeout(90_000);
	await configure(page, api.url);
	const form = page.getByTestId('gdpr-package');
	await form.getByTestId('gdpr-user-id').fill('nobody');
	await form.getByTestId('gdpr-password').fill('correct horse');
	await form.getByTestId('gdpr-download').click();
	await expect(form.getByTestId('gdpr-outcome')).toHaveText(
		'No account is connected to this user id.'
	);

	await form.getByTestId('gdpr-user-id').fill('ext-5');
	await form.getByTestId('gdpr-password').fill('correct horse');
	const downloading = page.waitForEvent('download');
	await form.getByTestId('gdpr-download').click();
	const download = await downloading;
	expect(download.suggestedFilename()).toBe('gdpr-ext-5.ferry-report');
	const encrypted = readFileSync((await download.path())!);
	const opened = JSON.parse(
		new TextDecoder().decode(await decryptReport(encrypted, { password: 'correct horse' }))
	) as UserPackage;
	expect(opened.user).toMatchObject({ user_id: 'ext-5', organization: 'acme' });
	expect(opened.audit.map((entry) => entry.action)).toEqual(['created']);
	await fits(page, testInfo, 'gdpr-saved');

	await page
		.getByRole('navigation', { name: 'Main' })
		.getByRole('link', { name: 'Open report' })
		.click();
	await page.getByTestId('report-input').setInputFiles({
		name: 'gdpr-ext-5.ferry-report',
		mimeType: 'application/octet-stream',
		buffer: encrypted
	});
	await page.getByTestId('password-input').fill('correct horse');
	await page.getByTestId('open-report').click();
	await expect(page.getByTestId('user-package-summary')).toHaveText('GDPR package of ext-5', {
		timeout: 30_000
	});
	await expect(page.getByTestId('user-package')).toContainText('person5@example.com');
	await fits(page, testInfo, 'gdpr-opened');
});
