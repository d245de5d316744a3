/**
 * Auth0's bulk-import password fields read into credentials, validated per algorithm as Auth0
 * documents them (docs/platform-formats.md §1.2, from auth0/docs-v2 bulk-user-import-schema.mdx):
 * `password_hash` (a bcrypt string) and `custom_password_hash` in its current nested shape.
 */
import {
	DIGEST_BYTES,
	ENCODINGS,
	decodedLength,
	isPositiveInteger,
	isRecord,
	type Credential,
	type CredentialParams,
	type CredentialResult,
	type Encoding
} from './credential';
import { recogniseHash } from './hash-shapes';

/** The algorithms `custom_password_hash.algorithm` takes. */
export const AUTH0_ALGORITHMS = [
	'argon2',
	'bcrypt',
	'hmac',
	'ldap',
	'md4',
	'md5',
	'sha1',
	'sha256',
	'sha512',
	'pbkdf2',
	'scrypt'
] as const;

type Auth0Algorithm = (typeof AUTH0_ALGORITHMS)[number];

export const AUTH0_HMAC_DIGESTS = [
	'md4',
	'md5',
	'ripemd160',
	'sha1',
	'sha224',
	'sha256',
	'sha384',
	'sha512',
	'whirlpool'
] as const;

const PASSWORD_ENCODINGS = ['ascii', 'utf8', 'utf16le', 'ucs2', 'latin1', 'binary'];
const TOP_LEVEL_KEYS = [
	'algorithm',
	'hash',
	'salt',
	'password',
	'keylen',
	'cost',
	'blockSize',
	'parallelization'
];
/** LDAP schemes Auth0 verifies (md5, smd5, sha*, ssha*); `{CRYPT}` is expressly not one. */
export const AUTH0_LDAP_SCHEMES = [
	'MD5',
	'SMD5',
	'SHA',
	'SSHA',
	'SHA256',
	'SSHA256',
	'SHA384',
	'SSHA384',
	'SHA512',
	'SSHA512'
] as const;

/** Hash encodings each algorithm allows; absent means utf8 (Auth0's own bcrypt example omits it). */
const HASH_ENCODINGS: Record<Auth0Algorithm, readonly Encoding[]> = {
	argon2: ['utf8'],
	bcrypt: ['utf8'],
	ldap: ['utf8'],
	pbkdf2: ['utf8'],
	hmac: ['hex', 'base64'],
	md4: ['hex', 'base64'],
	md5: ['hex', 'base64'],
	sha1: ['hex', 'base64'],
	sha256: ['hex', 'base64'],
	sha512: ['hex', 'base64'],
	scrypt: ['hex', 'base64']
};
/** The algorithms whose salt is embedded in the hash string, so a `salt` object is refused. */
const EMBEDDED_SALT: readonly Auth0Algorithm[] = ['argon2', 'ldap', 'pbkdf2'];

type Checked<T> = T | { error: string };

function isError<T>(value: Checked<T>): value is { error: string } {
	return isRecord(value) && typeof value.error === 'string';
}

function oneOf<T extends string>(
	what: string,
	value: unknown,
	allowed: readonly T[]
): Checked<T | undefined> {
	if (value === undefined) return undefined;
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
		return value as T;
	return { error: `${what} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}.` };
}

/** `{value, encoding?}` objects (the salt and the HMAC key), with their encoding checked. */
function encodedValue(
	what: string,
	value: unknown,
	extraKeys: readonly string[] = []
): Checked<{ value: string; encoding?: Encoding }> {
	if (!isRecord(value)) return { error: `${what} must be an object with a value.` };
	const stray = Object.keys(value).find(
		(key) => !['value', 'encoding', ...extraKeys].includes(key)
	);
	if (stray) return { error: `${what} has an unknown property "${stray}".` };
	if (typeof value.value !== 'string' || value.value === '')
		return { error: `${what}.value must be a non-empty string.` };
	const encoding = oneOf(`${what}.encoding`, value.encoding, ENCODINGS);
	if (isError(encoding)) return encoding;
	if (encoding && decodedLength(value.value, encoding) === null)
		return { error: `${what}.value is not valid ${encoding}.` };
	return encoding ? { value: value.value, encoding } : { value: value.value };
}

/** The algorithm-specific checks of the hash value and of the fields only some algorithms take. */
function checkAlgorithm(
	algorithm: Auth0Algorithm,
	input: Record<string, unknown>,
	hash: string,
	encoding: Encoding
): Checked<CredentialParams> {
	if (algorithm in DIGEST_BYTES) {
		const bytes = decodedLength(hash, encoding);
		if (bytes !== DIGEST_BYTES[algorithm])
			return {
				error: `A ${algorithm} hash is ${DIGEST_BYTES[algorithm]} bytes; this ${encoding} value ${bytes === null ? 'does not decode' : `holds ${bytes}`}.`
			};
		return {};
	}
	if (algorithm === 'scrypt') return scryptParams(input, hash, encoding);
	if (algorithm === 'hmac')
		return hmacParams(input.hash as Record<string, unknown>, hash, encoding);
	const recognised = recogniseHash(hash);
	if ('error' in recognised) return recognised;
	const { algorithm: found, params = {} } = recognised.credential;
	if (found !== algorithm)
		return { error: `The hash value is not a ${algorithm} string (it looks like ${found}).` };
	if (
		algorithm === 'ldap' &&
		!(AUTH0_LDAP_SCHEMES as readonly string[]).includes(String(params.scheme))
	)
		return { error: `Auth0 does not take the LDAP scheme {${params.scheme}}.` };
	if (algorithm === 'pbkdf2' && params.format !== 'phc')
		return { error: 'Auth0 takes pbkdf2 as a PHC string: $pbkdf2-<digest>$i=…,l=…$salt$hash.' };
	return params;
}

function scryptParams(
	input: Record<string, unknown>,
	hash: string,
	encoding: Encoding
): Checked<CredentialParams> {
	const { keylen, cost = 16384, blockSize = 8, parallelization = 1 } = input;
	if (!isPositiveInteger(keylen)) return { error: 'scrypt needs keylen, an integer above zero.' };
	if (!isPositiveInteger(cost) || cost < 2 || (cost & (cost - 1)) !== 0)
		return { error: `scrypt cost must be a power of two above one, not ${JSON.stringify(cost)}.` };
	if (!isPositiveInteger(blockSize))
		return { error: 'scrypt blockSize must be an integer above zero.' };
	if (!isPositiveInteger(parallelization))
		return { error: 'scrypt parallelization must be an integer above zero.' };
	const bytes = decodedLength(hash, encoding);
	if (bytes !== keylen)
		return {
			error: `The scrypt hash is ${bytes === null ? `not valid ${encoding}` : `${bytes} bytes`} but keylen is ${keylen}.`
		};
	return { keylen, cost, blockSize, parallelization };
}

function hmacParams(
	hashObject: Record<string, unknown>,
	hash: string,
	encoding: Encoding
): Checked<CredentialParams> {
	if (hashObject.digest === undefined) return { error: 'hmac needs hash.digest.' };
	const digest = oneOf('hash.digest', hashObject.digest, AUTH0_HMAC_DIGESTS);
	if (isError(digest)) return digest;
	if (hashObject.key === undefined) return { error: 'hmac needs hash.key with its value.' };
	const key = encodedValue('hash.key', hashObject.key);
	if (isError(key)) return key;
	const bytes = DIGEST_BYTES[digest!];
	if (bytes !== undefined && decodedLength(hash, encoding) !== bytes)
		return { error: `An HMAC-${digest} is ${bytes} bytes; this ${encoding} value is not.` };
	return { digest: digest!, key: key.value, keyEncoding: key.encoding ?? 'utf8' };
}

/**
 * `custom_password_hash` as Auth0 documents it:
 * `{algorithm, hash: {value, encoding?, digest?, key?}, salt?: {value, position?, encoding?},
 * password?: {encoding}, keylen?, cost?, blockSize?, parallelization?}`.
 */
export function credentialFromAuth0(input: unknown): CredentialResult {
	if (!isRecord(input)) return { error: 'custom_password_hash must be an object.' };
	const stray = Object.keys(input).find((key) => !TOP_LEVEL_KEYS.includes(key));
	if (stray) return { error: `custom_password_hash has an unknown property "${stray}".` };
	if (input.algorithm === undefined) return { error: 'custom_password_hash needs an algorithm.' };
	const algorithm = oneOf('algorithm', input.algorithm, AUTH0_ALGORITHMS);
	if (isError(algorithm)) return algorithm;
	const hashObject = input.hash;
	if (!isRecord(hashObject))
		return { error: 'custom_password_hash needs a hash object with a value.' };
	// The encoding the algorithm allows is checked before the value is decoded in it.
	const written = oneOf('hash.encoding', hashObject.encoding, ENCODINGS);
	if (isError(written)) return written;
	const encoding = written ?? 'utf8';
	if (!HASH_ENCODINGS[algorithm!].includes(encoding))
		return {
			error: `For ${algorithm}, hash.encoding must be ${HASH_ENCODINGS[algorithm!].join(' or ')}${written ? `, not ${written}` : ''}.`
		};
	const hash = encodedValue('hash', hashObject, ['digest', 'key']);
	if (isError(hash)) return hash;
	const credential: Credential = { algorithm: algorithm!, hash: hash.value };
	if (hash.encoding) credential.encoding = hash.encoding;
	if (input.salt !== undefined) {
		if (EMBEDDED_SALT.includes(algorithm!))
			return {
				error: `${algorithm} carries its salt inside the hash; a salt object is not allowed.`
			};
		const salt = encodedValue('salt', input.salt, ['position']);
		if (isError(salt)) return salt;
		const position = oneOf('salt.position', (input.salt as Record<string, unknown>).position, [
			'prefix',
			'suffix'
		] as const);
		if (isError(position)) return position;
		credential.salt = salt.value;
		credential.salt_encoding = salt.encoding ?? 'utf8';
		credential.salt_position = position ?? 'prefix';
	}
	const params = checkAlgorithm(algorithm!, input, hash.value, encoding);
	if (isError(params)) return params;
	if (input.password !== undefined) {
		if (!isRecord(input.password)) return { error: 'password must be an object with an encoding.' };
		const passwordEncoding = oneOf(
			'password.encoding',
			input.password.encoding,
			PASSWORD_ENCODINGS
		);
		if (isError(passwordEncoding)) return passwordEncoding;
		if (passwordEncoding) params.passwordEncoding = passwordEncoding;
	}
	if (Object.keys(params).length > 0) credential.params = params;
	return { credential };
}

/** Auth0's `password_hash`: a bcrypt string, nothing else. */
export function credentialFromAuth0PasswordHash(value: unknown): CredentialResult {
	if (typeof value !== 'string') return { error: 'password_hash must be a bcrypt string.' };
	const recognised = recogniseHash(value);
	if ('error' in recognised) return recognised;
	const { algorithm } = recognised.credential;
	if (algorithm !== 'bcrypt')
		return {
			error: `password_hash holds bcrypt only; this ${algorithm === 'unknown' ? 'is not a bcrypt string' : `looks like ${algorithm}`}.`
		};
	return recognised;
}
