// `ferry convert` in this process: the files it writes, its --json, and its refusals.
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../convert/core-read';
import { run } from './run';

const dir = mkdtempSync(join(tmpdir(), 'ferry-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (file: string) => join(FIXTURES, file);
let outs = 0;
const freshOut = () => join(dir, `out-${outs++}`);

describe('ferry convert', () => {
	it('writes an Auth0 export as a Hanko import with its id map, and says so in --json', async () => {
		const out = freshOut();
		const { code, stdout, stderr } = await run([
			'convert',
			fixture('auth0-bulk-import.json'),
			'--to',
			'hanko',
			'--out',
			out,
			'--json'
		]);
		expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
		const report = JSON.parse(stdout);
		expect(report).toMatchObject({
			target: 'hanko',
			rows: 13,
			skipped: {},
			files: [
				{ name: 'users.json', rows: 13 },
				{ name: 'id-map.csv', rows: 13 }
			]
		});
		expect(readdirSync(out).sort()).toEqual(['id-map.csv', 'users.json']);
		for (const file of report.files)
			expect(readFileSync(join(out, file.name)).length).toBe(file.bytes);
		// Hanko takes $2a$ bcrypt only: every other hash of the fixture is a reset, listed.
		expect(
			report.preflight.filter((item: { outcome: string }) => item.outcome === 'reset').length
		).toBeGreaterThan(5);
	});

	it('counts the rows validation refused and the rows the target leaves out', async () => {
		const out = freshOut();
		const { code, stdout } = await run([
			'convert',
			fixture('hanko-import.json'),
			'--to',
			'auth0',
			'--out',
			out,
			'--json'
		]);
		expect(code).toBe(0);
		const report = JSON.parse(stdout);
		expect(report.skipped.invalid).toBeGreaterThan(0);
		expect(report.rows).toBe(report.files[0].rows);
	});

	it('writes chosen fields under new names, a sample only', async () => {
		const out = freshOut();
		const { code } = await run([
			'convert',
			fixture('loginsign.csv'),
			'--to',
			'csv',
			'--out',
			out,
			'--fields',
			'user_id,email',
			'--rename',
			'email=mail,user_id=id',
			'--sample',
			'2'
		]);
		expect(code).toBe(0);
		expect(readFileSync(join(out, 'users.csv'), 'utf8')).toBe(
			'id,mail\r\n1001,ana.ruiz@example.org\r\n1002,jurgen.muller@example.de\r\n'
		);
	});

	it('prints what it wrote and the pre-flight without --json', async () => {
		const { code, stdout } = await run([
			'convert',
			fixture('auth0-bulk-import.json'),
			'--to',
			'cognito',
			'--out',
			freshOut()
		]);
		expect(code).toBe(0);
		expect(stdout).toMatch(/users\.csv\s+13 rows/);
		expect(stdout).toMatch(/password hash(es)? → .*reset/);
	});
});

describe('ferry convert refuses', () => {
	const cases: [string, string[], RegExp][] = [
		[
			'an unknown target',
			['--to', 'okta', '--out', 'x'],
			/unknown target 'okta'\. Targets: auth0, hanko/
		],
		['no target', ['--out', 'x'], /--to TARGET is required/],
		[
			'an unknown field',
			['--to', 'csv', '--out', 'x', '--fields', 'email,shoe_size'],
			/unknown field 'shoe_size' in --fields/
		],
		[
			'an unknown renamed field',
			['--to', 'json', '--out', 'x', '--rename', 'shoe=size'],
			/unknown field 'shoe' in --rename/
		],
		[
			'a rename of a platform format',
			['--to', 'auth0', '--out', 'x', '--rename', 'email=mail'],
			/--rename applies to csv, json and ndjson/
		],
		[
			'a bad sample',
			['--to', 'csv', '--out', 'x', '--sample', '0'],
			/--sample takes a whole number/
		],
		[
			'an unknown source profile',
			['--to', 'csv', '--out', 'x', '--profile-of-source', 'okta'],
			/unknown profile 'okta'/
		]
	];
	it.each(cases)('%s: a clear message, exit 1, nothing written', async (_, args, message) => {
		const cwd = process.cwd();
		process.chdir(dir);
		try {
			const { code, stdout, stderr } = await run(['convert', fixture('loginsign.csv'), ...args]);
			expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
			expect(stderr).toMatch(message);
		} finally {
			process.chdir(cwd);
		}
		expect(readdirSync(dir)).not.toContain('x');
	});

	it('a directory it cannot write to: a clear message, exit 1', async () => {
		const locked = join(dir, 'locked');
		rmSync(locked, { recursive: true, force: true });
		writeFileSync(join(dir, 'a-file'), '');
		const asFile = await run([
			'convert',
			fixture('loginsign.csv'),
			'--to',
			'csv',
			'--out',
			join(dir, 'a-file')
		]);
		expect(asFile.code).toBe(1);
		expect(asFile.stderr).toMatch(/cannot write to .*a-file/);
		if (process.getuid?.() === 0) return; // root writes anywhere
		const { mkdirSync } = await import('node:fs');
		mkdirSync(locked);
		chmodSync(locked, 0o500);
		const { code, stderr } = await run([
			'convert',
			fixture('loginsign.csv'),
			'--to',
			'csv',
			'--out',
			locked
		]);
		expect(code).toBe(1);
		expect(stderr).toMatch(/cannot write to .*locked \(EACCES\)/);
	});

	it('a file it cannot finish: exit 2, the partial files removed, nothing looks complete', async () => {
		const out = freshOut();
		const { mkdirSync } = await import('node:fs');
		// A non-empty directory where users.json should go: the rename of the finished file fails.
		mkdirSync(join(out, 'users.json', 'taken'), { recursive: true });
		const { code, stderr } = await run([
			'convert',
			fixture('auth0-bulk-import.json'),
			'--to',
			'hanko',
			'--out',
			out
		]);
		expect(code).toBe(2);
		expect(stderr).toMatch(/^ferry convert: /);
		expect(readdirSync(out)).toEqual(['users.json']);
	});

	it('a file that does not exist: exit 2, nothing left in DIR', async () => {
		const out = freshOut();
		const { code, stderr } = await run([
			'convert',
			join(dir, 'missing.csv'),
			'--to',
			'csv',
			'--out',
			out
		]);
		expect(code).toBe(2);
		expect(stderr).toMatch(/no such file/);
		expect(readdirSync(out)).toEqual([]);
	});
});
