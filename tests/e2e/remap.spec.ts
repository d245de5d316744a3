import { expect, test, type Page } from '@playwright/test';
import { failOnConsoleErrors } from './console';

failOnConsoleErrors();

const long = (letter: string) => letter.repeat(1100);

/** Invalid: row 2 (locale), row 3 (a name too long); row 4's notes are too long for any field. */
const CSV = [
	'user_id,email,name,locale,notes',
	'1,a@example.com,Ada,en,VIP',
	`2,b@example.com,Bob,xx_1,${long('x')}`,
	`3,c@example.com,${long('N')},fr,hi`,
	`4,d@example.com,Di,de,${long('y')}`,
	'5,e@example.com,Eve,en,ok'
].join('\n');

async function drop(page: Page, csv = CSV): Promise<void> {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page.getByTestId('file-input').setInputFiles({
		name: 'remap.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(csv)
	});
}

const select = (page: Page, column: string) =>
	page.locator(`[data-testid="mapping-row"][data-column="${column}"] select`);

/** The counts shown, and every issue code's count. */
async function shown(page: Page): Promise<Record<string, string | null>> {
	const counts: Record<string, string | null> = {};
	for (const name of ['rows', 'valid', 'invalid', 'warnings'])
		counts[name] = await page.getByTestId(`count-${name}`).textContent();
	for (const issue of await page.locator('[data-testid^="issue-"][data-count]').all())
		counts[(await issue.getAttribute('data-testid'))!] = await issue.getAttribute('data-count');
	return counts;
}

async function expectCounts(page: Page, rows: number, valid: number, tooLong: number) {
	await expect(page.getByTestId('count-rows')).toHaveText(String(rows));
	await expect(page.getByTestId('count-valid')).toHaveText(String(valid));
	await expect(page.getByTestId('count-invalid')).toHaveText(String(rows - valid));
	await expect(page.getByTestId('issue-value_too_long')).toHaveAttribute(
		'data-count',
		String(tooLong)
	);
}

test("changing one column's field shows the counts a fresh validation shows", async ({ page }) => {
	await drop(page);
	await expect(select(page, 'notes')).toHaveValue('');
	await expectCounts(page, 5, 3, 1);

	// notes → nickname: rows 2 and 4 are now too long too.
	await select(page, 'notes').selectOption('nickname');
	await expectCounts(page, 5, 2, 3);
	// name → don't import: row 3 is valid again.
	await select(page, 'name').selectOption('');
	await expectCounts(page, 5, 3, 2);
	await expect(page.getByTestId('issue-invalid_locale')).toHaveAttribute('data-count', '1');
	const remapped = await shown(page);
	// The mapping is remembered once this scan is saved; a navigation before that would lose it.
	await expect(page.getByTestId('saved')).toBeVisible();

	// The same file dropped again: its header's mapping is remembered, and the whole file checked.
	await drop(page);
	await expect(select(page, 'notes')).toHaveValue('nickname');
	await expect(select(page, 'name')).toHaveValue('');
	await expectCounts(page, 5, 3, 2);
	expect(await shown(page)).toEqual(remapped);
});

test("the role values stay listed when another column's field changes", async ({ page }) => {
	await drop(
		page,
		[
			'user_id,email,roles,notes',
			'1,a@example.com,admin,ok',
			`2,b@example.com,"admin,user",${long('x')}`
		].join('\n')
	);
	const values = page.getByTestId('role-mapping').getByTestId('role-row');
	await expect(page.getByTestId('count-valid')).toHaveText('2');
	await expect(values).toHaveCount(2);
	// notes → nickname: row 2's notes are too long for it.
	await select(page, 'notes').selectOption('nickname');
	await expect(page.getByTestId('count-valid')).toHaveText('1');
	await expect(values).toHaveCount(2);
	await expect(values.first()).toHaveAttribute('data-value', 'admin');
});
