/**
 * server/main.ts as a process: stopping on signals with a slow client connected, and the rule on
 * binding with the default token.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../../../server/config';
import { tempDir } from './helpers';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const children: ChildProcess[] = [];
const sockets: Socket[] = [];

afterEach(() => {
	for (const socket of sockets.splice(0)) socket.destroy();
	for (const child of children.splice(0)) {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
	}
});

interface Started {
	child: ChildProcess;
	port: number;
	/** Everything the process wrote so far, stdout and stderr. */
	output: () => string;
}

function spawnServer(args: string[]): ChildProcess {
	const child = spawn(
		process.execPath,
		['--import', 'tsx', 'server/main.ts', '--port', '0', '--quiet', ...args],
		{ cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }
	);
	children.push(child);
	return child;
}

function collect(child: ChildProcess): () => string {
	let output = '';
	child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
	child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
	return () => output;
}

function startServer(args: string[]): Promise<Started> {
	const child = spawnServer(args);
	const output = collect(child);
	return new Promise((resolve, reject) => {
		const onData = () => {
			const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\/api\/v1/.exec(output());
			if (match) resolve({ child, port: Number(match[1]), output });
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.on('exit', (code) => reject(new Error(`server exited (${code}): ${output()}`)));
	});
}

function exited(child: ChildProcess): Promise<number | null> {
	return new Promise((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
		else child.on('exit', (code) => resolve(code));
	});
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
		const { child, port } = await startServer(['--data', tempDir(), '--token', 'stop-token']);
		const socket = await slowUpload(port, 'stop-token');
		const closed = new Promise((resolve) => socket.once('close', resolve));
		const started = performance.now();
		child.kill('SIGTERM');
		expect(await exited(child)).toBe(0);
		const elapsed = performance.now() - started;
		await closed;
		expect(elapsed).toBeGreaterThanOrEqual(DEFAULT_DRAIN_TIMEOUT_MS - 500);
		expect(elapsed).toBeLessThan(10_000);
	}, 15_000);

	it('exits at once on a second signal', async () => {
		const { child, port } = await startServer(['--data', tempDir(), '--token', 'stop-token']);
		await slowUpload(port, 'stop-token');
		child.kill('SIGTERM');
		await new Promise((resolve) => setTimeout(resolve, 100));
		const started = performance.now();
		child.kill('SIGINT');
		expect(await exited(child)).toBe(1);
		expect(performance.now() - started).toBeLessThan(1_000);
	}, 15_000);
});

describe('server/main.ts and the default token', () => {
	it('refuses to listen on a non-loopback address with the default token', async () => {
		const child = spawnServer(['--data', tempDir(), '--host', '0.0.0.0']);
		const output = collect(child);
		expect(await exited(child)).toBe(1);
		expect(output()).toContain('refusing to listen on 0.0.0.0 with the default token "dev-token"');
		expect(output()).not.toContain('listening on');
	}, 15_000);

	it('listens on a non-loopback address with a token of its own', async () => {
		const { output } = await startServer([
			'--data',
			tempDir(),
			'--host',
			'0.0.0.0',
			'--token',
			'x'
		]);
		expect(output()).not.toContain('warning');
	}, 15_000);

	it('warns on loopback with the default token', async () => {
		const { output } = await startServer(['--data', tempDir()]);
		expect(output()).toContain('warning: the API uses the default token "dev-token"');
	}, 15_000);
});
