// The `ferry` command as a user runs it: the built bundle through bin/ferry.js, in its own process.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../../../scripts/bundle.mjs';
import { ensureIndexerBuilt } from '../../helpers/wasm-build';

const bin = fileURLToPath(new URL('../../../bin/ferry.js', import.meta.url));
const report = fileURLToPath(
	new URL('../../unit/report/fixtures/example.ferry-report', import.meta.url)
);
const legacy = fileURLToPath(new URL('../../fixtures/e2e/legacy-1252.csv', import.meta.url));
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
	ensureIndexerBuilt();
	await bundleCli();
});

/** Runs bin/ferry.js; stdin is /dev/null unless `input` is given. */
function ferry(args: string[], input?: string) {
	const result = spawnSync(process.execPath, [bin, ...args], {
		encoding: 'utf8',
		input,
		stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
		timeout: 20_000
	});
	return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('ferry COMMAND --help', () => {
	const cases = [
		{ input: ['--help'], expected: /^ferry — check user exports/ },
		{ input: ['-h'], expected: /^ferry — check user exports/ },
		{ input: ['validate', '--help'], expected: /^Usage: ferry validate FILE/ },
		{ input: ['validate', '-h', 'ignored.csv'], expected: /^Usage: ferry validate FILE/ },
		{ input: ['report', '--help'], expected: /^Usage: ferry report decrypt FILE/ },
		{ input: ['report', 'decrypt', '--help'], expected: /^Usage: ferry report decrypt FILE/ },
		{ input: ['report', 'decrypt', '-h'], expected: /--password-env VAR/ }
	];
	it.each(cases)('$input answers with its own usage on stdout, exit 0', ({ input, expected }) => {
		const { code, stdout, stderr } = ferry(input);
		expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
		expect(stdout).toMatch(expected);
	});

	it('no command: the usage on stderr, exit 1', () => {
		const { code, stdout, stderr } = ferry([]);
		expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
		expect(stderr).toMatch(/^ferry — /);
	});

	it('validate runs from the bundle and reads the WebAssembly of wasm/build/', () => {
		const { code, stdout } = ferry(['validate', legacy, '--json']);
		expect(code).toBe(0);
		expect(JSON.parse(stdout)).toMatchObject({ rows: 6, engine: expect.stringMatching(/^wasm/) });
	});
});

describe('ferry report decrypt', () => {
	it('says so when no password can be read (stdin at its end), exit 2', () => {
		const { code, stdout, stderr } = ferry(['report', 'decrypt', report]);
		expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
		expect(stderr).toMatch(/no password could be read.*--password-env/s);
	});

	it('reads the password from piped standard input', () => {
		const { code, stdout } = ferry(['report', 'decrypt', report], `${PASSWORD}\n`);
		expect(code).toBe(0);
		expect(stdout).toMatch(/^row,line,status,reasons/);
	});

	it('--out over an existing file leaves it readable by its owner only', () => {
		const out = join(mkdtempSync(join(tmpdir(), 'ferry-cli-')), 'out.csv');
		writeFileSync(out, 'old content that is longer than nothing\n');
		chmodSync(out, 0o644);
		const { code, stderr } = ferry(['report', 'decrypt', report, '--out', out], `${PASSWORD}\n`);
		expect({ code, stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/ferry/) });
		expect(statSync(out).mode & 0o777).toBe(0o600);
		expect(readFileSync(out, 'utf8')).toMatch(/^row,line,status,reasons/);
	});
});
