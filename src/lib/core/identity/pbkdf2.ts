/**
 * One pbkdf2 hash, many spellings: Django's `pbkdf2_sha256$…`, passlib's `$pbkdf2-sha256$29000$…`,
 * Keycloak's and Firebase's hash and salt kept apart, and the PHC string Auth0 takes. They hold the
 * same digest, iteration count, salt bytes and derived key, so one spelling becomes another with no
 * password reset (a destination that takes only PHC strings still takes the user's hash).
 */
import { base64nopad } from '@scure/base';
import { decode } from '../convert/hashes';
import type { Credential } from './credential';

/** The salt and derived key of a pbkdf2 credential as bytes, or null when it lacks one of them. */
function saltAndKey(credential: Credential): { salt: Uint8Array; key: Uint8Array } | null {
	const format = credential.params?.format;
	if (format === 'django') {
		// pbkdf2_<digest>$<iterations>$<salt as text>$<base64 key>: the salt's bytes are its text.
		const [, , salt, key] = credential.hash.split('$');
		return { salt: decode(salt), key: decode(key, 'base64') };
	}
	if (format === 'phc' || format === 'passlib') {
		// $pbkdf2-<digest>$<params>$<salt>$<key>, B64 (passlib's '.' for '+' included).
		const parts = credential.hash.split('$');
		return {
			salt: decode(parts[parts.length - 2], 'base64'),
			key: decode(parts[parts.length - 1], 'base64')
		};
	}
	if (format !== undefined || credential.salt === undefined) return null;
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
	const bytes = saltAndKey(credential);
	if (!bytes || bytes.salt.length === 0 || bytes.key.length === 0) return null;
	const { salt, key } = bytes;
	return {
		algorithm,
		hash: `$pbkdf2-${digest}$i=${iterations},l=${key.length}$${base64nopad.encode(salt)}$${base64nopad.encode(key)}`,
		params: { digest, iterations, keylen: key.length, format: 'phc' }
	};
}
