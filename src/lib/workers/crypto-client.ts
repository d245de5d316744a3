import {
	decryptReport,
	type DecryptOptions,
	type KeyDeriver,
	type ReportKey
} from '../core/report';
import type { CryptoWorkerApi } from './crypto.worker';
import { withDisposableWorker, type DisposableEndpoint, type SpawnWorker } from './disposable';

export type InAppDecryptOptions = Omit<DecryptOptions, 'derive'> & { signal?: AbortSignal };

function spawnCryptoWorker(): DisposableEndpoint {
	return new Worker(new URL('./crypto.worker.ts', import.meta.url), {
		type: 'module',
		name: 'ferry-key-derivation'
	});
}

/**
 * Opens reports (the /report page), with their key derivations (Argon2id) off the main thread.
 * Unlike the parse worker, no worker lives on between calls: each derivation gets a fresh one, terminated as soon as it answers, fails
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

	#derive(
		password: string,
		salt: Uint8Array,
		opsLimit: number,
		memLimit: number,
		signal: AbortSignal | undefined
	): Promise<Uint8Array> {
		return withDisposableWorker<CryptoWorkerApi, Uint8Array>(
			this.#spawn,
			signal,
			'The key derivation worker failed; reload the page and try again.',
			(remote) => remote.derive(password, salt, opsLimit, memLimit)
		);
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
