import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../../src/lib/core/identity/credential';
import { FIELDS } from '../../../src/lib/core/schema/fields';
import { holdWriteLock } from '../../support/databases';
import { HASHES } from '../identity/fixtures';
import {
	ALLOWED_ORIGIN,
	AUTH,
	createSource,
	makeApp,
	putChunk,
	sha256Hex,
	tempDatabase
} from './helpers';

describe('authentication', () => {
	const cases = [
		{ input: {}, expected: 401 },
		{ input: { authorization: 'Bearer wrong-token' }, expected: 401 },
		{ input: { authorization: 'Basic dGVzdC10b2tlbg==' }, expected: 401 },
		{ input: { authorization: 'Bearer test-token-longer' }, expected: 401 },
		{ input: { authorization: 'Bearer test-token' }, expected: 200 },
		{ input: { authorization: 'bearer test-token' }, expected: 200 }
	];
	it.each(cases)('$input → $expected', async ({ input, expected }) => {
		const app = await makeApp();
		const response = await app.inject({ method: 'GET', url: '/api/v1/schema', headers: input });
		expect(response.statusCode).toBe(expected);
		if (expected === 401) {
			expect(response.headers['www-authenticate']).toBe('Bearer');
			expect(response.json().code).toBe('unauthorized');
		}
	});

	it('guards every endpoint, unknown ones included', async () => {
		const app = await makeApp();
		for (const [method, url] of [
			['GET', '/api/v1/sources'],
			['POST', '/api/v1/sources'],
			['PUT', '/api/v1/sources/x/chunks/0'],
			['DELETE', '/api/v1/sources/x'],
			['GET', '/api/v1/sources/x/received'],
			['GET', '/api/v1/nothing-here']
		] as const) {
			const response = await app.inject({ method, url });
			expect(response.statusCode, `${method} ${url}`).toBe(401);
		}
	});
});

describe('CORS', () => {
	const preflight = (origin: string) => ({
		method: 'OPTIONS' as const,
		url: '/api/v1/sources/abc/chunks/0',
		headers: {
			origin,
			'access-control-request-method': 'PUT',
			'access-control-request-headers':
				'authorization,content-type,content-encoding,idempotency-key'
		}
	});

	it('answers a preflight from an allowed origin without a token', async () => {
		const app = await makeApp();
		const response = await app.inject(preflight(ALLOWED_ORIGIN));
		expect(response.statusCode).toBe(204);
		expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
		expect(String(response.headers['access-control-allow-methods'])).toContain('PUT');
		expect(String(response.headers['access-control-allow-headers']).toLowerCase()).toContain(
			'idempotency-key'
		);
	});

	it('refuses a preflight from another origin', async () => {
		const app = await makeApp();
		const response = await app.inject(preflight('https://evil.example'));
		expect(response.statusCode).toBe(403);
		expect(response.headers['access-control-allow-origin']).toBeUndefined();
	});

	it('lets an allowed origin read refusals and the retry headers', async () => {
		const app = await makeApp();
		const response = await app.inject({
			method: 'GET',
			url: '/api/v1/schema',
			headers: { origin: ALLOWED_ORIGIN }
		});
		expect(response.statusCode).toBe(401);
		expect(response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
		expect(String(response.headers['access-control-expose-headers'])).toContain('Retry-After');
	});

	it('gives another origin no CORS headers on a normal request', async () => {
		const app = await makeApp();
		const response = await app.inject({
			method: 'GET',
			url: '/api/v1/schema',
			headers: { ...AUTH, origin: 'https://evil.example' }
		});
		expect(response.headers['access-control-allow-origin']).toBeUndefined();
	});
});

describe('GET /schema', () => {
	it('lists every canonical field, the required ones, the limits and the profile', async () => {
		const app = await makeApp({ limits: { rowsPerChunk: 500 } });
		const response = await app.inject({ method: 'GET', url: '/api/v1/schema', headers: AUTH });
		const schema = response.json();
		expect(schema.protocol).toBe(1);
		expect(schema.requireUuidUserId).toBe(false);
		expect(schema.limits).toEqual({
			rowsPerChunk: 500,
			bytesPerChunk: 1048576,
			rowsPerSource: 1000000
		});
		expect(schema.fields.map((f: { name: string }) => f.name)).toEqual(
			FIELDS.map((field) => field.name)
		);
		expect(schema.acceptedAlgorithms).toEqual(
			ALGORITHMS.filter((algorithm) => algorithm !== 'unknown')
		);
		expect(schema.lookupKey).toBe('user_id');
		expect(
			schema.fields
				.filter((field: { required: boolean }) => field.required)
				.map((f: { name: string }) => f.name)
		).toEqual(['user_id', 'email']);
		expect(schema.fields[0]).toEqual({
			name: 'user_id',
			type: 'id',
			required: true,
			maxLength: 255
		});
		expect(schema.fields.find((f: { name: string }) => f.name === 'roles')).toEqual({
			name: 'roles',
			type: 'list',
			required: false,
			maxLength: 1024
		});
	});

	it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
		const app = await makeApp();
		const given = await app.inject({
			method: 'GET',
			url: '/api/v1/schema',
			headers: { ...AUTH, 'x-request-id': 'req-42' }
		});
		expect(given.headers['x-request-id']).toBe('req-42');
		const made = await app.inject({
			method: 'GET',
			url: '/api/v1/schema',
			headers: { ...AUTH, 'x-request-id': 'bad id\twith spaces' }
		});
		expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
	});
});

describe('POST /sources', () => {
	const valid = {
		name: 'Auth0 export',
		mode: 'link',
		upsert: false,
		file: { name: 'users.ndjson', size: 42, sha256: 'AB'.repeat(32) },
		rows: 3
	};
	it('creates an open source', async () => {
		const app = await makeApp();
		const response = await app.inject({
			method: 'POST',
			url: '/api/v1/sources',
			headers: AUTH,
			payload: valid
		});
		expect(response.statusCode).toBe(201);
		const source = response.json();
		expect(source.id).toMatch(/^[0-9a-f-]{36}$/);
		expect(source).toMatchObject({
			name: 'Auth0 export',
			mode: 'link',
			upsert: false,
			status: 'open',
			file: { name: 'users.ndjson', size: 42, sha256: 'ab'.repeat(32) },
			expectedRows: 3,
			rows: 0,
			chunks: 0
		});
		const listed = await app.inject({ method: 'GET', url: '/api/v1/sources', headers: AUTH });
		expect(listed.json().sources.map((s: { id: string }) => s.id)).toEqual([source.id]);
	});

	const invalid = [
		{ input: { ...valid, mode: 'merge' }, expected: 400 },
		{ input: { ...valid, name: '' }, expected: 400 },
		{ input: { ...valid, file: { name: 'x', size: 1, sha256: 'nothex' } }, expected: 400 },
		{ input: { ...valid, rows: -1 }, expected: 400 },
		{ input: { name: 'x', mode: 'link' }, expected: 400 },
		{ input: { ...valid, rows: 1_000_001 }, expected: 413 }
	];
	it.each(invalid)('refuses $input', async ({ input, expected }) => {
		const app = await makeApp();
		const response = await app.inject({
			method: 'POST',
			url: '/api/v1/sources',
			headers: AUTH,
			payload: input
		});
		expect(response.statusCode).toBe(expected);
		const listed = await app.inject({ method: 'GET', url: '/api/v1/sources', headers: AUTH });
		expect(listed.json().sources).toEqual([]);
	});

	it('answers 404 for an unknown source', async () => {
		const app = await makeApp();
		const response = await app.inject({
			method: 'GET',
			url: '/api/v1/sources/00000000-0000-0000-0000-000000000000',
			headers: AUTH
		});
		expect(response.statusCode).toBe(404);
		expect(response.json().code).toBe('source_not_found');
	});
});

describe('chunk requests', () => {
	const row = { row: 1, user_id: 'u1', email: 'u1@example.org' };

	it('accepts a gzip body; the key is the hash of the uncompressed bytes', async () => {
		const app = await makeApp();
		const id = await createSource(app, { mode: 'create' });
		const response = await putChunk(app, id, 0, [row], { gzip: true });
		expect(response.statusCode).toBe(200);
		expect(response.json()).toEqual({ results: [{ row: 1, status: 'imported' }] });
	});

	it('refuses a key that is the hash of the compressed bytes', async () => {
		const app = await makeApp();
		const id = await createSource(app, { mode: 'create' });
		const compressed = gzipSync(JSON.stringify({ rows: [row] }));
		const response = await putChunk(app, id, 0, [row], { gzip: true, key: sha256Hex(compressed) });
		expect(response.statusCode).toBe(400);
		expect(response.json().code).toBe('idempotency_key_mismatch');
	});

	const badKeys = [
		{ input: undefined, expected: 'idempotency_key_required' },
		{ input: 'abc', expected: 'idempotency_key_required' },
		{ input: '0'.repeat(64), expected: 'idempotency_key_mismatch' }
	];
	it.each(badKeys)('key $input → 400 $expected, nothing applied', async ({ input, expected }) => {
		const app = await makeApp();
		const id = await createSource(app, { mode: 'create' });
		const text = JSON.stringify({ rows: [row] });
		const response = await app.inject({
			method: 'PUT',
			url: `/api/v1/sources/${id}/chunks/0`,
			headers: {
				...AUTH,
				'content-type': 'application/json',
				...(input === undefined ? {} : { 'idempotency-key': input })
			},
			payload: text
		});
		expect(response.statusCode).toBe(400);
		expect(response.json().code).toBe(expected);
		const source = await app.inject({ method: 'GET', url: `/api/v1/sources/${id}`, headers: AUTH });
		expect(source.json()).toMatchObject({ rows: 0, chunks: 0 });
	});

	const malformed = [
		{ input: '{"rows":{}}', expected: { status: 400, code: 'invalid_chunk' } },
		{ input: '[]', expected: { status: 400, code: 'invalid_chunk' } },
		{ input: '{"rows":[{"user_id":"u"}]}', expected: { status: 400, code: 'invalid_chunk' } },
		{ input: '{"rows":[{"row":0}]}', expected: { status: 400, code: 'invalid_chunk' } },
		{ input: '{"rows":[{"row":1.5}]}', expected: { status: 400, code: 'invalid_chunk' } },
		{ input: '{"rows":[{"row":"1"}]}', expected: { status: 400, code: 'invalid_chunk' } },
		{ input: '{"rows":[1]}', expected: { status: 400, code: 'invalid_chunk' } },
		{ input: '{"rows":[', expected: { status: 400, code: 'invalid_json' } },
		{
			input: '{"rows":[{"row":1,"__proto__":{"x":1}}]}',
			expected: { status: 400, code: 'invalid_json' }
		}
	];
	it.each(malformed)('body $input → $expected', async ({ input, expected }) => {
		const app = await makeApp();
		const id = await createSource(app, { mode: 'create' });
		const response = await app.inject({
			method: 'PUT',
			url: `/api/v1/sources/${id}/chunks/0`,
			headers: { ...AUTH, 'content-type': 'application/json', 'idempotency-key': sha256Hex(input) },
			payload: input
		});
		expect({ status: response.statusCode, code: response.json().code }).toEqual(expected);
	});

	it('refuses a body over bytesPerChunk with 413, plain or gzip (a small gzip bomb too)', async () => {
		const app = await makeApp({ limits: { bytesPerChunk: 2000 } });
		const id = await createSource(app, { mode: 'create' });
		const big = [
			{ row: 1, user_id: 'u1', email: 'u1@example.org', name: 'x'.repeat(1000) },
			{ row: 2, user_id: 'u2', email: 'u2@example.org', name: 'y'.repeat(1000) }
		];
		const plain = await putChunk(app, id, 0, big);
		expect(plain.statusCode).toBe(413);
		const zipped = await putChunk(app, id, 0, big, { gzip: true });
		expect(zipped.statusCode).toBe(413);
		expect(zipped.json().code).toBe('payload_too_large');
		const bomb = gzipSync(Buffer.alloc(50_000_000, 0x20));
		expect(bomb.length).toBeLessThan(100_000);
		const bombed = await app.inject({
			method: 'PUT',
			url: `/api/v1/sources/${id}/chunks/0`,
			headers: {
				...AUTH,
				'content-type': 'application/json',
				'content-encoding': 'gzip',
				'idempotency-key': '0'.repeat(64)
			},
			payload: bomb
		});
		expect(bombed.statusCode).toBe(413);
		const small = await putChunk(app, id, 0, [big[0]]);
		expect(small.statusCode).toBe(200);
	});

	it('refuses more rows than rowsPerChunk or rowsPerSource with 413', async () => {
		const app = await makeApp({ limits: { rowsPerChunk: 2, rowsPerSource: 3 } });
		const id = await createSource(app, { mode: 'create', rows: 3 });
		const rows = [1, 2, 3].map((n) => ({ row: n, user_id: `u${n}`, email: `u${n}@example.org` }));
		expect((await putChunk(app, id, 0, rows)).statusCode).toBe(413);
		expect((await putChunk(app, id, 0, rows.slice(0, 2))).statusCode).toBe(200);
		const over = await putChunk(app, id, 1, [
			rows[2],
			{ row: 4, user_id: 'u4', email: 'u4@example.org' }
		]);
		expect(over.statusCode).toBe(413);
		expect(over.json().code).toBe('too_many_rows');
		expect((await putChunk(app, id, 1, [rows[2]])).statusCode).toBe(200);
	});

	it('refuses an unknown Content-Encoding and a non-JSON content type', async () => {
		const app = await makeApp();
		const id = await createSource(app, { mode: 'create' });
		const text = JSON.stringify({ rows: [row] });
		const brotli = await app.inject({
			method: 'PUT',
			url: `/api/v1/sources/${id}/chunks/0`,
			headers: {
				...AUTH,
				'content-type': 'application/json',
				'content-encoding': 'br',
				'idempotency-key': sha256Hex(text)
			},
			payload: text
		});
		expect(brotli.statusCode).toBe(415);
		const plainText = await app.inject({
			method: 'PUT',
			url: `/api/v1/sources/${id}/chunks/0`,
			headers: { ...AUTH, 'content-type': 'text/csv', 'idempotency-key': sha256Hex(text) },
			payload: text
		});
		expect(plainText.statusCode).toBe(415);
	});
});

describe('rate limit', () => {
	it('answers 429 with Retry-After once the bucket is empty, and recovers with time', async () => {
		let clock = 1_000_000;
		const app = await makeApp({ rateLimit: { perSecond: 1, burst: 2 }, now: () => clock });
		const get = () => app.inject({ method: 'GET', url: '/api/v1/schema', headers: AUTH });
		expect((await get()).statusCode).toBe(200);
		expect((await get()).statusCode).toBe(200);
		const limited = await get();
		expect(limited.statusCode).toBe(429);
		expect(limited.headers['retry-after']).toBe('1');
		expect(limited.json().code).toBe('rate_limited');
		clock += 1000;
		expect((await get()).statusCode).toBe(200);
		expect((await get()).statusCode).toBe(429);
	});

	it('does not spend the bucket on requests without a valid token', async () => {
		const app = await makeApp({ rateLimit: { perSecond: 1 }, now: () => 0 });
		for (let i = 0; i < 3; i++) {
			expect((await app.inject({ method: 'GET', url: '/api/v1/schema' })).statusCode).toBe(401);
		}
		const ok = await app.inject({ method: 'GET', url: '/api/v1/schema', headers: AUTH });
		expect(ok.statusCode).toBe(200);
	});
});

describe('database busy', () => {
	it('answers 503 with Retry-After while another connection holds the write lock', async () => {
		const database = await tempDatabase();
		const app = await makeApp({ database, busyTimeoutMs: 0 });
		const id = await createSource(app, { mode: 'create' });
		const release = await holdWriteLock(database, id);
		try {
			const busy = await putChunk(app, id, 0, [{ row: 1, user_id: 'u1', email: 'u1@example.org' }]);
			expect(busy.statusCode).toBe(503);
			expect(busy.headers['retry-after']).toBe('1');
			expect(busy.json().code).toBe('busy');
		} finally {
			await release();
		}
		const retried = await putChunk(app, id, 0, [
			{ row: 1, user_id: 'u1', email: 'u1@example.org' }
		]);
		expect(retried.statusCode).toBe(200);
	});
});

describe('logging', () => {
	it('writes JSON lines with the request id and never a row value', async () => {
		const lines: string[] = [];
		const stream = { write: (line: string) => lines.push(line) };
		const app = await makeApp({ logger: { level: 'info', stream } });
		const id = await createSource(app, { mode: 'create' });
		const secret = HASHES.bcrypt2b;
		const applied = await putChunk(app, id, 0, [
			{ row: 1, user_id: 'u1', email: 'private.person@example.org', password_hash: secret },
			{ row: 2, user_id: 'u2', email: 'broken', name: secret }
		]);
		expect(applied.statusCode).toBe(200);
		const broken = `{"rows":[{"row":1,"email":"${secret}"`;
		const refused = await app.inject({
			method: 'PUT',
			url: `/api/v1/sources/${id}/chunks/1`,
			headers: {
				...AUTH,
				'content-type': 'application/json',
				'idempotency-key': sha256Hex(broken)
			},
			payload: broken
		});
		expect(refused.statusCode).toBe(400);

		const records = lines.map((line) => JSON.parse(line));
		const chunkLog = records.find((record) => record.msg === 'chunk applied');
		expect(chunkLog).toMatchObject({
			reqId: applied.headers['x-request-id'],
			sourceId: id,
			seq: 0,
			counts: { imported: 1, invalid_row: 1 }
		});
		const everything = lines.join('\n');
		expect(everything).not.toContain(secret);
		expect(everything).not.toContain(secret.slice(7));
		expect(everything).not.toContain('private.person');
		expect(everything).not.toContain('test-token');
	});
});
