import { expect, test, type Page } from '@playwright/test';
import { failOnConsoleErrors } from './console';

failOnConsoleErrors();

const MiB = 1024 * 1024;

/** Drops a CSV whose first row's name is `fieldBytes` long (built in the page, not sent over). */
async function dropHugeField(page: Page, fieldBytes: number): Promise<void> {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page.evaluate((size) => {
		const field = 'x'.repeat(size);
		const file = new File(
			['user_id,email,name\n1,a@example.com,"', field, '"\n2,b@example.com,short\n'],
			'huge.csv',
			{ type: 'text/csv' }
		);
		const data = new DataTransfer();
		data.items.add(file);
		document
			.querySelector('[data-testid="dropzone"]')!
			.dispatchEvent(
				new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true })
			);
	}, fieldBytes);
}

// Below the record limit (MAX_RECORD_BYTES, 16 MiB): the field is read whole and checked.
test('a 12 MiB single field is read without hanging the tab and reported as too long', async ({
	page
}) => {
	test.setTimeout(120_000);
	await dropHugeField(page, 12 * MiB);
	await expect(page.getByTestId('count-rows')).toHaveText('2', { timeout: 90_000 });
	await expect(page.getByTestId('issue-value_too_long')).toHaveAttribute('data-count', '1');
	// The page still answers: the mapping can be changed and the file re-validated.
	await page.locator('[data-testid="mapping-row"][data-column="name"] select').selectOption('');
	await expect(page.getByTestId('count-valid')).toHaveText('2', { timeout: 60_000 });
});

// Above it: the record is one row with record_too_large, skipped unread, whatever is mapped.
test('a 64 MiB single field makes its record too large, and the next row is still checked', async ({
	page
}) => {
	test.setTimeout(120_000);
	await dropHugeField(page, 64 * MiB);
	await expect(page.getByTestId('count-rows')).toHaveText('2', { timeout: 90_000 });
	await expect(page.getByTestId('issue-record_too_large')).toHaveAttribute('data-count', '1');
	await expect(page.getByTestId('count-valid')).toHaveText('1');
	// Listed as its issue, its value never read back.
	await expect(page.getByTestId('issue-rows')).toContainText('record_too_large');
	await expect(page.getByTestId('issue-rows')).toContainText('skipped unread');
	await page.locator('[data-testid="mapping-row"][data-column="name"] select').selectOption('');
	await expect(page.getByTestId('issue-record_too_large')).toHaveAttribute('data-count', '1', {
		timeout: 60_000
	});
	await expect(page.getByTestId('count-valid')).toHaveText('1');
});
