import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { FIELDS } from '../../../src/lib/core/schema/fields';
import {
	seedReferenceApi,
	startReferenceApi,
	type ReferenceApi,
	type ReferenceApiOptions
} from '../../support/reference-api';
import { sha256Hex, tempDir } from './helpers';

const servers: ReferenceApi[] = [];

afterEach(async () => {
	await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function startServer(options: ReferenceApiOptions): Promise<ReferenceApi> {
	const server = await startReferenceApi(options);
	servers.push(server);
	return server;
}

describe('the reference API (server/main.ts, built) on a real socket', () => {
	it('serves /schema over HTTP and stops cleanly on SIGTERM', async () => {
		const data = tempDir();
		const server = await startServer({ dataDir: data, token: 'smoke-token' });
		const base = server.url;
		const unauthorised = await fetch(`${base}/schema`);
		expect(unauthorised.status).toBe(401);
		const response = await fetch(`${base}/schema`, {
			headers: { authorization: 'Bearer smoke-token' }
		});
		expect(response.status).toBe(200);
		const schema = (await response.json()) as { protocol: number; fields: unknown[] };
		expect(schema.protocol).toBe(1);
		expect(schema.fields).toHaveLength(FIELDS.length);
		expect(existsSync(join(data, 'ferry-api.sqlite'))).toBe(true);
		expect(await server.terminate()).toBe(0);
	});

	it('links seeded accounts from a gzip chunk sent with fetch', async () => {
		const data = tempDir();
		const seeded = await seedReferenceApi(['--accounts', '3', '--data', data]);
		expect(seeded.status, seeded.stderr).toBe(0);
		expect(seeded.stdout).toContain('seeded 3 new account(s)');

		const base = (await startServer({ dataDir: data })).url;
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
