import type { Page, TestInfo } from '@playwright/test';

/**
 * Whether the tests keep pictures of the states they check: with FERRY_SCREENSHOTS=1, to look at
 * the pages by eye. Off by default: the ~110 full-page captures took about a tenth of the e2e phase,
 * and a passing CI run's pictures are not looked at (a failing test keeps its own, as configured).
 */
export const KEEP_SCREENSHOTS = process.env.FERRY_SCREENSHOTS === '1';

/** With KEEP_SCREENSHOTS, a full-page screenshot kept as test-results/screenshots/NAME.png and attached to the test's result. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
	if (!KEEP_SCREENSHOTS) return;
	const path = `test-results/screenshots/${name}.png`;
	await page.screenshot({ path, fullPage: true });
	await testInfo.attach(name, { path, contentType: 'image/png' });
}
