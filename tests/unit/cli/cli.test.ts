import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from './run';
import { bundleCli } from '../../../scripts/bundle.mjs';
import { ensureIndexerBuilt } from '../../helpers/wasm-build';

// The CLI loads wasm/build/ as `npm run build:wasm` leaves it; bin/ferry.js runs the bundle.
beforeAll(async () => {
	ensureIndexerBuilt();
	await bundleCli();
});
const fixture = (name: string) =>
	fileURLToPath(new URL(`../../fixtures/e2e/${name}`, import.meta.url));

function temp(name: string, content: string | Uint8Array): string {
	const path = join(mkdtempSync(join(tmpdir(), 'ferry-cli-')), name);
	writeFileSync(path, content);
	return path;
}

describe('ferry validate --json', () => {
	const cases = [
		{
			input: 'excel-unicode.txt',
			expected: {
				format: 'csv',
				compression: null,
				encoding: 'utf-16le',
				bom: true,
				delimiter: '\t',
				header: true,
				rows: 8,
				valid: 6,
				invalid: 2,
				warnings: 0,
				issues: { invalid_email: 1, duplicate_user_id: 1 }
			}
		},
		{
			input: 'legacy-1252.csv',
			expected: {
				format: 'csv',
				compression: null,
				encoding: 'windows-1252',
				bom: false,
				delimiter: ';',
				header: true,
				rows: 6,
				valid: 4,
				invalid: 2,
				warnings: 0,
				issues: { invalid_boolean: 1, invalid_date: 1 }
			}
		},
		{
			input: 'auth0-export.ndjson.gz',
			expected: {
				format: 'ndjson',
				compression: 'gzip',
				encoding: 'utf-8',
				bom: false,
				header: true,
				rows: 7,
				valid: 5,
				invalid: 2,
				warnings: 0,
				issues: { invalid_email: 1, duplicate_email: 1 }
			}
		}
	];
	for (const { input, expected } of cases) {
		it(input, async () => {
			const { code, stdout, stderr } = await run(['validate', '--json', fixture(input)]);
			expect(stderr).toBe('');
			expect(code).toBe(0);
			const report = JSON.parse(stdout);
			expect(report).toMatchObject(expected);
			if (expected.format !== 'csv') expect(report).not.toHaveProperty('delimiter');
			// CSV and JSON run on the WASM SIMD engine (built in beforeAll, as `npm run build:wasm` does).
			expect(report.engine).toBe('wasm-simd');
			expect(report.sample).toHaveLength(5);
		});
	}

	it('maps columns and samples canonical records of trimmed values', async () => {
		const path = temp(
			'users.csv',
			'Id,E-Mail,Full Name\n 7 ,  ada@example.com ,Ada  \n8,bob@example.com,Bob\n'
		);
		const report = JSON.parse((await run(['validate', '--json', path])).stdout);
		expect(report.mapping).toEqual({ Id: 'user_id', 'E-Mail': 'email', 'Full Name': 'name' });
		expect(report.sample).toEqual([
			{ user_id: '7', email: 'ada@example.com', name: 'Ada' },
			{ user_id: '8', email: 'bob@example.com', name: 'Bob' }
		]);
		expect(report.valid).toBe(2);
	});

	it('reads a header line or a first NDJSON record longer than 64 KiB', async () => {
		const extra = Array.from({ length: 6000 }, (_, i) => `attribute_${i}`);
		const row = (n: number) => [n, `u${n}@example.com`, ...extra.map(() => 'x')].join(',');
		const csv = temp(
			'wide.csv',
			`${['user_id', 'email', ...extra].join(',')}\n${row(1)}\n${row(2)}\n`
		);
		const record = (n: number) =>
			JSON.stringify({ user_id: `${n}`, email: `u${n}@example.com`, bio: 'b'.repeat(100_000) });
		const ndjson = temp('long.ndjson', `${record(1)}\n${record(2)}\n`);
		for (const path of [csv, ndjson]) {
			const report = JSON.parse((await run(['validate', '--json', path])).stdout);
			expect(report).toMatchObject({ header: true, rows: 2, valid: 2, issues: {} });
			expect(report.mapping).toMatchObject({ user_id: 'user_id', email: 'email' });
		}
	});

	it("reports papaparse's core-21 and a quote in an unquoted field as malformed_quotes", async () => {
		const path = temp(
			'quotes.csv',
			'user_id,email\n"1,"b@example.com"\n2,b@example.com\n3,c"@example.com\n4,"d@example.com" '
		);
		const report = JSON.parse((await run(['validate', '--json', path])).stdout);
		expect(report).toMatchObject({ rows: 4, valid: 2, issues: { malformed_quotes: 2 } });
		expect(report.sample[3]).toEqual({ user_id: '4', email: 'd@example.com' });
	});

	it('flags control characters and locales that are not language tags, as the API would', async () => {
		const path = temp(
			'hostile.csv',
			'user_id,email,name,locale\n1,a@example.com,Ada,en-US\n2,b@example.com,"\x1b[2J",zh-Hant-TW\n3,c@example.com,C\x00,<script>\n4,d@example.com,"D\tE",English\n'
		);
		const report = JSON.parse((await run(['validate', '--json', path])).stdout);
		expect(report).toMatchObject({
			rows: 4,
			valid: 2,
			issues: { invalid_characters: 2, invalid_locale: 1 }
		});
	});

	it('--date-order decides ambiguous slash dates', async () => {
		// No value decides the first file's column: both orders give valid past dates. In the second, two values
		// can only be day-first and one only month-first: the column is mixed and the minority value is invalid.
		const ambiguous = temp(
			'a.csv',
			'user_id,email,created\n1,a@example.com,01/02/2021\n2,b@example.com,03/04/2021\n'
		);
		for (const order of ['dmy', 'mdy']) {
			const report = JSON.parse(
				(await run(['validate', '--json', '--date-order', order, ambiguous])).stdout
			);
			expect(report.valid).toBe(2);
		}
		const mixed = temp(
			'm.csv',
			'user_id,email,created\n1,a@example.com,13/01/2021\n2,b@example.com,01/14/2021\n3,c@example.com,25/12/2021\n'
		);
		const report = JSON.parse(
			(await run(['validate', '--json', '--date-order', 'mdy', mixed])).stdout
		);
		expect(report.issues).toEqual({ invalid_date: 1 });
	});

	it('--max-rows stops early', async () => {
		const report = JSON.parse(
			(await run(['validate', '--json', '--max-rows', '3', fixture('excel-unicode.txt')])).stdout
		);
		expect(report.rows).toBe(3);
	});

	it('--encoding overrides detection', async () => {
		const report = JSON.parse(
			(await run(['validate', '--json', '--encoding', 'iso-8859-1', fixture('legacy-1252.csv')]))
				.stdout
		);
		expect(report.encoding).toBe('windows-1252'); // TextDecoder's name for the latin1 label
	});

	it('the same file gzipped gives the same verdicts', async () => {
		const text = 'user_id,email\n1,a@example.com\n2,broken\n';
		const plain = JSON.parse((await run(['validate', '--json', temp('p.csv', text)])).stdout);
		const zipped = JSON.parse(
			(await run(['validate', '--json', temp('p.csv.gz', gzipSync(text))])).stdout
		);
		expect(zipped.compression).toBe('gzip');
		expect({ ...zipped, compression: null }).toEqual(plain);
	});
});

describe('ferry exit codes and messages', () => {
	const cases = [
		{ input: ['validate', '/nonexistent/file.csv'], expected: { code: 2, stderr: /no such file/ } },
		{ input: ['validate', 'EMPTY'], expected: { code: 2, stderr: /empty/i } },
		{ input: ['validate', 'ZIP'], expected: { code: 2, stderr: /save it as CSV/i } },
		{ input: ['validate', 'QUOTE'], expected: { code: 2, stderr: /line 3/ } },
		{ input: ['validate', 'JSON'], expected: { code: 2, stderr: /line 2/ } },
		{ input: ['validate', 'LONG'], expected: { code: 2, stderr: /longer than 4 MiB/ } },
		{ input: ['validate'], expected: { code: 1, stderr: /exactly one FILE/ } },
		{
			input: ['validate', '--date-order', 'ymd', 'x'],
			expected: { code: 1, stderr: /dmy or mdy/ }
		},
		{ input: ['frobnicate'], expected: { code: 1, stderr: /unknown command/ } }
	];
	const files: Record<string, string> = {
		EMPTY: temp('empty.csv', ''),
		ZIP: temp('users.xlsx', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0])),
		QUOTE: temp('q.csv', 'user_id,email\n1,a@example.com\n2,"b@example.com\n3,c@example.com\n'),
		JSON: temp('bad.json', '[\n{"user_id": "1", "email": }\n]\n'),
		LONG: temp('long.csv', `${'x'.repeat(5 * 1024 * 1024)}\n1\n`)
	};
	for (const { input, expected } of cases) {
		it(input.join(' '), async () => {
			const { code, stderr } = await run(input.map((arg) => files[arg] ?? arg));
			expect(code).toBe(expected.code);
			expect(stderr).toMatch(expected.stderr);
		});
	}

	it('--help names the commands, validate --help documents its options', async () => {
		const overview = await run(['--help']);
		expect(overview.code).toBe(0);
		for (const command of ['validate', 'report decrypt'])
			expect(overview.stdout).toContain(command);
		const validate = await run(['validate', '--help']);
		expect(validate.code).toBe(0);
		for (const option of [
			'--json',
			'--to',
			'--hash-config',
			'--encoding',
			'--date-order',
			'--region',
			'--max-rows'
		]) {
			expect(validate.stdout).toContain(option);
		}
	});

	it('runs as `npm exec ferry` through its bin entry', () => {
		const out = execFileSync(
			'npm',
			['exec', '--', 'ferry', 'validate', '--json', fixture('legacy-1252.csv')],
			{
				encoding: 'utf8'
			}
		);
		expect(JSON.parse(out).rows).toBe(6);
		const failed = spawnSync('node', ['bin/ferry.js', 'validate', '/nonexistent.csv'], {
			encoding: 'utf8'
		});
		expect(failed.status).toBe(2);
		expect(failed.stderr).toMatch(/no such file/);
	});
});
