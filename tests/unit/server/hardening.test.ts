/**
 * The API against hostile or careless clients: slow and idle sockets, too many connections, token
 * guessing, tokens in query strings, loose bodies and values. Each outcome within a bounded time.
 */
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_THROTTLE, DEFAULT_CONNECTION_LIMITS } from '../../../server/config';
import { AUTH, createSource, makeApp, putChunk, TOKEN } from './helpers';

const sockets: Socket[] = [];

afterEach(() => {
	for (const socket of sockets.splice(0)) socket.destroy();
});

async function listening(app: FastifyInstance): Promise<number> {
	await app.listen({ port: 0, host: '127.0.0.1' });
	const address = app.server.address();
	if (typeof address !== 'object' || address === null) throw new Error('not listening');
	return address.port;
}

async function openSocket(port: number): Promise<Socket> {
	const socket = connect(port, '127.0.0.1');
	sockets.push(socket);
	socket.on('error', () => {});
	await new Promise((resolve) => socket.once('connect', resolve));
	return socket;
}

/** Milliseconds until the server closes the socket (its answer, if any, is read and dropped). */
function closedAfter(socket: Socket, since = performance.now()): Promise<number> {
	socket.resume();
	return new Promise((resolve) => socket.once('close', () => resolve(performance.now() - since)));
}

const SHORT = {
	headersTimeoutMs: 500,
	requestTimeoutMs: 1_000,
	keepAliveTimeoutMs: 300,
	idleTimeoutMs: 1_500,
	timeoutCheckIntervalMs: 100
};

describe('timeouts and the connection cap', () => {
	it('uses the documented defaults, which close a half-sent header within 30 s', async () => {
		const app = await makeApp();
		const server = app.server;
		expect(server.headersTimeout).toBe(DEFAULT_CONNECTION_LIMITS.headersTimeoutMs);
		expect(server.requestTimeout).toBe(DEFAULT_CONNECTION_LIMITS.requestTimeoutMs);
		expect(server.keepAliveTimeout).toBe(DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs);
		expect(server.timeout).toBe(DEFAULT_CONNECTION_LIMITS.idleTimeoutMs);
		expect(server.maxConnections).toBe(DEFAULT_CONNECTION_LIMITS.maxConnections);
		expect(DEFAULT_CONNECTION_LIMITS).toEqual({
			headersTimeoutMs: 10_000,
			requestTimeoutMs: 60_000,
			keepAliveTimeoutMs: 5_000,
			idleTimeoutMs: 30_000,
			maxConnections: 1024,
			timeoutCheckIntervalMs: 1_000
		});
		const worstCase =
			DEFAULT_CONNECTION_LIMITS.headersTimeoutMs + DEFAULT_CONNECTION_LIMITS.timeoutCheckIntervalMs;
		expect(worstCase).toBeLessThan(30_000);
	});

	it('closes a client that sends half a request header and then nothing', async () => {
		const port = await listening(await makeApp({ connections: SHORT }));
		const socket = await openSocket(port);
		const since = performance.now();
		socket.write('GET /api/v1/schema HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthor');
		const elapsed = await closedAfter(socket, since);
		expect(elapsed).toBeLessThan(SHORT.headersTimeoutMs + 5 * SHORT.timeoutCheckIntervalMs);
	});

	it('closes a connection that never sends a byte', async () => {
		const port = await listening(await makeApp({ connections: SHORT }));
		const elapsed = await closedAfter(await openSocket(port));
		expect(elapsed).toBeLessThan(SHORT.idleTimeoutMs + 1_000);
	});

	it('closes a request whose body stalls, and an idle keep-alive connection', async () => {
		const port = await listening(await makeApp({ connections: SHORT }));
		const slow = await openSocket(port);
		slow.write(
			`PUT /api/v1/sources/s/chunks/0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
				'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"rows":['
		);
		const idle = await openSocket(port);
		idle.write(`GET /api/v1/schema HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
		const [slowElapsed, idleElapsed] = await Promise.all([closedAfter(slow), closedAfter(idle)]);
		expect(slowElapsed).toBeLessThan(SHORT.requestTimeoutMs + 5 * SHORT.timeoutCheckIntervalMs);
		// Node adds keepAliveTimeoutBuffer (1 s) to the keep-alive timeout of the socket.
		expect(idleElapsed).toBeLessThan(SHORT.keepAliveTimeoutMs + 2_000);
	});

	it('closes connections beyond maxConnections and serves again once they are gone', async () => {
		const app = await makeApp({ connections: { ...SHORT, maxConnections: 2 } });
		const port = await listening(app);
		const held = [await openSocket(port), await openSocket(port)];
		const elapsed = await closedAfter(await openSocket(port));
		expect(elapsed).toBeLessThan(1_000);
		for (const socket of held) socket.destroy();
		await new Promise((resolve) => setTimeout(resolve, 100));
		const response = await fetch(`http://127.0.0.1:${port}/api/v1/schema`, { headers: AUTH });
		expect(response.status).toBe(200);
	});
});

describe('throttling failed authentication', () => {
	it('answers 2,000 wrong tokens with 429 after the first failures, per client address', async () => {
		let clock = Date.UTC(2026, 0, 1);
		const app = await makeApp({ now: () => clock });
		const statuses = new Map<number, number>();
		let retryAfter = '';
		for (let i = 0; i < 2_000; i++) {
			const response = await app.inject({
				method: 'GET',
				url: '/api/v1/schema',
				headers: { authorization: `Bearer guess-${i}` },
				remoteAddress: '203.0.113.7'
			});
			statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
			if (response.statusCode === 429) retryAfter = String(response.headers['retry-after']);
		}
		expect(statuses.get(401)).toBe(DEFAULT_AUTH_THROTTLE.maxFailures);
		expect(statuses.get(429)).toBe(2_000 - DEFAULT_AUTH_THROTTLE.maxFailures);
		expect(Number(retryAfter)).toBe(DEFAULT_AUTH_THROTTLE.windowMs / 1000);

		const schema = (remoteAddress: string) =>
			app.inject({ method: 'GET', url: '/api/v1/schema', headers: AUTH, remoteAddress });
		expect((await schema('198.51.100.2')).statusCode).toBe(200);
		const refused = await schema('203.0.113.7');
		expect(refused.statusCode).toBe(429);
		expect(refused.json().code).toBe('too_many_failed_attempts');

		clock += DEFAULT_AUTH_THROTTLE.windowMs;
		expect((await schema('203.0.113.7')).statusCode).toBe(200);
	});
});

describe('logs', () => {
	it('never contain a token sent in the query string', async () => {
		let logged = '';
		const stream = new Writable({
			write(chunk, _encoding, done) {
				logged += String(chunk);
				done();
			}
		});
		const app = await makeApp({ logger: { level: 'info', stream } });
		await app.inject({ method: 'GET', url: '/api/v1/schema?access_token=SECRET-1' });
		await app.inject({ method: 'GET', url: '/api/v1/sources?token=SECRET-2', headers: AUTH });
		await app.inject({ method: 'GET', url: '/api/v1/nowhere?token=SECRET-3', headers: AUTH });
		expect(logged).toContain('"url":"/api/v1/schema"');
		expect(logged).toContain('"url":"/api/v1/sources"');
		expect(logged).not.toMatch(/SECRET|token=/);
	});
});

describe('strict bodies', () => {
	const body = {
		name: 'n',
		mode: 'link',
		file: { name: 'f.csv', size: 1, sha256: 'a'.repeat(64) },
		rows: 1
	};
	const cases = [
		{ input: { ...body, owner: 'x' }, expected: 'body has an unknown property "owner"' },
		{
			input: { ...body, file: { ...body.file, path: '/etc' } },
			expected: 'body/file has an unknown property "path"'
		}
	];
	it.each(cases)('refuses $expected', async ({ input, expected }) => {
		const response = await (
			await makeApp()
		).inject({
			method: 'POST',
			url: '/api/v1/sources',
			headers: AUTH,
			payload: input
		});
		expect(response.statusCode).toBe(400);
		expect(response.json()).toMatchObject({ code: 'invalid_request', message: expected });
	});

	it('answers a text/plain body with 415', async () => {
		const app = await makeApp();
		const id = await createSource(app, { mode: 'link' });
		for (const [method, url] of [
			['POST', '/api/v1/sources'],
			['PUT', `/api/v1/sources/${id}/chunks/0`]
		] as const) {
			const response = await app.inject({
				method,
				url,
				headers: { ...AUTH, 'content-type': 'text/plain' },
				payload: JSON.stringify(body)
			});
			expect(response.statusCode, url).toBe(415);
			expect(response.json().code).toBe('unsupported_media_type');
		}
	});
});

describe('hostile field values', () => {
	it('are answered invalid_row with the reason, and not stored', async () => {
		const app = await makeApp();
		const id = await createSource(app, { mode: 'create' });
		const response = await putChunk(app, id, 0, [
			{ row: 1, user_id: 'u\u00001', email: 'a@example.org' },
			{ row: 2, user_id: 'u2', email: 'b@example.org', locale: '<script>alert(1)</script>' },
			{ row: 3, user_id: 'u3', email: 'c@example.org', registration_date: 'not a date' },
			{ row: 4, user_id: 'u4', email: 'd@example.org', phone_number: 'garbage' },
			{ row: 5, user_id: 'u5', email: 'e@example.org', phone_number: '+12015550123' }
		]);
		expect(response.json().results).toEqual([
			{ row: 1, status: 'invalid_row', reason: 'user_id contains a control character' },
			{ row: 2, status: 'invalid_row', reason: 'locale is not a language tag' },
			{ row: 3, status: 'invalid_row', reason: 'registration_date is not a date' },
			{
				row: 4,
				status: 'invalid_row',
				reason: 'phone_number is not a valid phone number with its country code'
			},
			{ row: 5, status: 'imported' }
		]);
	});
});

describe('GET /sources pages', () => {
	it('pages newest first with limit and cursor, and refuses a cursor it did not give', async () => {
		let clock = Date.UTC(2026, 0, 1);
		const app = await makeApp({ now: () => clock });
		for (let i = 0; i < 5; i++) {
			await createSource(app, { mode: 'link', name: `s${i}` });
			// Two sources share a creation time, so the cursor must also tell them apart.
			if (i !== 2) clock += 1000;
		}
		const page = async (query: string) => {
			const response = await app.inject({
				method: 'GET',
				url: `/api/v1/sources${query}`,
				headers: AUTH
			});
			return { status: response.statusCode, body: response.json() };
		};
		const names: string[] = [];
		let query = '?limit=2';
		for (;;) {
			const { status, body } = await page(query);
			expect(status).toBe(200);
			expect(body.sources.length).toBeLessThanOrEqual(2);
			names.push(...body.sources.map((source: { name: string }) => source.name));
			if (body.next === null) break;
			query = `?limit=2&cursor=${encodeURIComponent(body.next)}`;
		}
		expect(names).toEqual(['s4', 's3', 's2', 's1', 's0']);

		const all = await page('');
		expect(all.body.sources).toHaveLength(5);
		expect(all.body.next).toBeNull();
		expect((await page('?cursor=bm9wZQ')).body.code).toBe('invalid_cursor');
		expect((await page('?limit=0')).status).toBe(400);
		expect((await page('?limit=1001')).status).toBe(400);
	});
});
