import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { encryptReport, invalidRow, reportCsv } from '../../src/lib/core/report';
import { ReferenceApi } from '../support/reference-api';
import { expectNoAxeViolations } from './axe';
import { failOnConsoleErrors } from './console';
import { screenshot } from './screenshot';
import { COLUMNS, CUSTOM, expectFits, wideCsv } from './wide';
import { connectTo } from './destination';

/*
 * Every page and state at a laptop's and a phone's width, with a 30-column file: the page never
 * scrolls sideways (wide tables scroll in their own region), axe finds nothing, and a screenshot of
 * each is kept to be looked at.
 */

failOnConsoleErrors();

const WIDTHS = [
	{ name: 'laptop', width: 1366, height: 900 },
	{ name: 'phone', width: 390, height: 844 }
];
const TOKEN = 't';
const APP_ORIGIN = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4174)}`;
const PASSWORD = 'correct horse battery staple';
const SLOW = { timeout: 30_000 };

let api: ReferenceApi;
test.beforeAll(async () => {
	api = new ReferenceApi({ token: TOKEN, args: ['--cors', APP_ORIGIN] });
	await api.start();
});
test.afterAll(() => api?.stop());

/** Fits the window (no sideways page scroll), passes axe, and is kept as a screenshot. */
async function check(page: Page, testInfo: TestInfo, width: string, state: string) {
	await expectFits(page, state);
	await expectNoAxeViolations(page, `${state} at ${width}`);
	await screenshot(page, testInfo, `layout-${width}-${state}`);
}

/** Through the nav, as a person would (on a phone too: its links wrap, never hidden). */
async function go(page: Page, link: string) {
	await page
		.getByRole('navigation', { name: 'Main' })
		.getByRole('link', { name: link, exact: true })
		.click();
}

for (const { name, width, height } of WIDTHS) {
	test(`every page and state fits ${width} px with a 30-column file`, async ({
		page
	}, testInfo) => {
		test.setTimeout(180_000);
		await page.setViewportSize({ width, height });
		await page.goto('/');
		await page.getByTestId('dropzone').waitFor();
		await check(page, testInfo, name, 'import-empty');
		await go(page, 'Sources');
		await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
		await check(page, testInfo, name, 'sources-empty');
		await go(page, 'Open report');
		await page.getByTestId('report-input').waitFor({ state: 'attached' });
		await check(page, testInfo, name, 'report-empty');
		await go(page, 'Admin keys');
		await check(page, testInfo, name, 'keys');
		await go(page, 'Settings');
		await connectTo(page, api.url, TOKEN);
		await check(page, testInfo, name, 'settings');

		await go(page, 'Import');
		await page.getByTestId('file-input').setInputFiles({
			name: `wide-${name}.csv`,
			mimeType: 'text/csv',
			buffer: wideCsv(60)
		});
		await expect(page.getByTestId('mapping-row').first()).toBeVisible();
		await check(page, testInfo, name, 'import-previewed');

		// The whole mapping is reachable: 25 columns a page, and the ones to decide on by filter.
		const mapping = page.getByTestId('mapping');
		await expect(mapping.getByTestId('mapping-row')).toHaveCount(25);
		await mapping.getByRole('button', { name: 'Next' }).click();
		await expect(mapping.getByTestId('mapping-row')).toHaveCount(5);
		await expect(mapping.getByTestId('mapping-row').last()).toHaveAttribute(
			'data-column',
			`custom attribute number ${CUSTOM}`
		);
		await page.getByTestId('mapping-filter-unmapped').click();
		await expect(mapping.getByTestId('mapping-row')).toHaveCount(CUSTOM);
		await page.getByTestId('mapping-filter-low').click();
		await expect(mapping.getByTestId('mapping-row')).toHaveCount(1);
		await expect(mapping.getByTestId('mapping-row')).toHaveAttribute('data-column', 'lokale');
		await expect(mapping.getByTestId('confidence')).toHaveClass(/warn/);
		await check(page, testInfo, name, 'import-mapping-low-confidence');
		await page.getByTestId('mapping-filter-all').click();
		await expect(page.getByTestId('count-invalid')).toHaveText('8');
		await check(page, testInfo, name, 'import-validated');

		await page.getByTestId('report-password').fill(PASSWORD);
		await page.getByTestId('report-password-repeat').fill(PASSWORD);
		await page.getByTestId('write-report').click();
		await expect(page.getByTestId('report-written')).toBeVisible(SLOW);
		await check(page, testInfo, name, 'import-report-written');

		await page.getByTestId('upload-start').click();
		await expect(page.getByTestId('upload-status')).toHaveText(/^Complete: \d+ imported/, SLOW);
		await check(page, testInfo, name, 'import-uploaded');

		await go(page, 'Sources');
		await expect(page.getByText(`wide-${name}.csv`).first()).toBeVisible();
		await check(page, testInfo, name, 'sources-listed');

		await go(page, 'Export');
		await page.getByTestId('convert-target').selectOption('csv');
		await page.getByTestId('convert-check').click();
		await expect(page.getByTestId('convert-preflight')).toBeVisible(SLOW);
		await check(page, testInfo, name, 'export-checked');
		await go(page, 'Export users');
		await expect(page.getByRole('heading', { level: 1, name: 'Export users' })).toBeVisible();
		await check(page, testInfo, name, 'export-users');

		await go(page, 'Open report');
		const values = COLUMNS.map((column) => `${column} value`);
		const csv = reportCsv(COLUMNS, [
			invalidRow(3, 4, COLUMNS, values, [{ code: 'invalid_email', message: 'Not an email.' }])
		]);
		const report = await encryptReport(new TextEncoder().encode(csv), { password: PASSWORD });
		await page.getByTestId('report-input').setInputFiles({
			name: 'failures.ferry-report',
			mimeType: 'application/octet-stream',
			buffer: Buffer.from(report)
		});
		await page.getByTestId('password-input').fill(PASSWORD);
		await page.getByTestId('open-report').click();
		await expect(page.getByTestId('report-table')).toBeVisible(SLOW);
		await check(page, testInfo, name, 'report-opened');
	});
}

test('a keyboard reaches the content first, the nav marks the current page', async ({ page }) => {
	await page.setViewportSize({ width: 390, height: 844 });
	await page.goto('/sources');
	await page.getByTestId('storage-usage').waitFor();
	await page.keyboard.press('Tab');
	const skip = page.getByRole('link', { name: 'Skip to content' });
	await expect(skip).toBeFocused();
	await expect(skip).toBeInViewport();
	await page.keyboard.press('Enter');
	await expect(page.locator('main')).toBeFocused();

	const nav = page.getByRole('navigation', { name: 'Main' });
	await expect(nav.getByRole('link', { name: 'Sources' })).toHaveAttribute('aria-current', 'page');
	await expect(nav.locator('[aria-current]')).toHaveCount(1);
	await nav.getByRole('link', { name: 'Settings' }).click();
	await expect(nav.getByRole('link', { name: 'Settings' })).toHaveAttribute('aria-current', 'page');
	for (const link of await nav.getByRole('link').all()) await expect(link).toBeInViewport();
});
