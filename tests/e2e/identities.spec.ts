/**
 * The faithful user end to end (issue 10): an Auth0 bulk-import file and a Hanko import file are
 * dropped into the app, mapped by their preset's proposal, uploaded into the reference API in create
 * mode, and the stored accounts are checked in its database: the primary address (Hanko's is listed
 * second), the credential with its own algorithm (not the algorithm's name as a hash), metadata whole.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ReferenceApi } from '../support/reference-api';
import { dropFile } from './drop';
import { connectTo } from './destination';

const APP_ORIGIN = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4174)}`;
const TOKEN = 't';
const fixture = (name: string) =>
	fileURLToPath(new URL(`../fixtures/presets/${name}`, import.meta.url));

interface StoredAccount {
	email: string;
	emails: string | null;
	password: string | null;
	app_metadata: string | null;
	user_metadata: string | null;
	user_id: string;
}

let api: ReferenceApi;
test.beforeAll(async () => {
	api = new ReferenceApi({ token: TOKEN, args: ['--cors', APP_ORIGIN] });
	await api.start();
});
test.afterAll(() => api?.stop());

/** Points the app at the test's API in create mode, drops the file and uploads its valid rows. */
async function upload(page: Page, file: string): Promise<void> {
	await page.goto('/');
	await page.getByRole('link', { name: 'Settings', exact: true }).click();
	await connectTo(page, api.url, TOKEN);
	await page.getByRole('link', { name: 'Import', exact: true }).click();
	await page.getByTestId('dropzone').waitFor();
	await dropFile(page, fixture(file), 'application/json');
	await expect(page.getByTestId('upload-start')).toBeEnabled();
	await page.getByTestId('upload-start').click();
	await expect(page.getByTestId('upload-status')).toContainText('Complete');
}

async function storedAccounts(file: string): Promise<StoredAccount[]> {
	return api.query<StoredAccount>(
		`SELECT a.email, a.emails, a.password, a.app_metadata, a.user_metadata, c.user_id
		   FROM accounts a JOIN connections c ON c.account_id = a.id
		   JOIN sources s ON s.id = a.created_by_source WHERE s.name = ? ORDER BY a.id`,
		[file]
	);
}

test('an Auth0 bulk-import file keeps every algorithm, its hash and its metadata', async ({
	page
}) => {
	const file = 'auth0-bulk-import.json';
	await upload(page, file);
	const users = JSON.parse(readFileSync(fixture(file), 'utf8')) as Record<string, unknown>[];
	const stored = await storedAccounts(file);
	expect(stored.length).toBeGreaterThan(0);
	for (const account of stored) {
		const user = users.find((candidate) => candidate.email === account.email)!;
		expect(user, account.email).toBeDefined();
		expect(account.user_id).toBe(user.user_id);
		const custom = user.custom_password_hash as { algorithm: string; hash: { value: string } };
		const password = JSON.parse(account.password ?? 'null');
		if (custom) {
			expect(password, account.email).toMatchObject({ algorithm: custom.algorithm });
			expect(password.hash).not.toBe(custom.algorithm);
			expect(custom.hash.value).toContain(password.hash.replace(/=+$/, ''));
		} else if (user.password_hash) {
			expect(password).toMatchObject({ algorithm: 'bcrypt', hash: user.password_hash });
		}
		expect(JSON.parse(account.app_metadata ?? 'null')).toEqual(user.app_metadata ?? null);
		expect(JSON.parse(account.user_metadata ?? 'null')).toEqual(user.user_metadata ?? null);
	}
	const algorithms = new Set(stored.map((account) => JSON.parse(account.password!)?.algorithm));
	const expected = new Set(
		users.map(
			(user) =>
				(user.custom_password_hash as { algorithm: string } | undefined)?.algorithm ??
				(user.password_hash ? 'bcrypt' : undefined)
		)
	);
	expected.delete(undefined);
	console.log(
		'stored algorithms',
		[...algorithms].sort().join(','),
		'of',
		[...expected].sort().join(',')
	);
	expect([...algorithms].sort()).toEqual([...expected].sort());
});

test('a Hanko import file stores the primary address, listed second, and the bcrypt hash', async ({
	page
}) => {
	const file = 'hanko-import.json';
	await upload(page, file);
	const stored = await storedAccounts(file);
	const ana = stored.find((account) => account.user_id === '3f1c6c2e-8d7a-4b1e-9b2f-2d6a9f1e4c55');
	expect(ana).toBeDefined();
	expect(ana!.email).toBe('ana.ruiz@example.org');
	expect(JSON.parse(ana!.emails!)).toEqual([
		{ address: 'ana@work.example', primary: false, verified: false },
		{ address: 'ana.ruiz@example.org', primary: true, verified: true }
	]);
	expect(JSON.parse(ana!.password!)).toMatchObject({
		algorithm: 'bcrypt',
		hash: '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy'
	});
	// Two primaries, or none, never reach the destination.
	const emails = stored.map((account) => account.email);
	expect(emails).not.toContain('one@example.org');
	expect(emails).not.toContain('first@example.org');
});
