/**
 * server/main.ts as a process: stopping on signals with a slow client connected, and the rule on
 * binding with the default token.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../../../server/config';
import { ReferenceApi } from '../../support/reference-api';

const apis: ReferenceApi[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
	for (const socket of sockets.splice(0)) socket.destroy();
	for (const api of apis.splice(0)) await api.stop();
});

function api(options: ConstructorParameters<typeof ReferenceApi>[0] = {}): ReferenceApi {
	const created = new ReferenceApi(options);
	apis.push(created);
	return created;
}

/** A client that sends an upload's headers and the first bytes of its body, then nothing more. */
async function slowUpload(port: number, token: string): Promise<Socket> {
	const socket = connect(port, '127.0.0.1');
	sockets.push(socket);
	socket.on('error', () => {});
	await new Promise((resolve) => socket.once('connect', resolve));
	socket.write(
		'PUT /api/v1/sources/s/chunks/0 HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
			`Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
			`Idempotency-Key: ${'0'.repeat(64)}\r\nContent-Length: 1000000\r\n\r\n{"rows":[`
	);
	// Long enough for the server to have read the headers and be waiting for the body.
	await new Promise((resolve) => setTimeout(resolve, 300));
	return socket;
}

describe('server/main.ts stopping', () => {
	it(`exits within 10 s of SIGTERM during a slow upload (drains ${DEFAULT_DRAIN_TIMEOUT_MS} ms)`, async () => {
		const server = api({ token: 'stop-token' });
		await server.start();
		const socket = await slowUpload(server.port, 'stop-token');
		const closed = new Promise((resolve) => socket.once('close', resolve));
		const started = performance.now();
		expect(await server.terminate()).toBe(0);
		const elapsed = performance.now() - started;
		await closed;
		expect(elapsed).toBeGreaterThanOrEqual(DEFAULT_DRAIN_TIMEOUT_MS - 500);
		expect(elapsed).toBeLessThan(10_000);
	}, 15_000);

	it('exits at once on a second signal', async () => {
		const server = api({ token: 'stop-token' });
		await server.start();
		await slowUpload(server.port, 'stop-token');
		const exited = server.exited();
		server.signal('SIGTERM');
		await new Promise((resolve) => setTimeout(resolve, 100));
		const started = performance.now();
		server.signal('SIGINT');
		expect(await exited).toBe(1);
		expect(performance.now() - started).toBeLessThan(1_000);
	}, 15_000);
});

describe('server/main.ts and the default token', () => {
	it('refuses to listen on a non-loopback address with the default token', async () => {
		const server = api({ args: ['--host', '0.0.0.0'] });
		await expect(server.start()).rejects.toThrow(/exited \(1\)/);
		expect(server.output).toContain(
			'refusing to listen on 0.0.0.0 with the default token "dev-token"'
		);
		expect(server.output).not.toContain('listening on');
	}, 15_000);

	it('listens on a non-loopback address with a token of its own', async () => {
		const server = api({ token: 'x', args: ['--host', '0.0.0.0'] });
		await server.start();
		expect(server.output).not.toContain('warning');
	}, 15_000);

	it('warns on loopback with the default token', async () => {
		const server = api();
		await server.start();
		expect(server.output).toContain('warning: the API uses the default token "dev-token"');
	}, 15_000);
});
