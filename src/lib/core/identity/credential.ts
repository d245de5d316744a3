/**
 * A password credential as the canonical record carries it (DESIGN.md "A faithful user"): the hash
 * with what is needed to verify it, so a migration never has to flatten it to a string and lose
 * the salt or the parameters. Algorithms are named as Auth0 names them where it does.
 */

export const ALGORITHMS = [
	'bcrypt',
	'argon2',
	'scrypt',
	'firebase-scrypt',
	'pbkdf2',
	'md4',
	'md5',
	'sha1',
	'sha256',
	'sha512',
	'ldap',
	'hmac',
	'unknown'
] as const;

export type Algorithm = (typeof ALGORITHMS)[number];

export const ENCODINGS = ['utf8', 'hex', 'base64'] as const;

/** How the bytes of a hash, salt or key are written as text. */
export type Encoding = (typeof ENCODINGS)[number];

export type SaltPosition = 'prefix' | 'suffix';

/**
 * Algorithm parameters, named as Auth0 names them where it does: bcrypt `cost` and `variant`;
 * argon2 `variant`, `version`, `memory`, `iterations`, `parallelism`; pbkdf2 `digest`,
 * `iterations`, `keylen`, `format`; scrypt `keylen`, `cost`, `blockSize`, `parallelization`;
 * firebase-scrypt `rounds`, `memCost`, `saltSeparator`, `signerKey`; ldap `scheme`; hmac `digest`,
 * `key`, `keyEncoding`. The secret ones are listed in SECRET_PARAMS.
 */
export type CredentialParams = Record<string, string | number>;

/** Params that are secrets and are masked like the hash (an HMAC key, Firebase's signer key). */
export const SECRET_PARAMS: readonly string[] = ['key', 'signerKey'];

export interface Credential {
	algorithm: Algorithm;
	hash: string;
	/** How `hash` is written; absent for self-describing strings (bcrypt, PHC, LDAP): utf8. */
	encoding?: Encoding;
	salt?: string;
	salt_encoding?: Encoding;
	salt_position?: SaltPosition;
	params?: CredentialParams;
	/** The algorithm was inferred from the length of a hex digest alone (md4 and md5 look alike). */
	guessed?: true;
}

/**
 * What reading a credential gives: the credential, or why the value is not a valid one of the
 * scheme it claims or looks like (the row code invalid_password_hash, with this reason).
 */
export type CredentialResult = { credential: Credential } | { error: string };

/** Bytes of the digest each plain hash algorithm produces. */
export const DIGEST_BYTES: Readonly<Record<string, number>> = {
	md4: 16,
	md5: 16,
	sha1: 20,
	sha224: 28,
	sha256: 32,
	sha384: 48,
	sha512: 64
};

const HEX = /^(?:[0-9a-f]{2})*$/i;
// Standard and URL-safe alphabets (Auth0 takes both), padding optional; passlib's "ab64" uses '.'.
const BASE64 = /^[A-Za-z0-9+/_.-]*$/;

/** Bytes that `value` holds in `encoding`, or null when it is not valid in that encoding. */
export function decodedLength(value: string, encoding: Encoding): number | null {
	if (encoding === 'utf8') return new TextEncoder().encode(value).length;
	if (encoding === 'hex') return HEX.test(value) ? value.length / 2 : null;
	const unpadded = value.replace(/={1,2}$/, '');
	if (!BASE64.test(unpadded) || unpadded.length % 4 === 1) return null;
	if (unpadded.length !== value.length && value.length % 4 !== 0) return null;
	return Math.floor((unpadded.length * 3) / 4);
}

/** A JSON object (not an array, not null): what structured credentials are read from. */
export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isPositiveInteger(value: unknown): value is number {
	return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** A decimal integer written as text ("310000"), as PHC and Django strings write them. */
export function parseCount(text: string): number | null {
	if (!/^[0-9]{1,10}$/.test(text)) return null;
	const count = Number(text);
	return count > 0 ? count : null;
}
