/**
 * One hash, several spellings. A destination that takes a hash written only one way still takes
 * the user's hash written another way when the two verify the same passwords, so nobody has to
 * reset a password over a spelling (credentialTakenBy in profiles/rules.ts):
 * - pbkdf2: Django's `pbkdf2_sha256$…`, passlib's `$pbkdf2-sha256$29000$…` and Keycloak's and
 *   Firebase's hash and salt kept apart hold the same digest, iteration count, salt bytes and
 *   derived key as the PHC string Auth0 takes;
 * - bcrypt: `$2b$` and `$2y$` name the same algorithm as `$2a$` does in an implementation without
 *   the bugs those letters were introduced to mark, such as Go's, which reads the letter and
 *   ignores it (Hanko verifies with it and imports `$2a$` strings only).
 */
import { base64nopad } from '@scure/base';
import { decode, phcSaltAndHash } from '../convert/hashes';
import type { Credential } from './credential';

/**
 * The salt and derived key of a pbkdf2 credential as bytes, whichever way it is written (the
 * Firebase target writes them too); null when the hash and salt are kept apart and there is no salt.
 */
export function pbkdf2SaltAndKey(
	credential: Credential
): { salt: Uint8Array; key: Uint8Array } | null {
	const format = credential.params?.format;
	if (format === 'django') {
		// pbkdf2_<digest>$<iterations>$<salt as text>$<base64 key>: the salt's bytes are its text.
		const [, , salt, key] = credential.hash.split('$');
		return { salt: decode(salt), key: decode(key, 'base64') };
	}
	if (format === 'phc' || format === 'passlib') {
		// B64, passlib's '.' for '+' included.
		const { salt, hash } = phcSaltAndHash(credential);
		return { salt: decode(salt, 'base64'), key: decode(hash, 'base64') };
	}
	// Hash and salt kept apart (Keycloak, Firebase).
	if (credential.salt === undefined) return null;
	return {
		salt: decode(credential.salt, credential.salt_encoding ?? 'utf8'),
		key: decode(credential.hash, credential.encoding ?? 'base64')
	};
}

/**
 * The credential as a PHC string with its iteration count and key length written out
 * (`$pbkdf2-<digest>$i=<iterations>,l=<key bytes>$<B64 salt>$<B64 key>`, B64 being base64 without
 * padding), which verifies the same passwords; the credential itself when it is one already, null
 * when it is not pbkdf2 or lacks its digest, iteration count or salt.
 */
export function pbkdf2AsPhc(credential: Credential): Credential | null {
	const { algorithm, params = {} } = credential;
	if (algorithm !== 'pbkdf2') return null;
	if (params.format === 'phc') return credential;
	const { digest, iterations } = params;
	if (typeof digest !== 'string' || typeof iterations !== 'number') return null;
	const bytes = pbkdf2SaltAndKey(credential);
	if (!bytes || bytes.salt.length === 0 || bytes.key.length === 0) return null;
	const { salt, key } = bytes;
	return {
		algorithm,
		hash: `$pbkdf2-${digest}$i=${iterations},l=${key.length}$${base64nopad.encode(salt)}$${base64nopad.encode(key)}`,
		params: { digest, iterations, keylen: key.length, format: 'phc' }
	};
}

/**
 * A `$2b$` or `$2y$` bcrypt string as `$2a$` (cost, salt and hash unchanged); null for any other
 * credential, one with a salt of its own among them.
 */
export function bcryptAs2a(credential: Credential): Credential | null {
	const { algorithm, params = {} } = credential;
	if (algorithm !== 'bcrypt' || credential.salt !== undefined) return null;
	if (params.variant !== '2b' && params.variant !== '2y') return null;
	return {
		algorithm,
		hash: `$2a$${credential.hash.slice('$2b$'.length)}`,
		params: { ...params, variant: '2a' }
	};
}

/** The other spellings of this credential's hash, each verifying the same passwords. */
export function respellings(credential: Credential): Credential[] {
	return [pbkdf2AsPhc(credential), bcryptAs2a(credential)].filter(
		(respelled): respelled is Credential => respelled !== null && respelled !== credential
	);
}
