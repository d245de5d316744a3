import type { Page, TestInfo } from '@playwright/test';

/** A full-page screenshot kept as test-results/screenshots/NAME.png and attached to the test's result. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
	const path = `test-results/screenshots/${name}.png`;
	await page.screenshot({ path, fullPage: true });
	await testInfo.attach(name, { path, contentType: 'image/png' });
}
