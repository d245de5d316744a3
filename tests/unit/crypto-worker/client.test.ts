import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import {
	deriveKeyInProcess,
	encryptReport,
	generateRecipientKeyPair,
	readReportHeader,
	ReportError,
	type KeyDeriver
} from '../../../src/lib/core/report';
import { CryptoClient } from '../../../src/lib/workers/crypto-client';
import type { DisposableEndpoint } from '../../../src/lib/workers/disposable';
import { WorkerError } from '../../../src/lib/workers/errors';

/*
 * The client's worker handling, with each "worker" played by a MessageChannel whose far port
 * exposes a derive function over Comlink, as crypto.worker.ts does.
 */

interface FakeWorker {
	/** The client's side of the channel, as a Worker object would be. */
	port: MessagePort;
	terminated: boolean;
	calls: number;
}

/** A spawner that records every worker it starts. */
function fakeWorkers(derive: KeyDeriver) {
	const started: FakeWorker[] = [];
	const spawn = (): DisposableEndpoint => {
		const { port1, port2 } = new MessageChannel();
		const worker: FakeWorker = { port: port1, terminated: false, calls: 0 };
		Comlink.expose(
			{
				derive: async (...args: Parameters<KeyDeriver>) => {
					worker.calls++;
					return derive(...args);
				}
			},
			port2 as unknown as Comlink.Endpoint
		);
		const endpoint = port1 as unknown as DisposableEndpoint;
		endpoint.terminate = () => {
			worker.terminated = true;
			port1.close();
			port2.close();
		};
		port1.start();
		started.push(worker);
		return endpoint;
	};
	return { spawn, started };
}

const never: KeyDeriver = () => new Promise(() => {});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
	return promise.then(
		(value) => {
			throw new Error(`expected a rejection, got ${String(value)}`);
		},
		(error: unknown) => error
	);
}

const CSV = new TextEncoder().encode('row,line,status\r\n3,4,invalid_row\r\n');
const PASSWORD = 'correct horse battery staple';

describe('CryptoClient: a fresh worker per derivation, terminated after it', () => {
	it('decrypts a password report through one worker, terminated', async () => {
		const { spawn, started } = fakeWorkers(deriveKeyInProcess);
		const client = new CryptoClient(spawn);
		const file = await encryptReport(CSV, { password: PASSWORD });
		expect(readReportHeader(file).password).not.toBeNull();
		expect(
			await client.decryptReport(new Blob([file as Uint8Array<ArrayBuffer>]), {
				password: PASSWORD
			})
		).toEqual(CSV);
		expect(started.map(({ calls, terminated }) => ({ calls, terminated }))).toEqual([
			{ calls: 1, terminated: true }
		]);
	});

	it('terminates the worker when the password is wrong', async () => {
		const { spawn, started } = fakeWorkers(deriveKeyInProcess);
		const client = new CryptoClient(spawn);
		const file = await encryptReport(CSV, { password: PASSWORD });
		const error = await rejection(client.decryptReport(file, { password: 'Tr0ub4dor&3' }));
		expect(error).toBeInstanceOf(ReportError);
		expect((error as ReportError).code).toBe('wrong_key');
		expect(started.every((worker) => worker.terminated)).toBe(true);
	});

	it('starts no worker when no password is involved', async () => {
		const { spawn, started } = fakeWorkers(deriveKeyInProcess);
		const client = new CryptoClient(spawn);
		const admin = await generateRecipientKeyPair();
		const file = await encryptReport(CSV, { recipients: [admin.publicKey] });
		expect(await client.decryptReport(file, admin)).toEqual(CSV);
		expect(started).toHaveLength(0);
	});

	it('passes the derivation inputs to the worker and returns its key', async () => {
		const seen: Parameters<KeyDeriver>[] = [];
		const { spawn } = fakeWorkers(async (...args) => {
			seen.push(args);
			return new Uint8Array(32).fill(7);
		});
		const salt = new Uint8Array(16).fill(1);
		const key = await new CryptoClient(spawn).deriver()('pässword', salt, 3, 8192);
		expect(key).toEqual(new Uint8Array(32).fill(7));
		expect(seen).toEqual([['pässword', salt, 3, 8192]]);
	});

	it('rejects with the worker error and terminates the worker', async () => {
		const { spawn, started } = fakeWorkers(async () => {
			throw new Error('Argon2 ran out of memory');
		});
		const error = await rejection(
			new CryptoClient(spawn).deriver()('pw', new Uint8Array(16), 2, 8192)
		);
		expect(error).toBeInstanceOf(WorkerError);
		expect(error).toMatchObject({ code: 'internal', message: 'Argon2 ran out of memory' });
		expect(started.map((worker) => worker.terminated)).toEqual([true]);
	});

	it('rejects when the worker itself fails (an error event) and terminates it', async () => {
		const { spawn, started } = fakeWorkers(never);
		const pending = new CryptoClient(spawn).deriver()('pw', new Uint8Array(16), 2, 8192);
		started[0].port.dispatchEvent(new Event('error'));
		const error = await rejection(pending);
		expect((error as Error).message).toMatch(/key derivation worker failed/);
		expect(started[0].terminated).toBe(true);
	});
});

describe('CryptoClient: aborting', () => {
	const cases = [
		{ input: 'abort while deriving', abortBeforeStart: false, expected: { workers: 1 } },
		{ input: 'signal already aborted', abortBeforeStart: true, expected: { workers: 0 } }
	];

	it.each(cases)('$input', async ({ abortBeforeStart, expected }) => {
		const { spawn, started } = fakeWorkers(never);
		const controller = new AbortController();
		if (abortBeforeStart) controller.abort();
		const pending = new CryptoClient(spawn).decryptReport(
			await encryptReport(CSV, { password: PASSWORD }),
			{ password: PASSWORD },
			{ signal: controller.signal }
		);
		if (!abortBeforeStart) {
			await until(() => started.length === 1 && started[0].calls === 1);
			controller.abort();
		}
		const error = await rejection(pending);
		expect((error as DOMException).name).toBe('AbortError');
		expect(started).toHaveLength(expected.workers);
		expect(started.every((worker) => worker.terminated)).toBe(true);
	});
});

/** Waits for a condition set by another message turn (bounded by the test timeout). */
async function until(condition: () => boolean): Promise<void> {
	while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
