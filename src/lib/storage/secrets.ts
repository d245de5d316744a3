/**
 * Secrets at rest: AES-GCM under a device key, a non-extractable CryptoKey generated once per
 * browser and kept in IndexedDB (structured clone keeps it non-extractable), so a secret's plaintext
 * is written nowhere: not in localStorage, not in IndexedDB. It guards against the secret being read
 * as text (a storage dump, a copied profile folder searched for it), not against code running in
 * this origin, which can ask the browser to decrypt with the key as this module does.
 */
import { getDatabase, type FerryDatabase } from './db';

/** The destination's bearer token (settings page). */
export const DESTINATION_TOKEN = 'destination-token';

const DEVICE_KEY = 'device';
const IV_BYTES = 12;

/** The device key, generated and stored on first use; two tabs racing keep the first one stored. */
async function deviceKey(db: FerryDatabase): Promise<CryptoKey> {
	const stored = await db.keys.get(DEVICE_KEY);
	if (stored) return stored.key;
	const fresh = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
		'encrypt',
		'decrypt'
	]);
	return db.transaction('rw', db.keys, async () => {
		const raced = await db.keys.get(DEVICE_KEY);
		if (raced) return raced.key;
		await db.keys.add({ name: DEVICE_KEY, key: fresh });
		return fresh;
	});
}

/** The secret's name is the additional data: a ciphertext moved to another name does not decrypt. */
function params(name: string, iv: Uint8Array<ArrayBuffer>): AesGcmParams {
	return { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(name) };
}

/** Stores `value` encrypted under `name`, replacing what was there. */
export async function writeSecret(
	name: string,
	value: string,
	db: FerryDatabase = getDatabase()
): Promise<void> {
	const key = await deviceKey(db);
	const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
	const ciphertext = await crypto.subtle.encrypt(
		params(name, iv),
		key,
		new TextEncoder().encode(value)
	);
	await db.secrets.put({ name, iv, ciphertext });
}

/** The secret stored under `name`, or null when there is none or it no longer decrypts. */
export async function readSecret(
	name: string,
	db: FerryDatabase = getDatabase()
): Promise<string | null> {
	const stored = await db.secrets.get(name);
	if (!stored) return null;
	try {
		const plain = await crypto.subtle.decrypt(
			params(name, stored.iv),
			await deviceKey(db),
			stored.ciphertext
		);
		return new TextDecoder().decode(plain);
	} catch {
		// Not what this key wrote (a record copied from another browser): as if never stored.
		return null;
	}
}

/**
 * The destination token on the first load of the settings: one that an earlier Ferry kept in
 * localStorage (`legacy`) is stored encrypted first, then `forgetLegacy` removes it there, so it
 * is in one place or the other at every moment; otherwise the stored one, or null when none was ever stored.
 */
export async function loadDestinationToken(
	legacy: string | null,
	forgetLegacy: () => void,
	db: FerryDatabase = getDatabase()
): Promise<string | null> {
	if (legacy === null) return readSecret(DESTINATION_TOKEN, db);
	await writeSecret(DESTINATION_TOKEN, legacy, db);
	forgetLegacy();
	return legacy;
}
