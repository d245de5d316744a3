import { expect, test } from '@playwright/test';
import { failOnConsoleErrors } from './console';

failOnConsoleErrors();

test('a 64 MiB single field is read without hanging the tab and reported as too long', async ({
	page
}) => {
	test.setTimeout(120_000);
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page.evaluate(() => {
		const field = 'x'.repeat(64 * 1024 * 1024);
		const file = new File(
			['user_id,email,name\n1,a@example.com,"', field, '"\n2,b@example.com,short\n'],
			'huge.csv',
			{
				type: 'text/csv'
			}
		);
		const data = new DataTransfer();
		data.items.add(file);
		document
			.querySelector('[data-testid="dropzone"]')!
			.dispatchEvent(
				new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true })
			);
	});
	await expect(page.getByTestId('count-rows')).toHaveText('2', { timeout: 90_000 });
	await expect(page.getByTestId('issue-value_too_long')).toHaveAttribute('data-count', '1');
	// The page still answers: the mapping can be changed and the file re-validated.
	await page.locator('[data-testid="mapping-row"][data-column="name"] select').selectOption('');
	await expect(page.getByTestId('count-valid')).toHaveText('2', { timeout: 60_000 });
});
