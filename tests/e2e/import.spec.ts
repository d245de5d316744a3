import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { failOnConsoleErrors } from './console';
import { dropFile } from './drop';
import { screenshot } from './screenshot';
import { expectNoAxeViolations } from './axe';
import { ISSUE_CODES } from '../../src/lib/core/validate/codes';

failOnConsoleErrors();

const fixture = (name: string) =>
	fileURLToPath(new URL(`../fixtures/e2e/${name}`, import.meta.url));

/** The CLI's verdict on the same file: the app must count it the same way. */
function cli(file: string): { rows: number; valid: number; invalid: number; warnings: number } {
	const out = execFileSync('node', ['bin/ferry.js', 'validate', '--json', file], {
		encoding: 'utf8'
	});
	return JSON.parse(out);
}

async function expectCounts(
	page: Page,
	counts: { rows: number; valid: number; invalid: number; warnings: number }
) {
	await expect(page.getByTestId('count-rows')).toHaveText(String(counts.rows));
	await expect(page.getByTestId('count-valid')).toHaveText(String(counts.valid));
	await expect(page.getByTestId('count-invalid')).toHaveText(String(counts.invalid));
	await expect(page.getByTestId('count-warnings')).toHaveText(String(counts.warnings));
}

/**
 * The overview splits the rows in three with their numbers; each code's bar is its share of the
 * rows, and codes no row has are hidden until "show all" is pressed.
 */
async function expectOverview(
	page: Page,
	parts: { valid: number; warned: number; invalid: number }
) {
	const rows = parts.valid + parts.warned + parts.invalid;
	for (const [kind, count] of Object.entries(parts)) {
		await expect(page.getByTestId(`legend-${kind}`)).toHaveAttribute('data-rows', String(count));
		await expect(page.getByTestId(`overview-${kind}`)).toHaveCount(count > 0 ? 1 : 0);
	}
	await expect(page.getByTestId('overview').getByRole('img')).toHaveAttribute(
		'aria-label',
		new RegExp(`^Of ${rows} rows: ${parts.valid} valid`)
	);
	const shown = page.locator('[data-testid="issue-chart"] .bar-row');
	const found = await shown.count();
	for (const row of await shown.all())
		expect(Number(await row.getAttribute('data-count'))).toBeGreaterThan(0);
	const email = page.getByTestId('issue-invalid_email');
	const count = Number(await email.getAttribute('data-count'));
	const [bar, track] = await Promise.all([
		email.locator('.bar').boundingBox(),
		email.locator('.track').boundingBox()
	]);
	expect(bar!.width / track!.width).toBeCloseTo(count / rows, 2);
	await page.getByTestId('all-codes').click();
	await expect(shown).toHaveCount(ISSUE_CODES.length);
	await page.getByTestId('all-codes').click();
	await expect(shown).toHaveCount(found);
}

async function mappedField(page: Page, column: string) {
	return page.locator(`[data-testid="mapping-row"][data-column="${column}"] select`).inputValue();
}

test('a UTF-16 Excel "Unicode Text" export is previewed, mapped and counted', async ({
	page
}, testInfo) => {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await dropFile(page, fixture('excel-unicode.txt'), 'text/plain');

	await expect(page.getByTestId('encoding')).toHaveValue('utf-16le');
	await expect(page.getByTestId('delimiter')).toHaveText('tab');
	await expect(page.getByTestId('header')).toHaveText('yes');
	expect(await mappedField(page, 'User ID')).toBe('user_id');
	expect(await mappedField(page, 'E-Mail Address')).toBe('email');
	expect(await mappedField(page, 'First Name')).toBe('given_name');
	expect(await mappedField(page, 'Created')).toBe('registration_date');
	await expect(page.getByTestId('mapping')).toContainText('Zoë');
	await expect(page.getByTestId('rows')).toContainText('田中');
	await expect(page.getByTestId('rows')).toContainText('Ольга');

	await expectCounts(page, { rows: 8, valid: 6, invalid: 2, warnings: 0 });
	await expect(page.getByTestId('issue-invalid_email')).toHaveAttribute('data-count', '1');
	await expect(page.getByTestId('issue-duplicate_user_id')).toHaveAttribute('data-count', '1');
	await expect(page.getByTestId('issue-rows')).toContainText('first seen on row 1');
	await expectOverview(page, { valid: 6, warned: 0, invalid: 2 });
	const { rows, valid, invalid, warnings } = cli(fixture('excel-unicode.txt'));
	expect({ rows, valid, invalid, warnings }).toEqual({
		rows: 8,
		valid: 6,
		invalid: 2,
		warnings: 0
	});
	await expectNoAxeViolations(page, 'import: validated');
	await screenshot(page, testInfo, 'excel-unicode');
});

test('a Windows-1252 semicolon file is transcoded, and the encoding can be overridden', async ({
	page
}, testInfo) => {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page.getByTestId('file-input').setInputFiles(fixture('legacy-1252.csv'));

	await expect(page.getByTestId('encoding')).toHaveValue('windows-1252');
	await expect(page.getByTestId('delimiter')).toHaveText('semicolon');
	await expect(page.getByTestId('mapping')).toContainText('Jürgen Müller');
	await expect(page.getByTestId('rows')).toContainText('€uro AB');
	expect(await mappedField(page, 'customer_id')).toBe('user_id');
	expect(await mappedField(page, 'verified')).toBe('email_verified');
	expect(await mappedField(page, 'company')).toBe('organization');

	await expectCounts(page, { rows: 6, valid: 4, invalid: 2, warnings: 0 });
	// Chromium has WASM SIMD: CSV goes through the accelerated engine.
	await expect(page.getByTestId('engine')).toHaveText('wasm-simd');
	await expect(page.getByTestId('issue-invalid_boolean')).toHaveAttribute('data-count', '1');
	await expect(page.getByTestId('issue-invalid_date')).toHaveAttribute('data-count', '1');
	// Its dates are dotted: no slash date, so no day-or-month-first choice is offered.
	await expect(page.getByTestId('date-order')).toHaveCount(0);
	const { rows, valid, invalid, warnings } = cli(fixture('legacy-1252.csv'));
	expect({ rows, valid, invalid, warnings }).toEqual({
		rows: 6,
		valid: 4,
		invalid: 2,
		warnings: 0
	});
	await screenshot(page, testInfo, 'legacy-1252');

	// Read as ISO-8859-15 on purpose (0x80 is no euro sign there): the rows change at once, and back again.
	await page.getByTestId('encoding').selectOption('iso-8859-15');
	await expect(page.getByTestId('encoding-source')).toHaveText('chosen');
	await expect(page.getByTestId('rows')).toContainText('Straße GmbH');
	await expect(page.getByTestId('rows')).not.toContainText('€uro AB');
	await page.getByTestId('encoding').selectOption('windows-1252');
	await expect(page.getByTestId('rows')).toContainText('€uro AB');
});

test('a gzipped Auth0 NDJSON export is recognised and validated', async ({ page }, testInfo) => {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await dropFile(page, fixture('auth0-export.ndjson.gz'), 'application/gzip');

	await expect(page.getByTestId('format')).toHaveText('ndjson · gzip');
	await expect(page.getByTestId('preset')).toContainText(/auth0/i);
	expect(await mappedField(page, 'user_id')).toBe('user_id');
	expect(await mappedField(page, 'email')).toBe('email');
	expect(await mappedField(page, 'created_at')).toBe('registration_date');
	expect(await mappedField(page, 'last_login')).toBe('last_login_date');
	await expect(page.getByTestId('mapping')).toContainText('app_metadata');

	await expectCounts(page, { rows: 7, valid: 5, invalid: 2, warnings: 0 });
	await expect(page.getByTestId('engine')).toHaveText('wasm-simd'); // the WASM JSON splitter
	await expect(page.getByTestId('issue-duplicate_email')).toHaveAttribute('data-count', '1');
	const { rows, valid, invalid, warnings } = cli(fixture('auth0-export.ndjson.gz'));
	expect({ rows, valid, invalid, warnings }).toEqual({
		rows: 7,
		valid: 5,
		invalid: 2,
		warnings: 0
	});
	await expectNoAxeViolations(page, 'import: NDJSON validated');
	await screenshot(page, testInfo, 'auth0-ndjson-gz');
});

test('changing a column to "don\'t import" blocks on a required field and re-validates', async ({
	page
}) => {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page.getByTestId('file-input').setInputFiles(fixture('legacy-1252.csv'));
	await expectCounts(page, { rows: 6, valid: 4, invalid: 2, warnings: 0 });

	await page.locator('[data-testid="mapping-row"][data-column="email"] select').selectOption('');
	await expect(page.getByTestId('blocking')).toContainText('email');
	await expectCounts(page, { rows: 6, valid: 0, invalid: 6, warnings: 0 });
	await expect(page.getByTestId('issue-missing_required')).toHaveAttribute('data-count', '6');

	await page
		.locator('[data-testid="mapping-row"][data-column="email"] select')
		.selectOption('email');
	await expect(page.getByTestId('blocking')).toHaveCount(0);
	await expectCounts(page, { rows: 6, valid: 4, invalid: 2, warnings: 0 });
});

test('bad input gets a clear message, not a hang', async ({ page }) => {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page
		.getByTestId('file-input')
		.setInputFiles({ name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) });
	await expect(page.getByTestId('error')).toContainText(/empty/i);

	const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0]);
	await page
		.getByTestId('file-input')
		.setInputFiles({ name: 'users.xlsx', mimeType: 'application/octet-stream', buffer: zip });
	await expect(page.getByTestId('error')).toContainText(/save it as CSV/i);

	await page.getByTestId('file-input').setInputFiles({
		name: 'quote.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from('user_id,email\n1,a@example.com\n2,"b@example.com\n3,c@example.com\n')
	});
	await expect(page.getByTestId('error')).toContainText(/line 3/);
});

test('the day-or-month-first choice appears for slash dates, and changing it re-reads them', async ({
	page
}) => {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page.getByTestId('file-input').setInputFiles({
		name: 'slash-dates.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(
			'user_id,email,created_at\n1,a@example.com,03/04/2024\n2,b@example.com,05/06/2023\n'
		)
	});
	await expectCounts(page, { rows: 2, valid: 2, invalid: 0, warnings: 0 });
	// The default follows the browser's locale; the other choice re-reads the column.
	const evidence = page.getByTestId('date-evidence');
	await expect(evidence).toHaveText(/^created_at: ambiguous, read (dmy|mdy)$/);
	const other = (await evidence.textContent())!.endsWith('dmy') ? 'mdy' : 'dmy';
	await page
		.getByTestId('date-order')
		.getByLabel(other === 'dmy' ? 'day first' : 'month first')
		.check();
	await expect(evidence).toHaveText(`created_at: ambiguous, read ${other}`);
});
