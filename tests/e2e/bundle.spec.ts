import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { failOnConsoleErrors } from './console';
import { dropFile } from './drop';

failOnConsoleErrors();

const legacy = fileURLToPath(new URL('../fixtures/e2e/legacy-1252.csv', import.meta.url));

/** libsodium's Argon2id entry point: present in any script that bundles libsodium-wrappers-sumo. */
const LIBSODIUM = 'crypto_pwhash';

/** Every script the page and its workers fetch from now on, with whether it bundles libsodium. */
function recordScripts(page: Page): Map<string, boolean> {
	const scripts = new Map<string, boolean>();
	page.on('response', async (response) => {
		const url = response.url();
		if (!url.endsWith('.js')) return;
		scripts.set(url, false);
		// Fetched again: a range worker ends with its scan, and with it the body of its response.
		const text = await (await page.request.get(url)).text();
		scripts.set(url, text.includes(LIBSODIUM));
	});
	return scripts;
}

test('the import page loads no libsodium, not even to validate a file; the report page does', async ({
	page
}) => {
	const scripts = recordScripts(page);
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await dropFile(page, legacy);
	await expect(page.getByTestId('count-valid')).toHaveText('4');
	await page.waitForLoadState('networkidle');
	expect(scripts.size).toBeGreaterThan(3);
	expect([...scripts].filter(([, sodium]) => sodium).map(([url]) => url)).toEqual([]);

	await page.getByRole('link', { name: 'Open report', exact: true }).click();
	await page.waitForLoadState('networkidle');
	await expect.poll(() => [...scripts.values()].some(Boolean)).toBe(true);
});
