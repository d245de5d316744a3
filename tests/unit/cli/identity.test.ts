// `ferry validate --to PROFILE --hash-config FILE`: the presets' fixtures checked against their
// destinations, the census counted and said, samples as they would be sent, and no secret printed.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTH0_ALGORITHMS } from '../../../src/lib/core/identity/auth0';
import { PROFILE_NAMES } from '../../../src/lib/core/profiles/types';
import { ensureIndexerBuilt } from '../../helpers/wasm-build';
import { run } from './run';

beforeAll(() => ensureIndexerBuilt());

const presets = fileURLToPath(new URL('../../fixtures/presets/', import.meta.url));
const preset = (name: string) => join(presets, name);

function temp(name: string, content: string): string {
	const path = join(mkdtempSync(join(tmpdir(), 'ferry-cli-')), name);
	writeFileSync(path, content);
	return path;
}

/** A Firebase project's hash config as the console shows it (the signer key is a made-up one). */
const SIGNER_KEY =
	'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==';
const CONSOLE_CONFIG = {
	algorithm: 'SCRYPT',
	base64_signer_key: SIGNER_KEY,
	base64_salt_separator: 'Bw==',
	rounds: 8,
	mem_cost: 14
};
const hashConfig = temp('hash-config.json', JSON.stringify(CONSOLE_CONFIG));

async function validateJson(args: string[]) {
	const { code, stdout, stderr } = await run(['validate', '--json', ...args]);
	expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
	return JSON.parse(stdout);
}

/** A masked secret: its first 7 characters and `…`, or `…` alone. */
const MASKED = /^(?:.{7})?…$/u;

describe('ferry validate --to PROFILE over the presets', () => {
	const cases = [
		{
			name: 'Auth0 bulk import for Auth0: every algorithm counted, every hash masked',
			args: [preset('auth0-bulk-import.json'), '--to', 'auth0'],
			expected: {
				profile: 'auth0',
				preset: 'auth0-bulk-import',
				rows: 13,
				valid: 13,
				issues: {},
				credentials: Object.fromEntries(
					AUTH0_ALGORITHMS.map((algorithm) => [algorithm, algorithm === 'bcrypt' ? 2 : 1])
				)
			},
			sample: [
				{ email: 'bcrypt.plain@example.org', password: { algorithm: 'bcrypt', hash: '$2b$10$…' } },
				{ email: 'argon2@example.org', password: { algorithm: 'argon2', hash: '$argon2…' } },
				{
					email: 'bcrypt.custom@example.org',
					password: { algorithm: 'bcrypt', hash: '$2y$12$…', salt: 'pepper-…' }
				},
				{
					email: 'hmac@example.org',
					password: { algorithm: 'hmac', params: { digest: 'sha1', key: '…' } }
				},
				{ email: 'ldap@example.org', password: { algorithm: 'ldap', hash: '{SSHA}+…' } }
			]
		},
		{
			name: 'Hanko import for Hanko: no primary and two primaries reported, the primary sent even when second',
			args: [preset('hanko-import.json'), '--to', 'hanko'],
			expected: {
				profile: 'hanko',
				preset: 'hanko-import',
				rows: 5,
				issues: { no_primary_email: 1, several_primary_emails: 1, invalid_uuid: 1 },
				credentials: { bcrypt: 1 }
			},
			sample: [
				{ username: 'passkey.only' },
				{
					email: 'ana.ruiz@example.org',
					emails: [
						{ address: 'ana@work.example', primary: false, verified: false },
						{ address: 'ana.ruiz@example.org', primary: true, verified: true }
					],
					password: { algorithm: 'bcrypt', hash: '$2a$10$…', params: { variant: '2a' } }
				},
				{ email: 'jürgen@müller.example' },
				{ emails: [{ address: 'first@example.org' }, { address: 'second@example.org' }] },
				{ emails: [{ address: 'one@example.org' }, { address: 'two@example.org' }] }
			]
		},
		{
			name: 'Firebase export without its hash config: the hashes cannot be read, the users reset',
			args: [preset('firebase-export.json')],
			expected: {
				profile: 'reference',
				preset: 'firebase-json',
				credentials: { unknown: 2 },
				issues: { unsupported_password_hash: 2 }
			},
			sample: [{ email: 'ana.ruiz@example.org' }]
		},
		{
			name: "Firebase export with the console's hash config: modified scrypt, the signer key masked",
			args: [preset('firebase-export.json'), '--to', 'firebase', '--hash-config', hashConfig],
			expected: {
				profile: 'firebase',
				preset: 'firebase-json',
				credentials: { 'firebase-scrypt': 2 }
			},
			sample: [
				{
					email: 'ana.ruiz@example.org',
					password: {
						algorithm: 'firebase-scrypt',
						hash: 'lSrfV15…',
						salt: '42xEC+i…',
						params: { rounds: 8, memCost: 14, signerKey: 'jxspr8K…' }
					}
				}
			]
		}
	];
	for (const { name, args, expected, sample } of cases)
		it(name, async () => {
			const report = await validateJson(args);
			expect(report).toMatchObject(expected);
			expect(report.credentials).toEqual(expected.credentials);
			sample.forEach((record, i) => expect(report.sample[i]).toMatchObject(record));
			for (const record of report.sample) {
				expect(record).not.toHaveProperty('password_hash');
				expect(record).not.toHaveProperty('password_salt');
				if (record.password) expect(record.password.hash).toMatch(MASKED);
			}
		});

	it('a row without a primary address or with two has no email in its sample', async () => {
		const report = await validateJson([preset('hanko-import.json'), '--to', 'hanko']);
		expect(report.sample[3]).not.toHaveProperty('email');
		expect(report.sample[4]).not.toHaveProperty('email');
	});

	it('Firebase without a hash config has no password in its sample; with it, no warning', async () => {
		const without = await validateJson([preset('firebase-export.json')]);
		expect(without.sample[0]).not.toHaveProperty('password');
		const withConfig = await validateJson([
			preset('firebase-export.json'),
			'--hash-config',
			hashConfig
		]);
		expect(withConfig.issues).not.toHaveProperty('unsupported_password_hash');
		expect(withConfig.warnings).toBe(0);
	});

	it('a hash that does not parse is sampled as invalid, masked', async () => {
		const malformed = '$2b$99$abcdefghijklmnopqrstuvwxyz';
		const path = temp(
			'bad-hash.csv',
			`user_id,email,password_hash\n1,a@example.com,${malformed}\n`
		);
		const { stdout } = await run(['validate', '--json', path]);
		const report = JSON.parse(stdout);
		expect(report.issues).toEqual({ invalid_password_hash: 1 });
		expect(report.credentials).toEqual({ invalid: 1 });
		expect(report.sample[0].password).toEqual({ algorithm: 'invalid', hash: '$2b$99$…' });
		expect(stdout).not.toContain(malformed);
	});

	it('a destination that does not take a field leaves it out of the sample', async () => {
		const report = await validateJson([preset('auth0-bulk-import.json'), '--to', 'hanko']);
		expect(report.sample[0]).not.toHaveProperty('given_name');
		// Its $2b$ hash is taken, written as the $2a$ string Hanko imports (identity/spellings.ts).
		expect(report.sample[0].password).toEqual({
			algorithm: 'bcrypt',
			hash: '$2a$10$…',
			params: { cost: 10, variant: '2a' }
		});
		expect(report.issues).toMatchObject({ unsupported_password_hash: 11 });
	});
});

describe('the readable census line', () => {
	const cases = [
		{
			args: [preset('auth0-bulk-import.json'), '--to', 'hanko'],
			expected:
				'  passwords 2 bcrypt, 1 argon2, 1 scrypt, 1 pbkdf2, 1 md4, 1 md5, 1 sha1, 1 sha256, 1 sha512, 1 ldap, 1 hmac — Hanko takes bcrypt (variant 2a) only: 11 users will reset their password'
		},
		{
			args: [preset('hanko-import.json'), '--to', 'hanko'],
			expected: '  passwords 1 bcrypt — Hanko takes all of them'
		},
		{
			args: [preset('firebase-export.json'), '--to', 'cognito', '--hash-config', hashConfig],
			expected:
				'  passwords 2 firebase-scrypt — Amazon Cognito takes no password hashes: 2 users will reset their password'
		}
	];
	for (const { args, expected } of cases)
		it(args.join(' ').replace(presets, ''), async () => {
			const { code, stdout } = await run(['validate', ...args]);
			expect(code).toBe(0);
			expect(stdout.split('\n')).toContain(expected);
		});

	it('names the destination, and says nothing of passwords when the file has none', async () => {
		const { stdout } = await run(['validate', preset('loginsign.csv'), '--to', 'loginsign']);
		expect(stdout).toContain('  checked for LoginSign\n');
		expect(stdout).not.toContain('passwords');
	});
});

describe('bad --to and --hash-config', () => {
	const write = (content: string) => temp('config.json', content);
	const cases = [
		{
			args: ['--to', 'okta'],
			stderr: /--to takes one of reference, loginsign, auth0, hanko, cognito, firebase, not 'okta'/
		},
		{ args: ['--hash-config', '/nonexistent/config.json'], stderr: /cannot read .*no such file/ },
		{
			args: ['--hash-config', write(`{"base64_signer_key": "${SIGNER_KEY}",`)],
			stderr: /is not JSON/
		},
		{ args: ['--hash-config', write('[]')], stderr: /one JSON object/ },
		{
			args: ['--hash-config', write(JSON.stringify({ ...CONSOLE_CONFIG, constructor: 1 }))],
			stderr: /unknown key 'constructor'/
		},
		{
			args: ['--hash-config', write(JSON.stringify({ ...CONSOLE_CONFIG, memory_cost: 14 }))],
			stderr: /unknown key 'memory_cost'/
		},
		{
			args: ['--hash-config', write(JSON.stringify({ ...CONSOLE_CONFIG, algorithm: 'ARGON2' }))],
			stderr: /no hash algorithm "ARGON2"/
		},
		{
			args: [
				'--hash-config',
				write(JSON.stringify({ ...CONSOLE_CONFIG, base64_signer_key: 'not base64!' }))
			],
			stderr: /signer key, in base64/
		},
		{
			args: ['--hash-config', write(JSON.stringify({ ...CONSOLE_CONFIG, rounds: 9 }))],
			stderr: /rounds from 1 to 8/
		},
		{
			args: ['--hash-config', write(JSON.stringify({ ...CONSOLE_CONFIG, mem_cost: 'high' }))],
			stderr: /mem_cost must be a number/
		}
	];
	for (const { args, stderr } of cases)
		it(`${args.join(' ')}: a usage error, exit 1`, async () => {
			const result = await run(['validate', preset('firebase-export.json'), ...args]);
			expect(result).toMatchObject({ code: 1, stdout: '' });
			expect(result.stderr).toMatch(stderr);
			expect(result.stderr).not.toContain(SIGNER_KEY);
		});

	it('takes our own names and numbers written as strings too', async () => {
		const ours = write(
			JSON.stringify({
				algorithm: 'SCRYPT',
				signerKey: SIGNER_KEY,
				saltSeparator: 'Bw==',
				rounds: '8',
				memCost: 14
			})
		);
		const report = await validateJson([preset('firebase-export.json'), '--hash-config', ours]);
		expect(report.credentials).toEqual({ 'firebase-scrypt': 2 });
	});
});

/**
 * Every password hash, salt, key and secret of a preset fixture: JSON values under such keys
 * (Auth0's `{value}` objects and Keycloak's `secretData` JSON included), CSV columns so named
 * (Firebase's headerless CSV: its 4th and 5th columns).
 */
function fixtureSecrets(name: string): string[] {
	const text = readFileSync(preset(name), 'utf8');
	const secrets: string[] = [];
	const SECRET_KEY = /^(?:password|password_hash|passwordHash|salt|secret)$/;
	const HOLDS_SECRET_VALUE = /^(?:hash|salt|key|secretData)$/;
	const walk = (value: unknown, key: string, parent: string) => {
		if (typeof value === 'string') {
			if (key === 'secretData') walk(JSON.parse(value), '', key);
			else if (SECRET_KEY.test(key) || (key === 'value' && HOLDS_SECRET_VALUE.test(parent)))
				secrets.push(value);
		} else if (Array.isArray(value)) value.forEach((item) => walk(item, key, parent));
		else if (typeof value === 'object' && value !== null)
			for (const [child, item] of Object.entries(value)) walk(item, child, key);
	};
	if (name.endsWith('.ndjson'))
		for (const line of text.split('\n').filter(Boolean)) walk(JSON.parse(line), '', '');
	else if (name.endsWith('.json')) walk(JSON.parse(text), '', '');
	else {
		const rows = Papa.parse<string[]>(text.trim()).data;
		const header = rows[0];
		const columns = name.startsWith('firebase')
			? [3, 4]
			: header.flatMap((column, i) =>
					/password|salt|secret/i.test(column) && !/hasher/i.test(column) ? [i] : []
				);
		for (const row of rows.slice(1)) for (const i of columns) secrets.push(row[i] ?? '');
	}
	return secrets.filter((secret) => secret.length >= 6);
}

describe('no secret of any fixture in any output', () => {
	const fixtures = readdirSync(presets).sort();

	it('finds the secrets it looks for', () => {
		const all = fixtures.flatMap(fixtureSecrets);
		for (const known of [
			'$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy',
			'pepper-2019',
			'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==',
			'x/bm4Y3DcuV9eU97ervkPA==',
			'JBTWY3DPEHPK3PNP'
		])
			expect(all).toContain(known);
		expect(all.length).toBeGreaterThan(30);
	});

	// With the hash config every bare hash is read as Firebase's (most are then invalid), without it by
	// its shape: both ways, whatever is printed of a hash is masked.
	const ways = [
		[],
		['--json'],
		['--hash-config', hashConfig],
		['--json', '--hash-config', hashConfig]
	];
	it.each(fixtures)(
		'%s, to every profile, as JSON and as text, with and without the hash config',
		async (name) => {
			const secrets = [...fixtureSecrets(name), SIGNER_KEY];
			for (const profile of PROFILE_NAMES)
				for (const options of ways) {
					const { code, stdout, stderr } = await run([
						'validate',
						preset(name),
						'--to',
						profile,
						...options
					]);
					expect(code).toBe(0);
					const output = stdout + stderr;
					for (const secret of secrets) expect(output).not.toContain(secret);
				}
		}
	);
});
