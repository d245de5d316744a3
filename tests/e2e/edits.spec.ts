import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { gunzipSync } from 'node:zlib';
import type { ReceivedView, SourceView } from '../../src/lib/core/protocol/import-api';
import { ReferenceApi } from '../support/reference-api';
import { expectNoAxeViolations } from './axe';
import { failOnConsoleErrors } from './console';
import { screenshot } from './screenshot';
import { COLUMNS, expectFits, wideCsv } from './wide';
import { connectTo } from './destination';

/*
 * Fixing rows in place: edit a cell, make a duplicate, replace in a column, drop a row, undo; the
 * edits survive a reload and the destination gets the edited values without the dropped row.
 */

failOnConsoleErrors();

const TOKEN = 't';
const APP_ORIGIN = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4174)}`;
const SLOW = { timeout: 30_000 };
const CSV = [
	'user_id,email,name',
	'u1,ada@example.com,Ada',
	'u2,broken,Bob',
	'u3,cy@example.com,Cy',
	'u4,dee@example.com,Dee',
	'u5,eve@example.com,Eve',
	'u6,N/A,Fay',
	''
].join('\n');

class EditsTestApi extends ReferenceApi {
	async get<T>(path: string): Promise<T> {
		const response = await fetch(this.url + path, {
			headers: { authorization: `Bearer ${TOKEN}` }
		});
		expect(response.status, `GET ${path}`).toBe(200);
		return (await response.json()) as T;
	}
}

let api: EditsTestApi;
test.beforeAll(async () => {
	api = new EditsTestApi({ token: TOKEN, args: ['--cors', APP_ORIGIN] });
	await api.start();
});
test.afterAll(() => api?.stop());

async function configure(page: Page): Promise<void> {
	await page.getByRole('link', { name: 'Settings', exact: true }).click();
	await connectTo(page, api.url, TOKEN);
	await page.getByRole('link', { name: 'Import', exact: true }).click();
	await page.getByTestId('dropzone').waitFor();
}

async function counts(page: Page, valid: number, invalid: number): Promise<void> {
	await expect(page.getByTestId('count-valid')).toHaveText(String(valid));
	await expect(page.getByTestId('count-invalid')).toHaveText(String(invalid));
}

const gridRow = (page: Page, row: number) =>
	page.locator(`[data-testid="grid-row"][data-row="${row}"]`);

/** Opens row `row`'s edit dialog, types `value` into column `column`, saves. */
async function editCell(page: Page, row: number, column: number, value: string): Promise<void> {
	await page.getByRole('button', { name: `Edit row ${row}`, exact: true }).click();
	const dialog = page.getByTestId('row-edit-dialog');
	const field = dialog.locator(`[data-testid="edit-field"][data-column="${column}"]`);
	await expect(field).toBeEnabled();
	await field.fill(value);
	await field.press('Enter');
	await expect(dialog).toBeHidden();
}

/** The page fits its window, axe finds nothing, and a screenshot is kept to be looked at. */
async function check(page: Page, testInfo: TestInfo, state: string): Promise<void> {
	await expectFits(page, state);
	await expectNoAxeViolations(page, state);
	await screenshot(page, testInfo, `edits-${state}`);
}

test('fixes rows in place, keeps the fixes through a reload and uploads them', async ({
	page
}, testInfo) => {
	test.setTimeout(120_000);
	await page.setViewportSize({ width: 1366, height: 900 });
	await page.goto('/');
	await configure(page);
	const name = `edits-${crypto.randomUUID().slice(0, 8)}.csv`;
	await page.getByTestId('file-input').setInputFiles({
		name,
		mimeType: 'text/csv',
		buffer: Buffer.from(CSV)
	});
	await counts(page, 4, 2);
	await expect(gridRow(page, 2)).toHaveClass(/invalid/);

	// Fix one cell: the row becomes valid at once, and the cell is marked.
	await editCell(page, 2, 1, 'bob@example.com');
	await counts(page, 5, 1);
	await expect(gridRow(page, 2)).not.toHaveClass(/invalid/);
	await expect(gridRow(page, 2).locator('[data-edited]')).toHaveText('bob@example.com, edited');
	await expect(page.getByTestId('fixes')).toHaveText('1 row fixed by hand');

	// An edit that repeats row 1's email makes row 4 a duplicate; row 1 stays valid.
	await editCell(page, 4, 1, 'ada@example.com');
	await counts(page, 4, 2);
	await expect(gridRow(page, 4)).toHaveClass(/invalid/);
	await expect(gridRow(page, 1)).not.toHaveClass(/invalid/);

	// Replace in a column: a bad pattern is named, the count comes first, then the change.
	await page.getByTestId('replace-toggle').click();
	await page.getByTestId('replace-column').selectOption({ label: 'email' });
	await page.getByTestId('replace-pattern').check();
	await page.getByTestId('replace-find').fill('(N/A');
	await expect(page.getByTestId('replace-error')).toContainText('This is not a valid pattern');
	await expect(page.getByTestId('replace-apply')).toBeDisabled();
	await page.getByTestId('replace-find').fill('^N/A$');
	await page.getByTestId('replace-with').fill('fay@example.com');
	await page.getByTestId('replace-count').click();
	await expect(page.getByTestId('replace-status')).toHaveText('1 row would change.');
	await check(page, testInfo, 'replace-1366');
	await page.getByTestId('replace-apply').click();
	await expect(page.getByTestId('replace-status')).toHaveText('1 row changed in email.');
	await counts(page, 5, 1);

	// Drop the duplicate: it is not in the file any more; undo and drop again.
	await page.getByRole('button', { name: 'Drop row 4', exact: true }).click();
	await counts(page, 5, 0);
	await expect(page.getByTestId('count-rows')).toHaveText('5');
	await expect(page.getByTestId('fixes')).toHaveText('2 rows fixed by hand · 1 row dropped');
	await expect(gridRow(page, 4)).toHaveClass(/dropped/);
	await page.getByTestId('undo').click();
	await counts(page, 5, 1);
	await expect(page.getByTestId('undo')).toHaveText('Undo replace in email');
	await page.getByRole('button', { name: 'Drop row 4', exact: true }).click();
	await counts(page, 5, 0);
	await check(page, testInfo, 'fixed-1366');

	// The edit dialog, and the page at a phone's width.
	await page.getByRole('button', { name: 'Edit row 6', exact: true }).click();
	await expect(
		page.getByTestId('row-edit-dialog').locator('[data-testid="edit-field"][data-column="1"]')
	).toHaveValue('fay@example.com');
	await check(page, testInfo, 'dialog-1366');
	await page.getByTestId('edit-cancel').click();
	await page.setViewportSize({ width: 390, height: 844 });
	await check(page, testInfo, 'fixed-390');
	await page.getByRole('button', { name: 'Edit row 2', exact: true }).click();
	await check(page, testInfo, 'dialog-390');
	await page.keyboard.press('Escape');
	await expect(page.getByTestId('row-edit-dialog')).toBeHidden();
	await page.setViewportSize({ width: 1366, height: 900 });

	// A reload comes back to the same source with the same fixes.
	await expect(page).toHaveURL(/source=/);
	await page.reload();
	await counts(page, 5, 0);
	await expect(page.getByTestId('fixes')).toHaveText('2 rows fixed by hand · 1 row dropped');
	await expect(gridRow(page, 2).locator('[data-edited]')).toHaveText('bob@example.com, edited');
	await expect(gridRow(page, 4)).toHaveClass(/dropped/);

	// The upload sends the edited values and not the dropped row.
	const sent: { row: number; email?: string }[] = [];
	page.on('request', (request) => {
		if (request.method() !== 'PUT' || !/\/chunks\/\d+$/.test(request.url())) return;
		const body = JSON.parse(gunzipSync(request.postDataBuffer()!).toString('utf8'));
		sent.push(...body.rows);
	});
	await expect(page.getByTestId('upload-start')).toHaveText('Upload 5 valid rows');
	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 5 imported', SLOW);
	const { sources } = await api.get<{ sources: SourceView[] }>('/sources');
	const source = sources.find((view) => view.name === name)!;
	const received = await api.get<ReceivedView>(`/sources/${source.id}/received`);
	expect(received.chunks.flatMap((chunk) => chunk.rows)).toEqual([1, 2, 3, 5, 6]);
	expect(sent.map(({ row, email }) => [row, email])).toEqual([
		[1, 'ada@example.com'],
		[2, 'bob@example.com'],
		[3, 'cy@example.com'],
		[5, 'eve@example.com'],
		[6, 'fay@example.com']
	]);
	// Rows already sent are not edited any more.
	await expect(page.getByTestId('replace-toggle')).toHaveCount(0);
});

test('undo all takes every fix back', async ({ page }) => {
	await page.goto('/');
	await page.getByTestId('file-input').setInputFiles({
		name: 'undo-all.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(CSV)
	});
	await counts(page, 4, 2);
	await editCell(page, 2, 1, 'bob@example.com');
	await page.getByRole('button', { name: 'Drop row 6', exact: true }).click();
	await counts(page, 5, 0);
	await page.getByTestId('undo-all').click();
	await counts(page, 4, 2);
	await expect(page.getByTestId('fixes')).toHaveCount(0);
	await expect(page.getByTestId('undo')).toBeDisabled();
});

test('the password census follows a fixed hash and a dropped row', async ({ page }) => {
	const md5 = '5f4dcc3b5aa765d61d8327deb882cf99';
	const bcrypt = '$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K';
	await page.goto('/');
	await page.getByTestId('file-input').setInputFiles({
		name: 'census.csv',
		mimeType: 'text/csv',
		buffer: Buffer.from(
			[
				'user_id,email,password_hash',
				`u1,ada@example.com,${md5}`,
				`u2,bob@example.com,${md5}`,
				`u3,cy@example.com,${bcrypt}`,
				''
			].join('\n')
		)
	});
	const census = page.getByTestId('credential-summary');
	await expect(census).toContainText('2 md5, 1 bcrypt —');
	await editCell(page, 1, 2, bcrypt);
	await expect(census).toContainText('2 bcrypt, 1 md5 —');
	await page.getByRole('button', { name: 'Drop row 2', exact: true }).click();
	await expect(census).toContainText('2 bcrypt —');
	await page.getByTestId('undo').click();
	await expect(census).toContainText('2 bcrypt, 1 md5 —');
});

test('the replace tool and the edit dialog fit a laptop and a phone with a 30-column file', async ({
	page
}, testInfo) => {
	await page.setViewportSize({ width: 1366, height: 900 });
	await page.goto('/');
	await page.getByTestId('file-input').setInputFiles({
		name: 'wide-edits.csv',
		mimeType: 'text/csv',
		buffer: wideCsv(60)
	});
	await counts(page, 52, 8);
	await page.getByTestId('replace-toggle').click();
	await page.getByTestId('replace-column').selectOption({ label: COLUMNS.at(-1)! });
	await page.getByTestId('replace-pattern').check();
	await page.getByTestId('replace-find').fill('of a long custom field$');
	await page.getByTestId('replace-with').fill('shorter');
	await page.getByTestId('replace-count').click();
	await expect(page.getByTestId('replace-status')).toHaveText('60 rows would change.');
	for (const width of [1366, 390]) {
		await page.setViewportSize({ width, height: 900 });
		await check(page, testInfo, `wide-replace-${width}`);
	}

	await page.getByRole('button', { name: 'Edit row 7', exact: true }).click();
	const dialog = page.getByTestId('row-edit-dialog');
	await expect(dialog.locator('[data-testid="edit-field"]')).toHaveCount(COLUMNS.length);
	for (const width of [390, 1366]) {
		await page.setViewportSize({ width, height: 900 });
		await check(page, testInfo, `wide-dialog-${width}`);
	}
});
