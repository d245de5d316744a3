import * as Comlink from 'comlink';
import {
	decryptReport,
	type DecryptOptions,
	type KeyDeriver,
	type ReportKey
} from '../core/report';
import type { CryptoWorkerApi } from './crypto.worker';
import './errors';

/** What the client needs of a worker: an endpoint to talk to and a way to end it. */
export type DisposableEndpoint = Comlink.Endpoint & { terminate(): void };

export type SpawnWorker = () => DisposableEndpoint;

export type InAppDecryptOptions = Omit<DecryptOptions, 'derive'> & { signal?: AbortSignal };

function spawnCryptoWorker(): DisposableEndpoint {
	return new Worker(new URL('./crypto.worker.ts', import.meta.url), {
		type: 'module',
		name: 'ferry-key-derivation'
	});
}

/**
 * Runs report key derivations (Argon2id) off the main thread. Unlike the parse worker, no worker
 * lives on between calls: each derivation gets a fresh one, terminated as soon as it answers, fails
 * or is aborted, so the derived key and the Argon2 memory are discarded with it.
 */
export class CryptoClient {
	readonly #spawn: SpawnWorker;

	constructor(spawn: SpawnWorker = spawnCryptoWorker) {
		this.#spawn = spawn;
	}

	/** A KeyDeriver for the core; aborting `signal` terminates the running derivation's worker. */
	deriver(signal?: AbortSignal): KeyDeriver {
		return (password, salt, opsLimit, memLimit) =>
			this.#derive(password, salt, opsLimit, memLimit, signal);
	}

	async decryptReport(
		file: Uint8Array | Blob,
		key: ReportKey,
		opts: InAppDecryptOptions = {}
	): Promise<Uint8Array> {
		const { signal, ...options } = opts;
		const bytes = file instanceof Blob ? new Uint8Array(await file.arrayBuffer()) : file;
		return decryptReport(bytes, key, { ...options, derive: this.deriver(signal) });
	}

	async #derive(
		password: string,
		salt: Uint8Array,
		opsLimit: number,
		memLimit: number,
		signal: AbortSignal | undefined
	): Promise<Uint8Array> {
		signal?.throwIfAborted();
		const worker = this.#spawn();
		let stop = () => {};
		// Settles only on abort or when the worker itself fails (e.g. its script did not load).
		const interrupted = new Promise<never>((_, reject) => {
			const onAbort = () => reject(signal?.reason);
			const onError = (event: Event) => {
				event.preventDefault();
				reject(new Error('The key derivation worker failed; reload the page and try again.'));
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			worker.addEventListener('error', onError as EventListener);
			stop = () => {
				signal?.removeEventListener('abort', onAbort);
				worker.removeEventListener('error', onError as EventListener);
			};
		});
		try {
			const remote = Comlink.wrap<CryptoWorkerApi>(worker);
			return await Promise.race([remote.derive(password, salt, opsLimit, memLimit), interrupted]);
		} finally {
			stop();
			worker.terminate();
		}
	}
}

export const cryptoClient = new CryptoClient();

/** decryptReport with the password's key derived in a discarded worker. */
export function decryptReportInApp(
	file: Uint8Array | Blob,
	key: ReportKey,
	opts: InAppDecryptOptions = {}
): Promise<Uint8Array> {
	return cryptoClient.decryptReport(file, key, opts);
}
