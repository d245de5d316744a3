import { expect, test, type Page, type Response } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { failOnConsoleErrors } from './console';
import { dropFile } from './drop';

failOnConsoleErrors();

const legacy = fileURLToPath(new URL('../fixtures/e2e/legacy-1252.csv', import.meta.url));

/** libsodium's Argon2id entry point: present in any script that bundles libsodium-wrappers-sumo. */
const LIBSODIUM = 'crypto_pwhash';

/**
 * Every script the page and its workers fetch from now on, with whether it bundles libsodium;
 * `read()` waits until each has been looked into. `stop()` ends the recording: a script fetched
 * later (the report page's workers go on loading) would otherwise be read after the test ended,
 * from a request context already gone ("Response has been disposed").
 */
function recordScripts(page: Page) {
	const scripts = new Map<string, boolean>();
	const reading: Promise<void>[] = [];
	const record = (response: Response) => {
		const url = response.url();
		if (!url.endsWith('.js')) return;
		// Fetched again: a range worker can end meanwhile (a drop cancels the warm-up's), and with it
		// the body of its response.
		reading.push(
			page.request
				.get(url)
				.then((again) => again.text())
				.then((text) => void scripts.set(url, text.includes(LIBSODIUM)))
		);
	};
	page.on('response', record);
	return {
		async read(): Promise<Map<string, boolean>> {
			for (let done = 0; done < reading.length; done = reading.length) await Promise.all(reading);
			return scripts;
		},
		async stop(): Promise<void> {
			page.off('response', record);
			await this.read();
		}
	};
}

test('the import page loads no libsodium, not even to validate a file; the report page does', async ({
	page
}) => {
	// Not "networkidle": in CI it never came once a drop could end the warm-up's range worker (most
	// likely while that worker's script loaded, a request then never finished).
	const recorded = recordScripts(page);
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await dropFile(page, legacy);
	await expect(page.getByTestId('count-valid')).toHaveText('4');
	const scripts = await recorded.read();
	expect(scripts.size).toBeGreaterThan(3);
	expect([...scripts].filter(([, sodium]) => sodium).map(([url]) => url)).toEqual([]);

	await page.getByRole('link', { name: 'Open report', exact: true }).click();
	await expect
		.poll(async () => [...(await recorded.read()).values()].some(Boolean), { timeout: 20_000 })
		.toBe(true);
	await recorded.stop();
});
