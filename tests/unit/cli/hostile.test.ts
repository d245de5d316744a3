// What the CLI prints for a terminal never carries the file's control characters, and a path that
// is not a regular file or an unknown --region is refused with a message that says so.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './run';
import { escapeForTerminal, jsonForTerminal } from '../../../bin/terminal';

const tempDir = () => mkdtempSync(join(tmpdir(), 'ferry-cli-'));

/** Any character a terminal acts on: C0 but tab and newline, DEL, C1. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const ESC = '\u001b';
const OSC_TITLE = `${ESC}]0;pwned\u0007`;
const CSI_CLEAR = `${ESC}[2J`;
const C1_CSI = '\u009b31m';

describe('escapeForTerminal', () => {
	const cases = [
		{ input: 'plain ünïcode, 名前', expected: 'plain ünïcode, 名前' },
		{ input: `a${OSC_TITLE}b`, expected: 'a\\x1b]0;pwned\\x07b' },
		{ input: CSI_CLEAR, expected: '\\x1b[2J' },
		{ input: C1_CSI, expected: '\\x9b31m' },
		{
			input: 'tab\tnew\nline\rNUL\u0000DEL\u007f',
			expected: 'tab\\tnew\\nline\\rNUL\\x00DEL\\x7f'
		},
		{ input: 'evil\u202etxt.csv', expected: 'evil\\u202etxt.csv' }
	];
	it.each(cases)('$expected', ({ input, expected }) => {
		expect(escapeForTerminal(input)).toBe(expected);
	});
});

describe('jsonForTerminal', () => {
	it('escapes ESC, DEL, C1 and bidi controls, and the same value comes back', () => {
		const value = { [`col${OSC_TITLE}`]: `v${C1_CSI}\u007f\u202e\u2028` };
		const text = jsonForTerminal(value);
		expect(text).not.toMatch(CONTROL);
		expect(text).not.toMatch(/[\u2028\u202e]/);
		expect(text).toContain('\\u001b');
		expect(text).toContain('\\u009b');
		expect(JSON.parse(text)).toEqual(value);
	});
});

describe('ferry validate with control characters in the file and its name', () => {
	const dir = tempDir();
	const path = join(dir, `users${ESC}[31m.csv`);
	writeFileSync(
		path,
		`user_id,email,name,nick${OSC_TITLE}\n1,a@example.com,x${CSI_CLEAR}${C1_CSI},n\n2,b@example.com,y,m\n`
	);

	it('readable output: every line free of control characters, the names shown escaped', async () => {
		const { code, stdout, stderr } = await run(['validate', path]);
		expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
		for (const line of stdout.split('\n')) expect(line).not.toMatch(CONTROL);
		expect(stdout).toContain('users\\x1b[31m.csv');
	});

	it('--json stays valid JSON with the values as they are, escaped as \\u001b', async () => {
		const { code, stdout } = await run(['validate', '--json', path]);
		expect(code).toBe(0);
		expect(stdout).not.toMatch(CONTROL);
		expect(stdout).toContain('x\\u001b[2J\\u009b31m');
		const report = JSON.parse(stdout) as { sample: Record<string, string>[] };
		expect(report.sample[0].name).toBe(`x${CSI_CLEAR}${C1_CSI}`);
	});

	it('an error naming the file escapes its name', async () => {
		const missing = join(dir, `gone${OSC_TITLE}.csv`);
		const { code, stderr } = await run(['validate', missing]);
		expect(code).toBe(2);
		// eslint-disable-next-line no-control-regex
		expect(stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
		expect(stderr).toContain('gone\\x1b]0;pwned\\x07.csv');
	});
});

describe('ferry validate FILE that is not a regular file', () => {
	it('a directory', async () => {
		const dir = tempDir();
		const { code, stderr } = await run(['validate', dir]);
		expect(code).toBe(2);
		expect(stderr).toBe(`ferry validate: ${dir} is a directory, not a file.\n`);
	});

	it('a FIFO, answered at once rather than waiting for a writer', async () => {
		const fifo = join(tempDir(), 'users.csv');
		execFileSync('mkfifo', [fifo]);
		const { code, stderr } = await run(['validate', fifo]);
		expect(code).toBe(2);
		expect(stderr).toMatch(/users\.csv is a named pipe \(FIFO\), not a file/);
	});

	it('a device', async () => {
		const { code, stderr } = await run(['validate', '/dev/null']);
		expect(code).toBe(2);
		expect(stderr).toBe('ferry validate: /dev/null is a device, not a file.\n');
	});
});

describe('ferry validate --region', () => {
	const path = join(tempDir(), 'p.csv');
	writeFileSync(path, 'user_id,email,phone\n1,a@example.com,030 1234567\n');

	it.each(['XX', 'germany', `D${ESC}E`])('%j is refused with a usage error', async (region) => {
		const { code, stdout, stderr } = await run(['validate', '--region', region, path]);
		expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
		expect(stderr).toMatch(/--region takes a two-letter country code such as US, DE or GB/);
		expect(stderr).not.toContain(ESC);
	});

	it('a known region, in either case, decides the phone numbers', async () => {
		for (const region of ['DE', 'de']) {
			const { code, stdout } = await run(['validate', '--json', '--region', region, path]);
			expect(code).toBe(0);
			expect(JSON.parse(stdout)).toMatchObject({ valid: 1 });
		}
	});
});
