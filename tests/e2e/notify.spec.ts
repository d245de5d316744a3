import { writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { ReferenceApi } from '../support/reference-api';
import { expectNoAxeViolations } from './axe';
import { failOnConsoleErrors } from './console';
import { screenshot } from './screenshot';
import { connectTo } from './destination';

/*
 * A long validation or upload that ends while the tab is in the background says so in a system
 * notification,
 * once the admin turned notifications on in Settings (the only moment permission is asked for).
 * The browser's Notification is replaced by a recorder; the page's clock is Playwright's, so "long"
 * takes no real ten seconds.
 */

failOnConsoleErrors();

const TOKEN = 't';
const APP_ORIGIN = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4174)}`;

let api: ReferenceApi;
test.beforeAll(async () => {
	api = new ReferenceApi({ token: TOKEN, args: ['--cors', APP_ORIGIN] });
	await api.start();
});
test.afterAll(() => api?.stop());

interface Recorded {
	requests: number;
	shown: { title: string; body: string }[];
}

test.beforeEach(async ({ page, context }) => {
	await context.grantPermissions(['notifications']);
	await page.addInitScript(() => {
		const recorded = { requests: 0, shown: [] as { title: string; body: string }[] };
		const stored = sessionStorage.getItem('notify-recorded');
		Object.assign(recorded, stored ? JSON.parse(stored) : {});
		const keep = () => sessionStorage.setItem('notify-recorded', JSON.stringify(recorded));
		class RecordingNotification {
			static permission: NotificationPermission = recorded.requests > 0 ? 'granted' : 'default';
			static async requestPermission(): Promise<NotificationPermission> {
				recorded.requests++;
				keep();
				RecordingNotification.permission = 'granted';
				return 'granted';
			}
			constructor(title: string, options?: NotificationOptions) {
				recorded.shown.push({ title, body: options?.body ?? '' });
				keep();
			}
			close() {}
		}
		Object.assign(window, { Notification: RecordingNotification, notifyRecorded: recorded });
	});
});

async function recorded(page: Page): Promise<Recorded> {
	return page.evaluate(() => (window as unknown as { notifyRecorded: Recorded }).notifyRecorded);
}

/** `rows` users, every 100th with a broken email; `run` tells apart the users of each upload. */
function usersCsv(rows: number, run = ''): Buffer {
	const lines = ['user_id,email,name'];
	for (let i = 1; i <= rows; i++)
		lines.push(
			`${run}${i},${i % 100 === 0 ? `broken${i}@` : `user${run}${i}@example.com`},User ${i}`
		);
	return Buffer.from(lines.join('\n') + '\n');
}

async function turnOn(page: Page) {
	await page.goto('/settings');
	const toggle = page.getByTestId('notify-toggle');
	await expect(toggle).not.toBeChecked();
	expect((await recorded(page)).requests).toBe(0);
	await toggle.check();
	await expect(toggle).toBeChecked();
	expect((await recorded(page)).requests).toBe(1);
	expect(await page.evaluate(() => localStorage.getItem('ferry.notify'))).toBe('1');
}

/** Points the app at the test's API from the settings page, then opens the import page. */
async function configure(page: Page) {
	await connectTo(page, api.url, TOKEN);
	await page.getByRole('link', { name: 'Import', exact: true }).click();
	await page.getByTestId('dropzone').waitFor();
}

async function hideTab(page: Page) {
	await page.evaluate(() =>
		Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
	);
}

test('a long validation that ends in a background tab is notified once, with its counts', async ({
	page
}, testInfo) => {
	await page.clock.install();
	await page.goto('/');
	// Nothing is asked on page load.
	expect((await recorded(page)).requests).toBe(0);
	await turnOn(page);

	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await hideTab(page);
	await page.getByTestId('file-input').setInputFiles({
		name: 'users.csv',
		mimeType: 'text/csv',
		buffer: usersCsv(300_000)
	});
	await expect(page.getByTestId('progress')).toBeVisible();
	// Eleven seconds pass while the file is checked.
	await page.clock.fastForward(11_000);
	await expect(page.getByTestId('count-rows')).toHaveText('300000', { timeout: 60_000 });
	await expect(page.getByTestId('count-invalid')).toHaveText('3000');

	await expect
		.poll(async () => (await recorded(page)).shown)
		.toEqual([{ title: 'Ferry: users.csv checked', body: '297,000 valid, 3,000 invalid' }]);
	expect((await recorded(page)).requests).toBe(1);
	await expectNoAxeViolations(page, 'import: validated, notified');
	await screenshot(page, testInfo, 'notify-validated');
});

test('a short validation is not notified', async ({ page }) => {
	await turnOn(page);
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await hideTab(page);
	await page.getByTestId('file-input').setInputFiles({
		name: 'small.csv',
		mimeType: 'text/csv',
		buffer: usersCsv(200)
	});
	await expect(page.getByTestId('count-rows')).toHaveText('200');
	expect((await recorded(page)).shown).toEqual([]);
});

test('time left is shown beside the percent; a long validation in view is not notified', async ({
	page
}, testInfo) => {
	test.setTimeout(120_000);
	await page.clock.install();
	await turnOn(page);
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	// Progress is reported once per 4 MiB range: 2 million rows (about 70 MB) leave many reports
	// after the clock jumps, where 300,000 rows sometimes finished before the jump on a busy machine.
	const path = testInfo.outputPath('users.csv');
	writeFileSync(path, usersCsv(2_000_000));
	await page.getByTestId('file-input').setInputFiles(path);
	await expect(page.getByTestId('progress')).toBeVisible();
	await page.clock.fastForward(11_000);
	await expect(page.getByTestId('time-left')).toHaveText(/^about (\d+ s|\d+ min \d+ s) left$/);
	await expect(page.getByTestId('count-rows')).toHaveText('2000000', { timeout: 90_000 });
	expect((await recorded(page)).shown).toEqual([]);
});

test('a long upload that ends in a background tab is notified once, with its counts', async ({
	page
}, testInfo) => {
	await page.clock.install();
	await turnOn(page);
	await configure(page);
	await page.getByTestId('file-input').setInputFiles({
		name: 'upload.csv',
		mimeType: 'text/csv',
		buffer: usersCsv(200, crypto.randomUUID().slice(0, 8))
	});
	await expect(page.getByTestId('count-valid')).toHaveText('198');

	// The destination holds the first chunk while the admin looks elsewhere and eleven seconds pass.
	let arrived!: () => void;
	const chunkArrived = new Promise<void>((resolve) => (arrived = resolve));
	let release!: () => void;
	const released = new Promise<void>((resolve) => (release = resolve));
	await page.route(/\/chunks\/\d+$/, async (route) => {
		arrived();
		await released;
		await route.continue();
	});
	await page.getByTestId('upload-start').click();
	await chunkArrived;
	await hideTab(page);
	await page.clock.fastForward(11_000);
	release();
	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 198 imported');

	await expect
		.poll(async () => (await recorded(page)).shown)
		.toEqual([{ title: 'Ferry: upload complete', body: '198 imported' }]);
	expect((await recorded(page)).requests).toBe(1);
	await expectNoAxeViolations(page, 'import: uploaded, notified');
	await page.setViewportSize({ width: 390, height: 844 });
	await screenshot(page, testInfo, 'notify-uploaded-390');
});

test('a short upload in view is not notified', async ({ page }) => {
	await turnOn(page);
	await configure(page);
	await page.getByTestId('file-input').setInputFiles({
		name: 'short-upload.csv',
		mimeType: 'text/csv',
		buffer: usersCsv(200, crypto.randomUUID().slice(0, 8))
	});
	await expect(page.getByTestId('count-valid')).toHaveText('198');
	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 198 imported');
	expect((await recorded(page)).shown).toEqual([]);
});
