/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import './errors';

/*
 * Argon2id for report passwords, one derivation per worker: the client starts a fresh worker for
 * each derivation and terminates it right after, so the key and Argon2's memory leave with it.
 */

const api = {
	async derive(
		password: string,
		salt: Uint8Array,
		opsLimit: number,
		memLimit: number
	): Promise<Uint8Array> {
		// Loaded on first use: libsodium's sumo build (the one with crypto_pwhash) is large.
		const { deriveKeyInProcess } = await import('../core/report/cipher');
		const key = await deriveKeyInProcess(password, salt, opsLimit, memLimit);
		// Moved, not copied: no second copy of the key stays behind in this worker.
		return Comlink.transfer(key, [key.buffer]);
	}
};

export type CryptoWorkerApi = typeof api;

Comlink.expose(api);
