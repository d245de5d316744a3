// `--hash-config` given the auth:import commands `ferry convert --to firebase` wrote: each users
// file is read back, by ferry validate and ferry convert, with its own command's hash config.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndexerBuilt } from '../../helpers/wasm-build';
import { FIXTURES } from '../convert/core-read';
import { run } from './run';

const dir = mkdtempSync(join(tmpdir(), 'ferry-firebase-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const out = join(dir, 'firebase');
const flags = join(out, 'hash-flags.txt');
/** The HMAC key of the fixture's hmac user ("shh"), as the flags write it. */
const HMAC_KEY = 'c2ho';

beforeAll(async () => {
	await ensureIndexerBuilt();
	const written = await run([
		'convert',
		join(FIXTURES, 'auth0-bulk-import.json'),
		'--to',
		'firebase',
		'--out',
		out
	]);
	expect(written).toMatchObject({ code: 0, stderr: '' });
});

async function validate(file: string, hashConfig: string) {
	const result = await run(['validate', '--json', join(out, file), '--hash-config', hashConfig]);
	expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
	return JSON.parse(result.stdout);
}

/** The users files, each with the algorithm its command names. */
function commands(): [string, string][] {
	return readFileSync(flags, 'utf8')
		.split('\n')
		.filter((line) => line.startsWith('firebase auth:import'))
		.map((line) => [line.split(' ')[2], /--hash-algo=(\S+)/.exec(line)![1]]);
}

describe('--hash-config FILE#USERS_FILE with hash-flags.txt', () => {
	it('reads every users file with its own command: no hash left unknown or invalid', async () => {
		const files = commands();
		expect(files.map(([, algorithm]) => algorithm)).toEqual(
			expect.arrayContaining(['BCRYPT', 'HMAC_SHA1', 'MD5', 'SHA256', 'STANDARD_SCRYPT'])
		);
		for (const [file, algorithm] of files) {
			const report = await validate(file, `${flags}#${file}`);
			expect(report.invalid, file).toBe(0);
			expect(report.issues.invalid_password_hash, file).toBeUndefined();
			expect(Object.keys(report.credentials), `${file} ${algorithm}`).not.toContain('unknown');
			expect(Object.keys(report.credentials).length, file).toBe(1);
		}
	});

	it('takes a file of one command line without naming it', async () => {
		const [[file, line]] = readFileSync(flags, 'utf8')
			.split('\n')
			.filter((text) => text.includes('HMAC_SHA1'))
			.map((text) => [text.split(' ')[2], text]);
		const one = join(dir, 'hmac.txt');
		writeFileSync(one, `${line}\n`);
		expect((await validate(file, one)).credentials).toEqual({ hmac: 1 });
	});

	it('ferry convert reads the hashes with it too', async () => {
		const [file] = commands().find(([, algorithm]) => algorithm === 'STANDARD_SCRYPT')!;
		const json = join(dir, 'json');
		const result = await run([
			'convert',
			join(out, file),
			'--to',
			'json',
			'--out',
			json,
			'--hash-config',
			`${flags}#${file}`
		]);
		expect(result).toMatchObject({ code: 0, stderr: '' });
		const users = JSON.parse(readFileSync(join(json, 'users.json'), 'utf8'));
		expect(users[0].password).toMatchObject({
			algorithm: 'scrypt',
			encoding: 'base64',
			params: { keylen: 32, cost: 4096, blockSize: 8, parallelization: 1 }
		});
	});

	const refusals: [string, () => string, RegExp][] = [
		[
			'several commands, none named',
			() => flags,
			/holds \d auth:import commands; name the users file whose command to use, as in --hash-config .*#users-2\.json/
		],
		[
			'a file no command names',
			() => `${flags}#users-9.json`,
			/holds no command for users-9\.json/
		],
		[
			'an unknown flag',
			() => {
				const path = join(dir, 'unknown-flag.txt');
				writeFileSync(
					path,
					`firebase auth:import u.json --hash-algo=HMAC_MD5 --hash-key=${HMAC_KEY} --pepper=x\n`
				);
				return path;
			},
			/auth:import has no hash flag --pepper/
		],
		[
			'a command its algorithm cannot run',
			() => {
				const path = join(dir, 'no-key.txt');
				writeFileSync(path, 'firebase auth:import u.json --hash-algo=HMAC_MD5\n');
				return path;
			},
			/HMAC_MD5 needs the hash key, in base64/
		]
	];
	for (const [name, path, stderr] of refusals)
		it(`refuses ${name}: a usage error that quotes no key`, async () => {
			const result = await run(['validate', join(out, 'users.json'), '--hash-config', path()]);
			expect(result).toMatchObject({ code: 1, stdout: '' });
			expect(result.stderr).toMatch(stderr);
			expect(result.stderr).not.toContain(HMAC_KEY);
		});
});
