import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runReportDecrypt } from '../../../bin/report-decrypt';
import { encryptReport, generateRecipientKeyPair } from '../../../src/lib/core/report/cipher';
import { encodeRecipientKey } from '../../../src/lib/core/report/keys';

const CSV = 'row,line,status,reasons,messages,email\r\n1,2,invalid_row,invalid_email,Bad.,zoë@\r\n';
const directory = mkdtempSync(join(tmpdir(), 'ferry-report-'));
const path = (name: string) => join(directory, name);

async function run(args: string[], password = 'typed') {
	let stdout = '';
	let stderr = '';
	const readPassword = vi.fn(async () => password);
	const code = await runReportDecrypt(args, {
		stdout: { write: (text: string) => (stdout += text) },
		stderr: { write: (text: string) => (stderr += text) },
		readPassword
	});
	return { code, stdout, stderr, readPassword };
}

afterEach(() => {
	delete process.env.FERRY_TEST_REPORT_PASSWORD;
});

describe('ferry report decrypt', () => {
	const plaintext = new TextEncoder().encode(CSV);
	const admin = generateRecipientKeyPair();
	const reportFile = admin.then(async (keys) => {
		const file = await encryptReport(plaintext, {
			password: 'typed',
			recipients: [keys.publicKey]
		});
		writeFileSync(path('report.ferry-report'), file);
		return path('report.ferry-report');
	});

	it('asks for the password and writes the CSV to stdout', async () => {
		const result = await run([await reportFile]);
		expect(result).toMatchObject({ code: 0, stdout: CSV, stderr: '' });
		expect(result.readPassword).toHaveBeenCalledOnce();
	});

	it('takes the password from --password-env and writes --out, readable by its owner only', async () => {
		process.env.FERRY_TEST_REPORT_PASSWORD = 'typed';
		const out = path('out.csv');
		const result = await run([
			await reportFile,
			'--password-env',
			'FERRY_TEST_REPORT_PASSWORD',
			'--out',
			out
		]);
		expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
		expect(result.readPassword).not.toHaveBeenCalled();
		expect(readFileSync(out, 'utf8')).toBe(CSV);
		expect(statSync(out).mode & 0o077).toBe(0);
	});

	const keyFiles = [
		{
			input: 'base64url text',
			config: async (key: Uint8Array) => `${await encodeRecipientKey(key)}\n`
		},
		{ input: 'hex text', config: async (key: Uint8Array) => Buffer.from(key).toString('hex') },
		{ input: 'raw bytes', config: async (key: Uint8Array) => key }
	];
	it.each(keyFiles)(
		'opens with --key holding the private key as $input',
		async ({ input, config }) => {
			const keyFile = path(`admin-${input.replace(' ', '-')}.key`);
			writeFileSync(keyFile, await config((await admin).privateKey));
			const result = await run([await reportFile, '--key', keyFile]);
			expect(result).toMatchObject({ code: 0, stdout: CSV, stderr: '' });
			expect(result.readPassword).not.toHaveBeenCalled();
		}
	);

	const failures = [
		{
			input: async () => [await reportFile],
			config: { password: 'wrong' },
			expected: { code: 2, stderr: /Wrong password/ }
		},
		{
			input: async () => [path('missing.ferry-report')],
			config: {},
			expected: { code: 2, stderr: /cannot read the report/ }
		},
		{
			input: async () => {
				writeFileSync(path('plain.csv'), CSV);
				return [path('plain.csv')];
			},
			config: {},
			expected: { code: 2, stderr: /not a Ferry report/ }
		},
		{
			input: async () => [await reportFile, '--password-env', 'FERRY_TEST_REPORT_PASSWORD'],
			config: {},
			expected: { code: 2, stderr: /FERRY_TEST_REPORT_PASSWORD is not set/ }
		},
		{
			input: async () => {
				writeFileSync(path('stranger.key'), await encodeRecipientKey(new Uint8Array(32).fill(5)));
				return [await reportFile, '--key', path('stranger.key')];
			},
			config: {},
			expected: { code: 2, stderr: /not sealed to this key/ }
		},
		{
			input: async () => {
				writeFileSync(path('bad.key'), 'not a key');
				return [await reportFile, '--key', path('bad.key')];
			},
			config: {},
			expected: { code: 2, stderr: /is not a private key/ }
		},
		{ input: async () => [], config: {}, expected: { code: 1, stderr: /exactly one FILE/ } },
		{
			input: async () => ['a', '--key', 'k', '--password-env', 'P'],
			config: {},
			expected: { code: 1, stderr: /not both/ }
		},
		{ input: async () => ['a', '--nope'], config: {}, expected: { code: 1, stderr: /--nope/ } }
	];
	it.each(failures)('refuses: $expected.stderr', async ({ input, config, expected }) => {
		const out = path('never.csv');
		const result = await run([...(await input()), '--out', out], config.password);
		expect(result.code).toBe(expected.code);
		expect(result.stderr).toMatch(expected.stderr);
		expect(result.stdout).toBe('');
		expect(() => statSync(out)).toThrow();
	});
});
