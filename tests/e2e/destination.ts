import { expect, type Page } from '@playwright/test';
import type { ImportMode } from '../../src/lib/core/protocol/import-api';

/**
 * On the open settings page: points the app at a test's reference API in `mode` and tests the
 * connection, which also fetches the destination's schema.
 */
export async function connectTo(
	page: Page,
	url: string,
	token: string,
	mode: ImportMode = 'create'
): Promise<void> {
	await page.getByTestId('settings-url').fill(url);
	await page.getByTestId('settings-token').fill(token);
	await page.getByTestId(`settings-mode-${mode}`).check();
	await page.getByTestId('settings-test').click();
	await expect(page.getByTestId('settings-check')).toHaveText('Connected');
}
