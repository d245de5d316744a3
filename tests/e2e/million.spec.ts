import { expect, test } from '@playwright/test';
import { failOnConsoleErrors } from './console';
import { screenshot } from './screenshot';

failOnConsoleErrors();

test('a million-row file is validated in a worker and its table scrolls to the last row', async ({
	page
}, testInfo) => {
	test.setTimeout(240_000);
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	// Built inside the page: every 1000th row has a broken email, so 1,000 of 1,000,000 rows are invalid.
	await page.evaluate(() => {
		const parts: string[] = ['user_id,email,name\n'];
		for (let block = 0; block < 1000; block++) {
			let text = '';
			for (let i = block * 1000; i < (block + 1) * 1000; i++) {
				text += `${i + 1},${i % 1000 === 999 ? 'broken' : `user${i + 1}@example.com`},User ${i + 1}\n`;
			}
			parts.push(text);
		}
		const data = new DataTransfer();
		data.items.add(new File(parts, 'million.csv', { type: 'text/csv' }));
		document
			.querySelector('[data-testid="dropzone"]')!
			.dispatchEvent(
				new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true })
			);
	});

	// The preview does not wait for the whole file.
	await expect(page.getByTestId('mapping')).toContainText('user1@example.com');
	await expect(page.getByTestId('count-rows')).toHaveText('1000000', { timeout: 200_000 });
	await expect(page.getByTestId('count-invalid')).toHaveText('1000');
	await expect(page.getByTestId('count-valid')).toHaveText('999000');

	const viewport = page.getByTestId('rows-viewport');
	await viewport.evaluate((element) => (element.scrollTop = element.scrollHeight / 2));
	await expect(page.locator('[data-testid="grid-row"][data-row="500001"]')).toContainText(
		'user500001@example.com'
	);
	await viewport.evaluate((element) => (element.scrollTop = element.scrollHeight));
	const last = page.locator('[data-testid="grid-row"][data-row="1000000"]');
	await expect(last).toContainText('User 1000000');
	await expect(last).toHaveClass(/invalid/);
	await screenshot(page, testInfo, 'million-rows');
});
