import { expect, test, type Page } from '@playwright/test';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { unzipSync, strFromU8 } from 'fflate';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expectNoAxeViolations } from './axe';
import { failOnConsoleErrors } from './console';
import { dropFile } from './drop';
import { screenshot } from './screenshot';
import { expectFits } from './wide';

/*
 * Issue 11 in the browser: an Auth0 export dropped on the import page is converted for Hanko on the
 * Export page (pre-flight, then written in the worker into the private file system and zipped), and
 * the downloaded ZIP holds a users.json valid under Hanko's schema and the id map.
 */

failOnConsoleErrors();

const FIXTURE = fileURLToPath(new URL('../fixtures/presets/auth0-export.ndjson', import.meta.url));
const HANKO_SCHEMA = JSON.parse(
	readFileSync(new URL('../unit/convert/hanko.user_import.schema.json', import.meta.url), 'utf8')
);

/** The private file system's export folders (the tidy-up and the download remove them). */
async function exportFolders(page: Page): Promise<string[]> {
	return page.evaluate(async () => {
		const root = await navigator.storage.getDirectory();
		const names: string[] = [];
		for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys())
			if (name.startsWith('ferry-export-')) names.push(name);
		return names;
	});
}

async function dropAndOpenExport(page: Page) {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await dropFile(page, FIXTURE, 'application/x-ndjson');
	await expect(page.getByTestId('count-valid')).not.toHaveText('0');
	const valid = await page.getByTestId('count-valid').textContent();
	await page.getByRole('link', { name: 'Export', exact: true }).click();
	await expect(page.getByTestId('convert-source')).toContainText(`${valid} valid rows`);
	return Number(valid);
}

test('an Auth0 export converted for Hanko downloads as a ZIP with a schema-valid users.json and the id map', async ({
	page
}, testInfo) => {
	const valid = await dropAndOpenExport(page);
	await page.getByTestId('convert-target').selectOption('hanko');
	await expectNoAxeViolations(page, 'export: choices');

	await page.getByTestId('convert-check').click();
	const preflight = page.getByTestId('convert-preflight');
	await expect(preflight).toContainText(`${valid} valid rows will be read for Hanko`);
	await expect(preflight).toContainText(
		/user ids that are not UUID v4 → written as deterministic UUID v5/
	);
	await expect(preflight).toContainText(/→ written without it/);
	await expectNoAxeViolations(page, 'export: pre-flight');
	await expectFits(page, 'export: pre-flight');
	await screenshot(page, testInfo, 'export-preflight-1366');
	await page.setViewportSize({ width: 390, height: 844 });
	await expectFits(page, 'export: pre-flight');
	await expectNoAxeViolations(page, 'export: pre-flight at 390 px');
	await screenshot(page, testInfo, 'export-preflight-390');
	await page.setViewportSize({ width: 1366, height: 900 });

	await page.getByTestId('convert-write').click();
	const result = page.getByTestId('convert-result');
	await expect(result).toContainText('users.json');
	await expect(result).toContainText('id-map.csv');
	expect(await exportFolders(page)).toHaveLength(1);
	const downloading = page.waitForEvent('download');
	await page.getByTestId('convert-download').click();
	const download = await downloading;
	expect(download.suggestedFilename()).toBe('auth0-export-hanko.zip');

	const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
	expect(Object.keys(files).sort()).toEqual(['id-map.csv', 'users.json']);
	const users = JSON.parse(strFromU8(files['users.json']));
	const ajv = new Ajv2020({ allErrors: true, strict: false });
	addFormats(ajv);
	const validate = ajv.compile(HANKO_SCHEMA);
	expect(validate(users), JSON.stringify(validate.errors)).toBe(true);
	expect(strFromU8(files['id-map.csv'])).toMatch(/^source_user_id,hanko_user_id\r?\n/);

	await expectNoAxeViolations(page, 'export: written');
	await expectFits(page, 'export: written');
	await screenshot(page, testInfo, 'export-written-1366');
	await page.setViewportSize({ width: 390, height: 844 });
	await expectFits(page, 'export: written at 390 px');
	await expectNoAxeViolations(page, 'export: written at 390 px');
	await screenshot(page, testInfo, 'export-written-390');

	// Leaving the page before the download has been read keeps the file a moment; the next visit's
	// tidy-up removes what a closed tab left.
	await page.reload();
	await expect(page.getByTestId('convert')).toBeVisible();
	await expect.poll(() => exportFolders(page)).toEqual([]);
});

test('a saved source is opened again, sampled and renamed as CSV, and its file is removed at a new choice', async ({
	page
}) => {
	await dropAndOpenExport(page);
	// A fresh page: the source comes back from the device's storage, re-checked.
	await page.reload();
	await expect(page.getByTestId('convert-source')).toContainText('auth0-export.ndjson');
	await page.getByTestId('convert-target').selectOption('csv');
	await page.getByTestId('convert-sample-on').check();
	await page.getByLabel('Rows in the sample').fill('2');
	await page.getByLabel('Output name of email', { exact: true }).fill('mail');
	await page.getByTestId('convert-check').click();
	await expect(page.getByTestId('convert-preflight')).toContainText(
		'2 valid rows will be read for'
	);
	await page.getByTestId('convert-write').click();
	await expect(page.getByTestId('convert-result')).toContainText('users.csv');
	const downloading = page.waitForEvent('download');
	await page.getByTestId('convert-download').click();
	const download = await downloading;
	expect(download.suggestedFilename()).toBe('users.csv');
	const csv = readFileSync(await download.path(), 'utf8')
		.trim()
		.split('\n');
	expect(csv).toHaveLength(3);
	expect(csv[0].split(',')).toContain('mail');
	await expectNoAxeViolations(page, 'export: csv written');
	// A new choice removes the written file at once.
	await page.getByTestId('convert-target').selectOption('json');
	await expect.poll(() => exportFolders(page)).toEqual([]);
});
