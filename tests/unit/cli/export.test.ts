/**
 * `ferry export` against a real reference API (server/dist in a child process): filters, fields and
 * renames, JSON and CSV, samples, resuming after a dropped connection, and the clear refusals.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UserPackage } from '../../../src/lib/core/protocol/import-api';
import { readUserPackage } from '../../../src/lib/core/protocol/user-export';
import { encryptReport } from '../../../src/lib/core/report';
import { startReferenceApi, type ReferenceApi } from '../../support/reference-api';
import { run } from './run';

const ORGANIZATIONS = ['acme', 'globex'];
const USERS = 25;

let api: ReferenceApi;
let dir: string;

async function call(method: string, path: string, body?: unknown) {
	const text = body === undefined ? undefined : JSON.stringify(body);
	const response = await fetch(`${api.url}${path}`, {
		method,
		headers: {
			authorization: `Bearer ${api.token}`,
			...(text ? { 'content-type': 'application/json' } : {}),
			...(method === 'PUT'
				? { 'idempotency-key': createHash('sha256').update(text!).digest('hex') }
				: {})
		},
		body: text
	});
	expect(response.ok, await response.clone().text()).toBe(true);
	return response.json();
}

beforeAll(async () => {
	api = await startReferenceApi();
	const source = await call('POST', '/sources', {
		name: 'fixture',
		mode: 'create',
		file: { name: 'users.csv', size: 1, sha256: 'a'.repeat(64) },
		rows: USERS
	});
	const rows = Array.from({ length: USERS }, (_, index) => ({
		row: index + 1,
		user_id: `ext-${index + 1}`,
		email: `person${index + 1}@example.com`,
		name: index === 0 ? '=HYPERLINK("x")' : `Person ${index + 1}`,
		organization: ORGANIZATIONS[index % 2],
		roles: ['staff'],
		password_hash: '$2b$10$abcdefghijklmnopqrstuuC0dKx2r1Tz6pXmA1mY0ZtXU3d2QJq5G'
	}));
	await call('PUT', `/sources/${source.id}/chunks/0`, { rows });
});

afterAll(async () => {
	await api?.stop();
});

afterEach(() => {
	vi.restoreAllMocks();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

function outPath(name: string): string {
	dir = mkdtempSync(join(tmpdir(), 'ferry-export-'));
	return join(dir, name);
}

const TOKEN_ENV = 'FERRY_EXPORT_TEST_TOKEN';

function exportArgs(out: string, ...more: string[]): string[] {
	process.env[TOKEN_ENV] = api.token;
	return ['export', '--from', api.url, '--token-env', TOKEN_ENV, '--out', out, ...more];
}

describe('ferry export', () => {
	it('writes every user once as JSON, in pages, without secrets, readable by its owner only', async () => {
		const out = outPath('users.json');
		const result = await run(exportArgs(out, '--page-size', '7'));
		expect(result.stderr).toMatch(/25 users written/);
		expect(result.code).toBe(0);
		const text = readFileSync(out, 'utf8');
		expect(text).not.toMatch(/password|\$2b\$/);
		const users = JSON.parse(text) as Record<string, unknown>[];
		expect(users.map((user) => user.user_id)).toEqual(
			Array.from({ length: USERS }, (_, index) => `ext-${index + 1}`)
		);
		expect(users[1]).toMatchObject({ email: 'person2@example.com', roles: ['staff'] });
		expect(statSync(out).mode & 0o777).toBe(0o600);
		expect(existsSync(`${out}.partial`) || existsSync(`${out}.partial.cursor`)).toBe(false);
	});

	it('exports one organization as CSV with chosen, renamed columns, formulas made inert', async () => {
		const out = outPath('acme.csv');
		const result = await run(
			exportArgs(
				out,
				'--organization',
				'acme',
				'--fields',
				'user_id,email,name',
				'--rename',
				'email=E-mail,user_id=id'
			)
		);
		expect(result.code, result.stderr).toBe(0);
		const csv = readFileSync(out, 'utf8');
		const parsed = Papa.parse<string[]>(csv.trimEnd(), { newline: '\r\n' }).data;
		expect(parsed[0]).toEqual(['id', 'E-mail', 'name']);
		expect(parsed.length - 1).toBe(13);
		expect(parsed[1]).toEqual(['ext-1', 'person1@example.com', `'=HYPERLINK("x")`]);
		expect(parsed.slice(1).every((row) => Number(row[0].slice(4)) % 2 === 1)).toBe(true);
	});

	it('takes a sample of 10 in one request', async () => {
		const out = outPath('sample.json');
		const fetchSpy = vi.spyOn(globalThis, 'fetch');
		const result = await run(exportArgs(out, '--sample', '10'));
		expect(result.code, result.stderr).toBe(0);
		expect(JSON.parse(readFileSync(out, 'utf8'))).toHaveLength(10);
		expect(fetchSpy).toHaveBeenCalledTimes(1);
	});

	it('resumes from the kept cursor after the connection drops, each user once', async () => {
		const out = outPath('resumed.csv');
		const realFetch = globalThis.fetch;
		let calls = 0;
		vi.spyOn(globalThis, 'fetch').mockImplementation((...args) => {
			if (++calls === 3) return Promise.reject(new TypeError('fetch failed'));
			return realFetch(...args);
		});
		const dropped = await run(exportArgs(out, '--page-size', '4'));
		expect(dropped.code).toBe(2);
		expect(dropped.stderr).toMatch(/run the same command again to resume/);
		expect(existsSync(out)).toBe(false);
		expect(existsSync(`${out}.partial`)).toBe(true);
		const saved = JSON.parse(readFileSync(`${out}.partial.cursor`, 'utf8'));
		expect(saved).toMatchObject({ rows: 8, cursor: expect.any(String) });
		vi.restoreAllMocks();

		// Another command's options do not continue this file.
		const other = await run(exportArgs(out, '--page-size', '4', '--role', 'staff'));
		expect(other.code).toBe(1);
		expect(other.stderr).toMatch(/other options/);

		const resumed = await run(exportArgs(out, '--page-size', '4'));
		expect(resumed.code, resumed.stderr).toBe(0);
		expect(resumed.stderr).toMatch(/resuming after 8 users/);
		const rows = Papa.parse<string[]>(readFileSync(out, 'utf8').trimEnd(), {
			newline: '\r\n'
		}).data;
		const ids = rows.slice(1).map((row) => row[0]);
		expect(ids).toEqual(Array.from({ length: USERS }, (_, index) => `ext-${index + 1}`));
	});

	it('says so when the kept cursor expired, and leaves nothing half-written', async () => {
		const out = outPath('expired.json');
		const realFetch = globalThis.fetch;
		let calls = 0;
		vi.spyOn(globalThis, 'fetch').mockImplementation((...args) => {
			if (++calls === 2) return Promise.reject(new TypeError('fetch failed'));
			return realFetch(...args);
		});
		expect((await run(exportArgs(out, '--page-size', '5'))).code).toBe(2);
		vi.restoreAllMocks();
		// The same cursor, issued long ago.
		const statePath = `${out}.partial.cursor`;
		const state = JSON.parse(readFileSync(statePath, 'utf8'));
		const [version, afterId, , filters] = Buffer.from(state.cursor, 'base64url')
			.toString()
			.split('.');
		state.cursor = Buffer.from([version, afterId, '1', filters].join('.')).toString('base64url');
		writeFileSync(statePath, JSON.stringify(state));

		const result = await run(exportArgs(out, '--page-size', '5'));
		expect(result.code).toBe(2);
		expect(result.stderr).toMatch(/expired .*start the export again/);
		expect(existsSync(out) || existsSync(`${out}.partial`) || existsSync(statePath)).toBe(false);
	});

	it('says so when the destination has no export endpoint', async () => {
		const out = outPath('none.json');
		process.env[TOKEN_ENV] = api.token;
		const origin = new URL(api.url).origin;
		const result = await run([
			'export',
			...['--from', `${origin}/elsewhere`, '--token-env', TOKEN_ENV, '--out', out]
		]);
		expect(result.code).toBe(2);
		expect(result.stderr).toMatch(/cannot export users: it has no GET \/users endpoint/);
		expect(existsSync(out)).toBe(false);
	});

	it('refuses unknown fields, bad renames and a missing token before any request', async () => {
		const out = outPath('bad.json');
		const unknown = await run(exportArgs(out, '--fields', 'email,password_hash'));
		expect(unknown.code).toBe(1);
		expect(unknown.stderr).toMatch(/unknown field "password_hash"/);
		const rename = await run(exportArgs(out, '--fields', 'email', '--rename', 'name=Name'));
		expect(rename.code).toBe(1);
		expect(rename.stderr).toMatch(/cannot rename "name"/);
		const noToken = await run([
			'export',
			'--from',
			api.url,
			'--token-env',
			'FERRY_NO_SUCH_VAR',
			'--out',
			out
		]);
		expect(noToken.code).toBe(1);
		expect(noToken.stderr).toMatch(/FERRY_NO_SUCH_VAR is not set/);
		expect(existsSync(`${out}.partial`)).toBe(false);
	});
});

describe('a GDPR package in the report format', () => {
	it('is opened by ferry report decrypt', async () => {
		const out = outPath('gdpr-ext-3.ferry-report');
		const response = await fetch(`${api.url}/users/ext-3/export`, {
			headers: { authorization: `Bearer ${api.token}` }
		});
		const plaintext = new Uint8Array(await response.arrayBuffer());
		writeFileSync(out, await encryptReport(plaintext, { password: 'correct horse' }));
		process.env.FERRY_PACKAGE_PASSWORD = 'correct horse';
		const result = await run([
			'report',
			'decrypt',
			out,
			'--password-env',
			'FERRY_PACKAGE_PASSWORD'
		]);
		expect(result.code, result.stderr).toBe(0);
		const opened = readUserPackage(result.stdout) as UserPackage;
		expect(opened.user).toMatchObject({ user_id: 'ext-3', email: 'person3@example.com' });
		expect(opened.imports.map((entry) => [entry.row, entry.status])).toEqual([[3, 'imported']]);
		expect(opened.audit.map((entry) => entry.action)).toEqual(['created']);
		expect(result.stdout).not.toMatch(/\$2b\$/);
	});
});
