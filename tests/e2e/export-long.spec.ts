import { expect, test, type Page } from '@playwright/test';
import { failOnConsoleErrors } from './console';

/*
 * A long conversion (issue 11): cancelled while it writes, nothing stays in the private file system;
 * finished while the tab is in the background after ten seconds, a notification says so (issue 12).
 * The browser's Notification is replaced by a recorder and the page's clock is Playwright's.
 */

failOnConsoleErrors();

const ROWS = 300_000;

function usersCsv(rows: number): Buffer {
	const lines = ['user_id,email,name'];
	for (let i = 1; i <= rows; i++) lines.push(`${i},user${i}@example.com,User ${i}`);
	return Buffer.from(lines.join('\n') + '\n');
}

test.beforeEach(async ({ page }) => {
	await page.addInitScript(() => {
		const shown: { title: string; body: string }[] = [];
		class RecordingNotification {
			static permission: NotificationPermission = 'granted';
			static async requestPermission(): Promise<NotificationPermission> {
				return 'granted';
			}
			constructor(title: string, options?: NotificationOptions) {
				shown.push({ title, body: options?.body ?? '' });
			}
			close() {}
		}
		Object.assign(window, { Notification: RecordingNotification, notifyShown: shown });
		// Turned on in Settings (notify.spec.ts covers the toggle).
		localStorage.setItem('ferry.notify', '1');
	});
});

async function exportFolders(page: Page): Promise<string[]> {
	return page.evaluate(async () => {
		const root = await navigator.storage.getDirectory();
		const names: string[] = [];
		for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys())
			if (name.startsWith('ferry-export-')) names.push(name);
		return names;
	});
}

/** Drops ROWS users, opens Export and takes the pre-flight for NDJSON. */
async function checked(page: Page) {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page.getByTestId('file-input').setInputFiles({
		name: 'many.csv',
		mimeType: 'text/csv',
		buffer: usersCsv(ROWS)
	});
	await expect(page.getByTestId('count-valid')).toHaveText(String(ROWS), { timeout: 60_000 });
	await page.getByRole('link', { name: 'Export', exact: true }).click();
	await page.getByTestId('convert-target').selectOption('ndjson');
	await page.getByTestId('convert-check').click();
	await expect(page.getByTestId('convert-preflight')).toContainText(
		`${ROWS.toLocaleString('en')} valid rows will be read`,
		{ timeout: 60_000 }
	);
}

test('a conversion cancelled while it writes leaves no file behind', async ({ page }) => {
	await checked(page);
	await page.getByTestId('convert-write').click();
	await expect(page.getByTestId('convert-progress')).toBeVisible();
	await page.getByTestId('convert-cancel').click();
	await expect(page.getByTestId('convert-progress')).toBeHidden();
	await expect(page.getByTestId('convert-write')).toBeEnabled();
	await expect(page.getByTestId('convert-result')).toBeHidden();
	await expect.poll(() => exportFolders(page)).toEqual([]);
});

test('a long conversion that ends in a background tab is notified once', async ({ page }) => {
	await page.clock.install();
	await checked(page);
	await page.evaluate(() =>
		Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
	);
	await page.getByTestId('convert-write').click();
	await page.clock.fastForward(11_000);
	await expect(page.getByTestId('convert-result')).toContainText('users.ndjson', {
		timeout: 60_000
	});
	await expect
		.poll(() => page.evaluate(() => (window as unknown as { notifyShown: unknown[] }).notifyShown))
		.toEqual([
			{
				title: 'Ferry: many.csv converted for NDJSON of the canonical fields',
				body: `${ROWS.toLocaleString()} users in 1 file`
			}
		]);
});
