import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex, tempDir } from './helpers';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
	for (const child of children.splice(0)) {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
	}
});

/** Starts server/main.ts on a free loopback port; resolves with its API base URL. */
function startServer(args: string[]): Promise<{ child: ChildProcess; base: string }> {
	const child = spawn(
		process.execPath,
		['--import', 'tsx', 'server/main.ts', '--port', '0', '--quiet', ...args],
		{ cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }
	);
	children.push(child);
	return new Promise((resolve, reject) => {
		let output = '';
		const onData = (data: Buffer) => {
			output += data.toString();
			const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/api\/v1)/.exec(output);
			if (match) resolve({ child, base: match[1] });
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.on('exit', (code) => reject(new Error(`server exited (${code}): ${output}`)));
	});
}

function exited(child: ChildProcess): Promise<number | null> {
	return new Promise((resolve) => {
		if (child.exitCode !== null) resolve(child.exitCode);
		else child.on('exit', (code) => resolve(code));
	});
}

describe('server/main.ts on a real socket', () => {
	it('serves /schema over HTTP and stops cleanly on SIGTERM', async () => {
		const data = tempDir();
		const { child, base } = await startServer(['--data', data, '--token', 'smoke-token']);
		const unauthorised = await fetch(`${base}/schema`);
		expect(unauthorised.status).toBe(401);
		const response = await fetch(`${base}/schema`, {
			headers: { authorization: 'Bearer smoke-token' }
		});
		expect(response.status).toBe(200);
		const schema = (await response.json()) as { protocol: number; fields: unknown[] };
		expect(schema.protocol).toBe(1);
		expect(schema.fields).toHaveLength(16);
		expect(existsSync(join(data, 'ferry-api.sqlite'))).toBe(true);
		child.kill('SIGTERM');
		expect(await exited(child)).toBe(0);
	});

	it('links seeded accounts from a gzip chunk sent with fetch', async () => {
		const data = tempDir();
		const seeded = spawnSync(
			process.execPath,
			['--import', 'tsx', 'server/seed.ts', '--accounts', '3', '--data', data],
			{ cwd: ROOT, encoding: 'utf8' }
		);
		expect(seeded.status, seeded.stderr).toBe(0);
		expect(seeded.stdout).toContain('seeded 3 new account(s)');

		const { base } = await startServer(['--data', data]);
		const headers = { authorization: 'Bearer dev-token', 'content-type': 'application/json' };
		const created = await fetch(`${base}/sources`, {
			method: 'POST',
			headers,
			body: JSON.stringify({
				name: 'smoke',
				mode: 'link',
				upsert: false,
				file: { name: 'users.csv', size: 10, sha256: 'f'.repeat(64) },
				rows: 2
			})
		});
		expect(created.status).toBe(201);
		const { id } = (await created.json()) as { id: string };
		const body = JSON.stringify({
			rows: [
				{ row: 1, user_id: 'x1', email: 'user1@example.com' },
				{ row: 2, user_id: 'x2', email: 'user9@example.com' }
			]
		});
		const chunk = await fetch(`${base}/sources/${id}/chunks/0`, {
			method: 'PUT',
			headers: { ...headers, 'content-encoding': 'gzip', 'idempotency-key': sha256Hex(body) },
			body: gzipSync(body)
		});
		expect(chunk.status).toBe(200);
		expect(await chunk.json()).toEqual({
			results: [
				{ row: 1, status: 'imported' },
				{ row: 2, status: 'not_found', reason: 'no account has this email' }
			]
		});
	});
});
