/**
 * Firebase password hashes read into credentials with the hash config `firebase auth:import` is
 * given (docs/platform-formats.md §3.2; firebase-tools src/accountImporter.ts
 * `validateRequiredParameters`, src/commands/auth-import.ts). Firebase's own export holds only its
 * modified SCRYPT, whose parameters come from the console; a file written for `auth:import` (by
 * Ferry's firebase target) holds any of its algorithms, with the flags in `hash-flags.txt`.
 */
import { decode } from '../convert/hashes';
import {
	DIGEST_BYTES,
	decodedLength,
	isPositiveInteger,
	type Credential,
	type CredentialParams,
	type CredentialResult
} from './credential';
import { recogniseHash } from './hash-shapes';

/** The `--hash-algo` values auth:import takes (it upper-cases what it is given). */
export const FIREBASE_HASH_ALGORITHMS = [
	'SCRYPT',
	'STANDARD_SCRYPT',
	'BCRYPT',
	'HMAC_SHA512',
	'HMAC_SHA256',
	'HMAC_SHA1',
	'HMAC_MD5',
	'MD5',
	'SHA1',
	'SHA256',
	'SHA512',
	'PBKDF_SHA1',
	'PBKDF2_SHA256'
] as const;

export type FirebaseHashAlgorithm = (typeof FIREBASE_HASH_ALGORITHMS)[number];

/** `--hash-input-order`: where the salt goes for the digests and HMACs. */
export const HASH_INPUT_ORDERS = ['SALT_FIRST', 'PASSWORD_FIRST'] as const;

/**
 * A hash config as auth:import takes it, base64 strings as the console and the flags write them.
 * Only the options of its algorithm count; auth:import ignores the others.
 */
export interface FirebaseHashConfig {
	algorithm: string;
	/** `--hash-key`: SCRYPT's `base64_signer_key`, or the HMAC key. */
	signerKey?: string;
	/** `--salt-separator` (SCRYPT): `base64_salt_separator`. */
	saltSeparator?: string;
	rounds?: number;
	/** SCRYPT's memory cost (1–14), or STANDARD_SCRYPT's CPU/memory cost N. */
	memCost?: number;
	parallelization?: number;
	blockSize?: number;
	dkLen?: number;
	hashInputOrder?: string;
}

/** Each config key's auth:import flag: what the firebase writer writes and the parser reads. */
export const FIREBASE_FLAGS = {
	algorithm: '--hash-algo',
	signerKey: '--hash-key',
	saltSeparator: '--salt-separator',
	rounds: '--rounds',
	memCost: '--mem-cost',
	parallelization: '--parallelization',
	blockSize: '--block-size',
	dkLen: '--dk-len',
	hashInputOrder: '--hash-input-order'
} as const satisfies Record<keyof FirebaseHashConfig, `--${string}`>;

/** The keys whose values are whole numbers (the others are text). */
export const FIREBASE_NUMBER_KEYS: readonly (keyof FirebaseHashConfig)[] = [
	'rounds',
	'memCost',
	'parallelization',
	'blockSize',
	'dkLen'
];

/** The auth:import flags of a config, in FIREBASE_FLAGS order. */
export function firebaseFlags(config: FirebaseHashConfig): string[] {
	return (Object.keys(FIREBASE_FLAGS) as (keyof FirebaseHashConfig)[])
		.filter((key) => config[key] !== undefined)
		.map((key) => `${FIREBASE_FLAGS[key]}=${config[key]}`);
}

function isFirebaseAlgorithm(value: string): value is FirebaseHashAlgorithm {
	return (FIREBASE_HASH_ALGORITHMS as readonly string[]).includes(value);
}

function inRange(value: unknown, low: number, high: number): boolean {
	return Number.isSafeInteger(value) && (value as number) >= low && (value as number) <= high;
}

const isBase64 = (value: string | undefined) =>
	value !== undefined && value !== '' && decodedLength(value, 'base64') !== null;

/** The digest an algorithm name ends with (`HMAC_SHA256` → sha256, `PBKDF2_SHA256` → sha256). */
const digestOf = (algorithm: string) => algorithm.split('_').pop()!.toLowerCase();

/**
 * Why the config cannot read hashes, or null when it can: auth:import's own checks of each
 * algorithm's options, then what Ferry's credentials cannot carry (iterated digests).
 */
export function firebaseConfigProblem(config: FirebaseHashConfig): string | null {
	const { algorithm, rounds } = config;
	if (!algorithm) return 'The Firebase hash config needs an algorithm (--hash-algo).';
	if (!isFirebaseAlgorithm(algorithm))
		return `Firebase's auth:import has no hash algorithm ${JSON.stringify(algorithm)}; it takes ${FIREBASE_HASH_ALGORITHMS.join(', ')}.`;
	if (
		config.hashInputOrder !== undefined &&
		!(HASH_INPUT_ORDERS as readonly string[]).includes(config.hashInputOrder)
	)
		return `The hash input order is ${HASH_INPUT_ORDERS.join(' or ')}.`;
	switch (algorithm) {
		case 'SCRYPT':
			if (!isBase64(config.signerKey))
				return 'The Firebase hash config needs the signer key, in base64.';
			if (
				config.saltSeparator !== undefined &&
				decodedLength(config.saltSeparator, 'base64') === null
			)
				return 'The Firebase salt separator is not base64.';
			if (!inRange(rounds, 1, 8)) return 'The Firebase hash config needs rounds from 1 to 8.';
			if (!inRange(config.memCost, 1, 14))
				return 'The Firebase hash config needs a memory cost from 1 to 14.';
			return null;
		case 'STANDARD_SCRYPT': {
			const cost = config.memCost;
			if (!isPositiveInteger(cost) || cost < 2 || (cost & (cost - 1)) !== 0)
				return 'STANDARD_SCRYPT needs the CPU/memory cost (--mem-cost), a power of two above one.';
			for (const key of ['parallelization', 'blockSize', 'dkLen'] as const)
				if (!isPositiveInteger(config[key]))
					return `STANDARD_SCRYPT needs ${FIREBASE_FLAGS[key]}, a whole number above zero.`;
			return null;
		}
		case 'BCRYPT':
			return null;
		case 'MD5':
		case 'SHA1':
		case 'SHA256':
		case 'SHA512': {
			const low = algorithm === 'MD5' ? 0 : 1;
			if (!inRange(rounds, low, 8192)) return `${algorithm} needs rounds from ${low} to 8192.`;
			if (rounds !== 1)
				return `Ferry reads ${algorithm} hashes of one round only (--rounds=1); this config says ${rounds}.`;
			return null;
		}
		case 'PBKDF_SHA1':
		case 'PBKDF2_SHA256':
			if (!inRange(rounds, 0, 120_000)) return `${algorithm} needs rounds from 0 to 120000.`;
			if (rounds === 0) return `${algorithm} of 0 rounds is no PBKDF2 hash Ferry can read.`;
			return null;
		default:
			// The HMACs.
			return isBase64(config.signerKey) ? null : `${algorithm} needs the hash key, in base64.`;
	}
}

/** The salt as the credential carries it, with its position from `--hash-input-order`. */
function saltOf(salt: string, config: FirebaseHashConfig): Partial<Credential> {
	if (salt === '') return {};
	const position =
		config.hashInputOrder === 'PASSWORD_FIRST'
			? 'suffix'
			: config.hashInputOrder === 'SALT_FIRST'
				? 'prefix'
				: undefined;
	return { salt, salt_encoding: 'base64', ...(position ? { salt_position: position } : {}) };
}

/** A base64 hash of `algorithm` with its salt and params. */
function fromBase64(
	algorithm: Credential['algorithm'],
	passwordHash: string,
	salt: Partial<Credential>,
	params?: CredentialParams
): CredentialResult {
	const credential: Credential = { algorithm, hash: passwordHash, encoding: 'base64', ...salt };
	if (params) credential.params = params;
	return { credential };
}

/**
 * A user's `passwordHash` and `salt` (base64) read with the hash config, as the credential Ferry's
 * other readers give for the same hash (Auth0's custom_password_hash, Keycloak's pbkdf2). Null when
 * the user has no password hash (social-only users, users Firebase did not hash with its default).
 */
export function credentialFromFirebase(
	passwordHash: string,
	salt: string,
	config: FirebaseHashConfig
): CredentialResult | null {
	if (passwordHash.trim() === '') return null;
	const problem = firebaseConfigProblem(config);
	if (problem) return { error: problem };
	const bytes = decodedLength(passwordHash, 'base64');
	if (!bytes) return { error: 'The Firebase passwordHash is not base64.' };
	const algorithm = config.algorithm as FirebaseHashAlgorithm;
	if (algorithm === 'BCRYPT') {
		// The hash is the bcrypt string itself, base64-encoded; bcrypt carries its own salt.
		const text = new TextDecoder().decode(decode(passwordHash, 'base64'));
		const recognised = recogniseHash(text);
		if ('error' in recognised || recognised.credential.algorithm !== 'bcrypt')
			return { error: 'A BCRYPT passwordHash is a bcrypt string in base64; this one is not.' };
		return recognised;
	}
	if (salt !== '' && !decodedLength(salt, 'base64'))
		return { error: 'The Firebase salt is not base64.' };
	const needsSalt = ['SCRYPT', 'STANDARD_SCRYPT', 'PBKDF_SHA1', 'PBKDF2_SHA256'];
	if (salt === '' && needsSalt.includes(algorithm))
		return { error: 'The Firebase salt is missing or not base64.' };
	const digest = digestOf(algorithm);
	switch (algorithm) {
		case 'SCRYPT': {
			const params: CredentialParams = {
				rounds: config.rounds!,
				memCost: config.memCost!,
				signerKey: config.signerKey!
			};
			if (config.saltSeparator !== undefined) params.saltSeparator = config.saltSeparator;
			return fromBase64('firebase-scrypt', passwordHash, { salt, salt_encoding: 'base64' }, params);
		}
		case 'STANDARD_SCRYPT':
			if (bytes !== config.dkLen)
				return { error: `The scrypt hash is ${bytes} bytes but --dk-len is ${config.dkLen}.` };
			// Named as Auth0's scrypt names them.
			return fromBase64(
				'scrypt',
				passwordHash,
				{ salt, salt_encoding: 'base64' },
				{
					keylen: config.dkLen,
					cost: config.memCost!,
					blockSize: config.blockSize!,
					parallelization: config.parallelization!
				}
			);
		case 'PBKDF_SHA1':
		case 'PBKDF2_SHA256':
			// As Keycloak's pbkdf2 reads: hash and salt apart, the key length from the hash.
			return fromBase64(
				'pbkdf2',
				passwordHash,
				{ salt, salt_encoding: 'base64' },
				{
					iterations: config.rounds!,
					digest,
					keylen: bytes
				}
			);
		case 'MD5':
		case 'SHA1':
		case 'SHA256':
		case 'SHA512':
			if (bytes !== DIGEST_BYTES[digest])
				return {
					error: `A ${digest} hash is ${DIGEST_BYTES[digest]} bytes; this one holds ${bytes}.`
				};
			return fromBase64(digest as Credential['algorithm'], passwordHash, saltOf(salt, config));
		default:
			if (bytes !== DIGEST_BYTES[digest])
				return {
					error: `An HMAC-${digest} is ${DIGEST_BYTES[digest]} bytes; this one holds ${bytes}.`
				};
			// Named as Auth0's hmac names them.
			return fromBase64('hmac', passwordHash, saltOf(salt, config), {
				digest,
				key: config.signerKey!,
				keyEncoding: 'base64'
			});
	}
}

/** What a `firebase auth:import` command line says: the file it imports and its hash config. */
export interface FirebaseImportCommand {
	/** The ACCOUNT_FILE after `auth:import`, or null when only the flags were given. */
	file: string | null;
	config: FirebaseHashConfig;
}

const FLAG_KEYS = new Map(
	(Object.entries(FIREBASE_FLAGS) as [keyof FirebaseHashConfig, string][]).map(([key, flag]) => [
		flag,
		key
	])
);

/** A word without the quotes a shell would take off (`'…'`, `"…"`). */
const unquoted = (word: string) => word.replace(/^(['"])(.*)\1$/s, '$2');

/**
 * A `firebase auth:import FILE --hash-algo=… …` command line, or its flags alone, read into a hash
 * config (checked as firebaseConfigProblem checks it). Flags are `--flag=value` or `--flag value`;
 * any word before `auth:import` (`firebase`, `npx firebase-tools`) is the program. No message quotes
 * a value: the hash key is a secret.
 */
export function firebaseConfigFromFlags(text: string): FirebaseImportCommand | { error: string } {
	const line = text.replace(/\\\r?\n/g, ' ').trim();
	if (line === '')
		return { error: 'Give a firebase auth:import command or its --hash-algo flags.' };
	if (/[\r\n]/.test(line)) return { error: 'Give one auth:import command, on one line.' };
	let words = line.split(/\s+/);
	let file: string | null = null;
	const command = words.indexOf('auth:import');
	if (command >= 0) {
		words = words.slice(command + 1);
		if (words[0] !== undefined && !words[0].startsWith('-')) file = unquoted(words.shift()!);
	}
	const config: Partial<Record<keyof FirebaseHashConfig, string | number>> = {};
	for (let index = 0; index < words.length; index++) {
		const word = words[index];
		const equals = word.indexOf('=');
		const flag = equals > 0 ? word.slice(0, equals) : word;
		const key = FLAG_KEYS.get(flag);
		if (!key)
			return {
				error: flag.startsWith('-')
					? `auth:import has no hash flag ${flag}; the flags are ${[...FLAG_KEYS.keys()].join(', ')}.`
					: `Word ${index + 1} of the flags is neither a flag nor a flag's value.`
			};
		if (config[key] !== undefined) return { error: `${flag} is given twice.` };
		const value = unquoted(equals > 0 ? word.slice(equals + 1) : (words[++index] ?? ''));
		if (value === '' || (equals < 0 && value.startsWith('--')))
			return { error: `${flag} needs a value.` };
		if (FIREBASE_NUMBER_KEYS.includes(key)) {
			if (!/^[0-9]{1,9}$/.test(value)) return { error: `${flag} takes a whole number.` };
			config[key] = Number(value);
		} else
			config[key] = key === 'algorithm' || key === 'hashInputOrder' ? value.toUpperCase() : value;
	}
	if (config.algorithm === undefined)
		return {
			error: 'The command has no --hash-algo: auth:import would import no password with it.'
		};
	const parsed = config as unknown as FirebaseHashConfig;
	const problem = firebaseConfigProblem(parsed);
	return problem ? { error: problem } : { file, config: parsed };
}
