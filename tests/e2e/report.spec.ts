import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { readFileSync } from 'node:fs';
import {
	decodeRecipientKey,
	encodeRecipientKey,
	encryptReport,
	generateRecipientKeyPair,
	invalidRow,
	refusedRow,
	reportCsv
} from '../../src/lib/core/report';
import { crc32 } from '../../src/lib/core/report/format';
import { expectNoAxeViolations } from './axe';

/*
 * Reports are written here in Node with the core itself (a real password at the interactive cost),
 * then opened on /report in the browser.
 */

const COLUMNS = ['email', 'name'];
const CSV = reportCsv(COLUMNS, [
	invalidRow(
		3,
		4,
		COLUMNS,
		['bob@', 'Bob'],
		[{ code: 'invalid_email', message: 'Not an email address.' }]
	),
	refusedRow(7, 8, COLUMNS, ['=HYPERLINK("x")', 'Eve'], 'not_found', 'No user with this email.'),
	invalidRow(
		9,
		11,
		COLUMNS,
		['zoe@', 'Zoë 田中'],
		[{ code: 'invalid_email', message: 'Not an email address.' }]
	)
]);
const PASSWORD = 'correct horse battery staple';
/** Argon2id in the browser plus the page's work: generous, never asserted as a duration. */
const OPENING = { timeout: 30_000 };

const utf8 = (text: string) => new TextEncoder().encode(text);

async function upload(page: Page, bytes: Uint8Array, name: string) {
	await page
		.getByTestId('report-input')
		.setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
}

async function openWith(page: Page, fill: () => Promise<void>) {
	await fill();
	await page.getByTestId('open-report').click();
}

async function expectRows(page: Page) {
	const table = page.getByTestId('report-table');
	await expect(table).toBeVisible(OPENING);
	await expect(table).toHaveAttribute('data-rows', '3');
	await expect(table.locator('th')).toHaveText([
		'row',
		'line',
		'status',
		'reasons',
		'messages',
		'email',
		'name'
	]);
	const rows = page.getByTestId('report-row');
	await expect(rows).toHaveCount(3);
	await expect(rows.nth(0).locator('td')).toHaveText([
		'3',
		'4',
		'invalid_row',
		'invalid_email',
		'Not an email address.',
		'bob@',
		'Bob'
	]);
	// The formula stays inert: shown with its neutralising quote, exactly as in the CSV.
	await expect(rows.nth(1)).toContainText(`'=HYPERLINK("x")`);
	await expect(rows.nth(2)).toContainText('Zoë 田中');
	await expect(page.getByTestId('report-summary')).toHaveText('3 rows did not import');
}

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
	await testInfo.attach(name, {
		body: await page.screenshot({ fullPage: true }),
		contentType: 'image/png'
	});
}

/** Password-only report, shared by the tests that only need one (Argon2 runs once in Node). */
let passwordReport: Promise<Uint8Array> | null = null;
const passwordOnly = () => (passwordReport ??= encryptReport(utf8(CSV), { password: PASSWORD }));

test('a password report: facts first, a wrong password refused, the right one shows the rows', async ({
	page,
	baseURL
}, testInfo) => {
	// blob: URLs (the downloads) carry the page's origin; data: URLs are inline.
	const elsewhere: string[] = [];
	page.on('request', (request) => {
		const url = request.url();
		if (!url.startsWith('data:') && new URL(url).origin !== new URL(baseURL!).origin) {
			elsewhere.push(url);
		}
	});
	// Each derivation runs in a worker of its own that is ended right after.
	const workers: { closed: boolean }[] = [];
	page.on('worker', (worker) => {
		const seen = { closed: false };
		workers.push(seen);
		worker.on('close', () => (seen.closed = true));
	});
	await page.goto('/report');
	await upload(page, await passwordOnly(), 'failures.ferry-report');

	await expect(page.getByTestId('fact-version')).toHaveText('Ferry report, version 1');
	await expect(page.getByTestId('fact-kdf')).toContainText('Argon2id v1.3');
	await expect(page.getByTestId('fact-cost')).toContainText('2 passes over 64 MiB');
	await expect(page.getByTestId('fact-cost')).toContainText('interactive');
	await expect(page.getByTestId('fact-recipients')).toHaveAttribute('data-count', '0');
	await expect(page.getByTestId('method-key')).toBeDisabled();

	await openWith(page, () => page.getByTestId('password-input').fill('Tr0ub4dor&3'));
	const error = page.getByTestId('report-error');
	await expect(error).toHaveAttribute('data-code', 'wrong_key', OPENING);
	await expect(error).toContainText('Wrong password for this report.');
	await expect(page.getByTestId('report-table')).toHaveCount(0);

	await openWith(page, () => page.getByTestId('password-input').fill(PASSWORD));
	await expectRows(page);
	await expect(error).toHaveCount(0);
	await expect.poll(() => workers.map((worker) => worker.closed)).toEqual([true, true]);
	await expectNoAxeViolations(page, 'report: opened');
	await screenshot(page, testInfo, 'report-opened');

	const download = page.waitForEvent('download');
	await page.getByTestId('download-csv').click();
	const csv = await download;
	expect(csv.suggestedFilename()).toBe('failures.csv');
	expect(readFileSync(await csv.path(), 'utf8')).toBe(CSV);

	const excel = page.waitForEvent('download');
	await page.getByTestId('download-csv-excel').click();
	expect(readFileSync(await (await excel).path(), 'utf8')).toBe(`\uFEFF${CSV}`);

	// Everything above ran in the page: nothing left for another origin.
	expect(elsewhere).toEqual([]);

	await page.getByTestId('close-report').click();
	await page.getByTestId('confirm-accept').click();
	await expect(page.getByTestId('report-table')).toHaveCount(0);
	await expect(page.getByTestId('report-facts')).toHaveCount(0);
});

test('a report sealed to an admin opens with the private key, not with another key', async ({
	page
}) => {
	const admin = await generateRecipientKeyPair();
	const stranger = await generateRecipientKeyPair();
	const report = await encryptReport(utf8(CSV), { recipients: [admin.publicKey] });
	await page.goto('/report');
	await upload(page, report, 'sealed.ferry-report');

	await expect(page.getByTestId('fact-kdf')).toContainText('only with a recipient’s private key');
	await expect(page.getByTestId('fact-recipients')).toHaveAttribute('data-count', '1');
	await expect(page.getByTestId('fact-recipients')).toContainText(
		await encodeRecipientKey(admin.publicKey)
	);
	await expect(page.getByTestId('method-password')).toBeDisabled();
	await expect(page.getByTestId('method-key')).toBeChecked();

	const keyInput = page.getByTestId('private-key-input');
	const error = page.getByTestId('report-error');
	await openWith(page, async () => keyInput.fill(await encodeRecipientKey(stranger.privateKey)));
	await expect(error).toHaveAttribute('data-code', 'no_matching_recipient', OPENING);

	await openWith(page, async () => keyInput.fill(await encodeRecipientKey(admin.publicKey)));
	await expect(error).toHaveAttribute('data-code', 'public_key_given', OPENING);
	await expect(error).toContainText('not a private key');

	await openWith(page, () => keyInput.fill('not a key'));
	await expect(error).toHaveAttribute('data-code', 'invalid_key', OPENING);

	// 64 hex digits are accepted as well as base64.
	await openWith(page, () => keyInput.fill(Buffer.from(admin.privateKey).toString('hex')));
	await expectRows(page);
	await expect(error).toHaveCount(0);
});

test('a key pair made on /keys opens a report sealed to its public key, from the key file', async ({
	page
}, testInfo) => {
	await page.goto('/keys');
	await expect(page.getByTestId('private-key-warning')).toContainText(
		'Ferry never stores your private key.'
	);
	await page.getByTestId('generate-keys').click();
	const publicText = (await page.getByTestId('public-key').textContent())?.trim() ?? '';
	expect(publicText).toMatch(/^[A-Za-z0-9_-]{43}$/);
	await expect(page.getByTestId('private-key')).toHaveText(/^[A-Za-z0-9_-]{43}$/);
	await expectNoAxeViolations(page, 'keys: generated');
	await screenshot(page, testInfo, 'keys-generated');

	const download = page.waitForEvent('download');
	await page.getByTestId('download-private-key').click();
	const keyFile = await download;
	expect(keyFile.suggestedFilename()).toBe('ferry-admin.key');
	const keyBytes = readFileSync(await keyFile.path());
	await expect(page.getByTestId('private-key-saved')).toBeVisible();

	const publicKey = await decodeRecipientKey(publicText);
	expect(publicKey).not.toBeNull();
	const report = await encryptReport(utf8(CSV), { password: PASSWORD, recipients: [publicKey!] });

	await page.goto('/report');
	await upload(page, report, 'both.ferry-report');
	await expect(page.getByTestId('fact-recipients')).toContainText(publicText);
	await page.getByTestId('method-key').check();
	await page.getByTestId('key-file-input').setInputFiles({
		name: 'ferry-admin.key',
		mimeType: 'application/octet-stream',
		buffer: keyBytes
	});
	await expect(page.getByTestId('key-file-name')).toContainText('ferry-admin.key');
	await page.getByTestId('open-report').click();
	await expectRows(page);
});

/** Copies `bytes` with the header's CRC-32 recomputed, so only the intended change is seen. */
function withFixedChecksum(bytes: Uint8Array): Uint8Array {
	const headerEnd = 131 + 112 * bytes[130];
	new DataView(bytes.buffer, bytes.byteOffset).setUint32(
		headerEnd,
		crc32(bytes.subarray(0, headerEnd)),
		true
	);
	return bytes;
}

const damaged: {
	input: string;
	change: (report: Uint8Array) => Uint8Array;
	/** Whether the refusal needs the password (found while opening, not from the header). */
	withPassword: boolean;
	expected: string;
}[] = [
	{
		input: 'a CSV file',
		change: () => utf8('email,name\r\nbob@,Bob\r\n'),
		withPassword: false,
		expected: 'not_a_report'
	},
	{
		input: 'a newer format version',
		change: (report) => Object.assign(report.slice(), { [8]: 2 }),
		withPassword: false,
		expected: 'unknown_version'
	},
	{
		input: 'a file cut inside its header',
		change: (report) => report.slice(0, 100),
		withPassword: false,
		expected: 'truncated'
	},
	{
		input: 'a changed byte in the body',
		change: (report) =>
			Object.assign(report.slice(), { [report.length - 5]: report[report.length - 5] ^ 1 }),
		withPassword: true,
		expected: 'tampered'
	},
	{
		input: 'a memory cost above the caps',
		change: (report) => {
			const copy = report.slice();
			new DataView(copy.buffer).setUint32(14, 512 * 1024 * 1024, true);
			return withFixedChecksum(copy);
		},
		withPassword: true,
		expected: 'cost_too_high'
	}
];

for (const { input, change, withPassword, expected } of damaged) {
	test(`${input} is refused as ${expected}`, async ({ page }) => {
		await page.goto('/report');
		await upload(page, change(await passwordOnly()), 'damaged.ferry-report');
		if (withPassword) {
			await openWith(page, () => page.getByTestId('password-input').fill(PASSWORD));
		} else {
			await expect(page.getByTestId('unlock-form')).toHaveCount(0);
		}
		const error = page.getByTestId('report-error');
		await expect(error).toHaveAttribute('data-code', expected, OPENING);
		await expect(error).toBeVisible();
		await expect(page.getByTestId('report-table')).toHaveCount(0);
	});
}
