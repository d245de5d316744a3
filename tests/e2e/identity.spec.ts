import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { SourceView } from '../../src/lib/core/protocol/import-api';
import { ReferenceApi } from '../support/reference-api';
import { expectNoAxeViolations } from './axe';
import { failOnConsoleErrors } from './console';
import { screenshot } from './screenshot';
import { connectTo } from './destination';

failOnConsoleErrors();

const fixture = (name: string) =>
	fileURLToPath(new URL(`../fixtures/presets/${name}`, import.meta.url));
const APP_ORIGIN = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4174)}`;
const TOKEN = 't';
/** The bcrypt hash of the Hanko fixture's second user: never shown whole. */
const HANKO_HASH = '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';

let api: ReferenceApi;
test.beforeAll(async () => {
	api = new ReferenceApi({ token: TOKEN, args: ['--cors', APP_ORIGIN] });
	await api.start();
});
test.afterAll(() => api?.stop());

async function openSettings(page: Page): Promise<void> {
	await page.getByRole('link', { name: 'Settings', exact: true }).click();
	await page.getByTestId('settings').waitFor();
}

async function openImport(page: Page): Promise<void> {
	await page.getByRole('link', { name: 'Import', exact: true }).click();
	await page.getByTestId('dropzone').waitFor();
}

/** Points the app at the test's API in create mode, and fetches its schema. */
async function configure(page: Page): Promise<void> {
	await openSettings(page);
	await connectTo(page, api.url, TOKEN);
}

async function chooseProfile(page: Page, name: string): Promise<void> {
	await openSettings(page);
	await page.getByTestId(`settings-profile-${name}`).check();
	await openImport(page);
}

/** No horizontal scroll, no axe violation, and a screenshot, at 1366 and 390 px. */
async function checkLayouts(page: Page, testInfo: TestInfo, name: string): Promise<void> {
	for (const width of [1366, 390]) {
		await page.setViewportSize({ width, height: 900 });
		const overflow = await page.evaluate(
			() => document.documentElement.scrollWidth - document.documentElement.clientWidth
		);
		expect(overflow, `horizontal scroll at ${width} px`).toBeLessThanOrEqual(0);
		await expectNoAxeViolations(page, `${name} at ${width} px`);
		await screenshot(page, testInfo, `${name}-${width}`);
	}
	await page.setViewportSize({ width: 1366, height: 900 });
}

test('the Hanko profile re-validates a Hanko file, counts its hashes and masks them', async ({
	page
}, testInfo) => {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page.getByTestId('file-input').setInputFiles(fixture('hanko-import.json'));
	await expect(page.getByTestId('engine')).toBeVisible();
	const validBefore = Number(await page.getByTestId('count-valid').textContent());
	// The reference API takes any user id; a row without a primary address has no email already.
	await expect(page.getByTestId('issue-invalid_uuid')).toHaveCount(0);
	await expect(page.getByTestId('issue-no_primary_email')).toBeVisible();
	// The hash is recognised, counted and masked wherever rows are shown.
	await expect(page.getByTestId('credential-summary')).toContainText('bcrypt');
	await expect(page.getByTestId('rows-viewport')).toBeVisible();
	await expect(page.locator('body')).not.toContainText(HANKO_HASH);
	await expect(page.locator('body')).not.toContainText(HANKO_HASH.slice(7));

	await chooseProfile(page, 'hanko');
	// Hanko wants UUID v4 ids and exactly one primary address; a username alone is enough.
	await expect(page.getByTestId('issue-invalid_uuid')).toBeVisible();
	await expect(page.getByTestId('issue-no_primary_email')).toBeVisible();
	await expect(page.getByTestId('count-valid')).not.toHaveText(String(validBefore));
	await expect(page.getByTestId('credential-summary')).toContainText('Hanko');
	await expect(page.locator('body')).not.toContainText(HANKO_HASH.slice(7));
	await checkLayouts(page, testInfo, 'identity-hanko');
});

test('a Firebase export asks for the project hash config, kept with the source', async ({
	page
}, testInfo) => {
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page.getByTestId('file-input').setInputFiles(fixture('firebase-export.json'));
	await expect(page.getByTestId('engine')).toBeVisible();
	const form = page.getByTestId('hash-config');
	await expect(form).toBeVisible();
	await expect(page.getByTestId('hash-config-hint')).toBeVisible();
	await expect(page.getByTestId('hash-config-apply')).toBeDisabled();
	await page.getByTestId('hash-config-signer-key').fill(Buffer.alloc(64, 3).toString('base64'));
	await page.getByTestId('hash-config-salt-separator').fill('Bw==');
	await page.getByTestId('hash-config-rounds').fill('8');
	await page.getByTestId('hash-config-mem-cost').fill('14');
	await page.getByTestId('hash-config-apply').click();
	await expect(page.getByTestId('hash-config-state')).toHaveText('In use');
	await expect(page.getByTestId('hash-config-hint')).toHaveCount(0);
	await expect(page.getByTestId('credential-summary')).toContainText('firebase-scrypt');
	// Never in localStorage: it is a secret kept with the source.
	const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
	expect(stored).not.toContain(Buffer.alloc(64, 3).toString('base64'));
	await checkLayouts(page, testInfo, 'identity-firebase');
	// A reload takes the stored config back.
	await page.reload();
	await expect(page.getByTestId('hash-config-state')).toHaveText('In use');
});

test('a file written for firebase auth:import with another algorithm is read with its pasted command', async ({
	page
}) => {
	const salt = Buffer.from('5a1t');
	const md5 = createHash('md5').update(salt).update('hunter2').digest('base64');
	const users = {
		users: [
			{ localId: 'u1', email: 'ana@example.org', passwordHash: md5, salt: salt.toString('base64') }
		]
	};
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	await page.getByTestId('file-input').setInputFiles({
		name: 'users-2.json',
		mimeType: 'application/json',
		buffer: Buffer.from(JSON.stringify(users))
	});
	await expect(page.getByTestId('hash-config')).toBeVisible();
	await page.getByTestId('hash-config-algorithm').selectOption('command');
	await page
		.getByTestId('hash-config-command')
		.fill('firebase auth:import users-2.json --hash-algo=MD5 --rounds=2');
	await expect(page.getByTestId('hash-config-problem')).toContainText('one round only');
	await expect(page.getByTestId('hash-config-apply')).toBeDisabled();
	await page
		.getByTestId('hash-config-command')
		.fill(
			'firebase auth:import users-2.json --hash-algo=MD5 --rounds=1 --hash-input-order=SALT_FIRST'
		);
	await expect(page.getByTestId('hash-config-summary')).toHaveText('Reads MD5 hashes.');
	await page.getByTestId('hash-config-apply').click();
	await expect(page.getByTestId('hash-config-state')).toHaveText('In use');
	await expect(page.getByTestId('credential-summary')).toContainText('md5');
	await expectNoAxeViolations(page, 'hash config from a pasted command');
});

test('a file over LoginSign’s 10,000 rows per import is sent as 2 imports', async ({ page }) => {
	const tag = crypto.randomUUID().slice(0, 8);
	const rows = 10_050;
	const csv =
		'user_id,email\n' +
		Array.from({ length: rows }, (_, i) => `${tag}-${i},${tag}.${i}@example.org`).join('\n');
	await page.goto('/');
	await configure(page);
	await chooseProfile(page, 'loginsign');
	await page.getByTestId('file-input').setInputFiles({
		name: `split-${tag}.csv`,
		mimeType: 'text/csv',
		buffer: Buffer.from(csv)
	});
	await expect(page.getByTestId('count-valid')).toHaveText(String(rows));
	await expect(page.getByTestId('upload-split')).toContainText(
		'10,050 valid rows: sent as 2 imports of at most 10,000'
	);
	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 10,050 imported', {
		timeout: 60_000
	});
	const response = await fetch(`${api.url}/sources`, {
		headers: { authorization: `Bearer ${TOKEN}` }
	});
	const { sources } = (await response.json()) as { sources: SourceView[] };
	const parts = sources
		.filter((source) => source.name.startsWith(`split-${tag}.csv (import`))
		.sort((a, b) => a.name.localeCompare(b.name));
	expect(parts.map((source) => [source.name, source.rows, source.status])).toEqual([
		[`split-${tag}.csv (import 1 of 2)`, 10_000, 'complete'],
		[`split-${tag}.csv (import 2 of 2)`, 50, 'complete']
	]);
});

test('roles are mapped to the destination’s names and an organization is assigned', async ({
	page
}, testInfo) => {
	const tag = crypto.randomUUID().slice(0, 8);
	const csv = [
		'user_id,email,roles,organization',
		`${tag}-1,${tag}.1@example.org,Admin,`,
		`${tag}-2,${tag}.2@example.org,administrator,Initech`,
		`${tag}-3,${tag}.3@example.org,"Viewer;Admin",`
	].join('\n');
	await page.goto('/');
	await configure(page);
	await openImport(page);
	await page.getByTestId('file-input').setInputFiles({
		name: `roles-${tag}.csv`,
		mimeType: 'text/csv',
		buffer: Buffer.from(csv)
	});
	await expect(page.getByTestId('count-valid')).toHaveText('3');
	const step = page.getByTestId('role-mapping');
	await expect(step.getByTestId('role-row')).toHaveCount(3);
	await expect(page.getByTestId('role-unmapped')).toHaveAttribute('data-count', '3');
	await page.getByTestId('role-suggest').click();
	await expect(page.getByTestId('role-unmapped')).toHaveAttribute('data-count', '0');
	await expect(step.locator('[data-value="administrator"] input')).toHaveValue('admin');
	await page.getByTestId('organization-input').fill('Acme');
	await page.getByTestId('organization-input').blur();
	await checkLayouts(page, testInfo, 'identity-roles');
	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toHaveText('Complete: 3 imported');
	const stored = await api.query<{ email: string; roles: string; organization: string }>(
		'SELECT email, roles, organization FROM accounts WHERE email LIKE ? ORDER BY email',
		[`${tag}.%`]
	);
	expect(stored.map(({ roles, organization }) => [JSON.parse(roles), organization])).toEqual([
		[['admin'], 'Acme'],
		[['admin'], 'Initech'],
		[['viewer', 'admin'], 'Acme']
	]);
});
