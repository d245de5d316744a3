/**
 * Firebase `auth:import` JSON (docs/platform-formats.md §3.2): `{"users": [...]}` with hashes and
 * salts in standard base64. Its flags name one hash algorithm and configuration per run, so users
 * are written to one file per configuration (`users.json`, `users-2.json`, …; users without a
 * password join the first), and `hash-flags.txt` beside them gives the command for each file.
 */
import type { Credential } from '../identity/credential';
import { firebaseFlags, type FirebaseHashConfig } from '../identity/firebase';
import { pbkdf2SaltAndKey } from '../identity/spellings';
import { PROFILES } from '../profiles/catalogue';
import { credentialTakenBy } from '../profiles/rules';
import type { FieldName } from '../types';
import type { CanonicalRecord } from '../validate/normalize';
import { asBase64, phcSaltAndHash, toBase64 } from './hashes';
import { numberedName, OutputFile } from './output';
import { chosenRecords, credentialOf, flag, instant, text } from './records';
import type { ConvertPiece, Target } from './types';

const PROFILE = PROFILES.firebase;

/** The providers `auth:import` takes in providerUserInfo, and the keys of an entry. */
const PROVIDERS = ['google.com', 'facebook.com', 'twitter.com', 'github.com'];
const PROVIDER_KEYS = ['providerId', 'rawId', 'email', 'displayName', 'photoUrl'];

/** `auth:import` reads PBKDF rounds up to this many. */
const MAX_PBKDF_ROUNDS = 120_000;

export interface FirebaseHash {
	passwordHash: string;
	salt?: string;
	/** The `auth:import` flags that verify it (firebaseFlags of its config): one set per file. */
	flags: string[];
}

type Written = Omit<FirebaseHash, 'flags'> & { config: FirebaseHashConfig };
/** Why auth:import cannot take a credential whose algorithm Firebase verifies. */
type Unwritable = { problem: string };

/** The salt's base64 and where it was put, as `--hash-input-order` says it. */
function saltOf(credential: Credential): { salt?: string; order?: { hashInputOrder: string } } {
	if (credential.salt === undefined) return {};
	return {
		salt: asBase64(credential.salt, credential.salt_encoding ?? 'utf8'),
		order: {
			hashInputOrder: credential.salt_position === 'suffix' ? 'PASSWORD_FIRST' : 'SALT_FIRST'
		}
	};
}

/** The hash and the hash config that verifies it, or why auth:import cannot express it. */
function writtenHash(credential: Credential): Written | Unwritable {
	const { algorithm, params = {} } = credential;
	switch (algorithm) {
		case 'firebase-scrypt': {
			const fromPhc = params.format === 'fbscrypt';
			if (!params.signerKey)
				return { problem: "its project's signer key is not known (read it with the hash config)" };
			if (!fromPhc && credential.salt === undefined) return { problem: 'it has no salt' };
			const parts = fromPhc
				? phcSaltAndHash(credential)
				: { hash: credential.hash, salt: credential.salt ?? '' };
			const config: FirebaseHashConfig = {
				algorithm: 'SCRYPT',
				signerKey: String(params.signerKey)
			};
			if (params.saltSeparator !== undefined) config.saltSeparator = String(params.saltSeparator);
			return {
				passwordHash: asBase64(parts.hash, 'base64'),
				salt: asBase64(parts.salt, 'base64'),
				config: { ...config, rounds: Number(params.rounds), memCost: Number(params.memCost) }
			};
		}
		case 'bcrypt':
			if (credential.salt !== undefined)
				return {
					problem: 'it has a salt of its own, which the bcrypt string of auth:import cannot add'
				};
			return { passwordHash: asBase64(credential.hash), config: { algorithm: 'BCRYPT' } };
		case 'md5':
		case 'sha1':
		case 'sha256':
		case 'sha512': {
			// Firebase hashes the password's UTF-8 bytes; no flag says another encoding.
			if (params.passwordEncoding !== undefined && params.passwordEncoding !== 'utf8')
				return {
					problem: `its password was hashed as ${String(params.passwordEncoding)} text, and Firebase hashes the password's UTF-8 bytes`
				};
			const { salt, order } = saltOf(credential);
			return {
				passwordHash: asBase64(credential.hash, credential.encoding ?? 'hex'),
				salt,
				config: { algorithm: algorithm.toUpperCase(), rounds: 1, ...order }
			};
		}
		case 'hmac': {
			const { salt, order } = saltOf(credential);
			const key = asBase64(
				String(params.key),
				(params.keyEncoding as Credential['encoding']) ?? 'utf8'
			);
			return {
				passwordHash: asBase64(credential.hash, credential.encoding ?? 'hex'),
				salt,
				config: {
					algorithm: `HMAC_${String(params.digest).toUpperCase()}`,
					signerKey: key,
					...order
				}
			};
		}
		case 'pbkdf2': {
			const rounds = Number(params.iterations);
			if (!Number.isSafeInteger(rounds) || rounds > MAX_PBKDF_ROUNDS)
				return {
					problem: `its ${rounds.toLocaleString('en')} rounds are more than the ${MAX_PBKDF_ROUNDS.toLocaleString('en')} auth:import takes`
				};
			const config = {
				algorithm: params.digest === 'sha1' ? 'PBKDF_SHA1' : 'PBKDF2_SHA256',
				rounds
			};
			const bytes = pbkdf2SaltAndKey(credential);
			if (!bytes) return { problem: 'it has no salt' };
			return { passwordHash: toBase64(bytes.key), salt: toBase64(bytes.salt), config };
		}
		case 'scrypt': {
			const phc = params.format === 'phc';
			const parts = phc ? phcSaltAndHash(credential) : null;
			if (!phc && credential.salt === undefined) return { problem: 'it has no salt' };
			return {
				passwordHash: parts
					? asBase64(parts.hash, 'base64')
					: asBase64(credential.hash, credential.encoding ?? 'hex'),
				salt: parts
					? asBase64(parts.salt, 'base64')
					: asBase64(credential.salt!, credential.salt_encoding ?? 'utf8'),
				config: {
					algorithm: 'STANDARD_SCRYPT',
					memCost: Number(params.cost ?? 16384),
					parallelization: Number(params.parallelization ?? 1),
					blockSize: Number(params.blockSize ?? 8),
					dkLen: Number(params.keylen)
				}
			};
		}
		default:
			return { problem: `auth:import has no --hash-algo for ${algorithm}` };
	}
}

/** The hash as `auth:import` takes it, or null when its flags cannot express this credential. */
export function firebaseHash(credential: Credential): FirebaseHash | null {
	const written = writtenHash(credential);
	if ('problem' in written) return null;
	const { config, ...hash } = written;
	return { ...hash, flags: firebaseFlags(config) };
}

/** Why auth:import cannot take this credential although Firebase verifies its algorithm, or null. */
function passwordProblem(credential: Credential): string | null {
	const written = writtenHash(credential);
	return 'problem' in written ? written.problem : null;
}

/** The hash written for this credential: Firebase verifies its algorithm and auth:import can say how. */
function keptHash(credential: Credential): FirebaseHash | null {
	const taken = credentialTakenBy(PROFILE, credential);
	return taken && firebaseHash(taken.credential);
}

const keepsPassword = (credential: Credential) => keptHash(credential) !== null;

/** Linked accounts as providerUserInfo, when every one is of a provider and shape Firebase takes. */
function providerUserInfo(identities: unknown): unknown[] | undefined {
	if (!Array.isArray(identities) || identities.length === 0) return undefined;
	const fits = identities.every(
		(entry) =>
			typeof entry === 'object' &&
			entry !== null &&
			PROVIDERS.includes((entry as Record<string, unknown>).providerId as string) &&
			Object.keys(entry).every((key) => PROVIDER_KEYS.includes(key))
	);
	return fits ? identities : undefined;
}

const epochMs = (iso: string) => String(Date.parse(instant(iso)));

/** One user as `auth:import` takes it, with its hash when Firebase can verify it. */
export function firebaseUser(record: CanonicalRecord): {
	user: Record<string, unknown>;
	hash: FirebaseHash | null;
} {
	const user: Record<string, unknown> = { localId: text(record, 'user_id') };
	const strings: [string, FieldName][] = [
		['email', 'email'],
		['displayName', 'name'],
		['photoUrl', 'picture'],
		['phoneNumber', 'phone_number']
	];
	for (const [key, field] of strings) if (text(record, field)) user[key] = text(record, field);
	if (record.email_verified !== undefined) user.emailVerified = flag(record, 'email_verified');
	if (record.blocked !== undefined) user.disabled = flag(record, 'blocked');
	if (text(record, 'registration_date'))
		user.createdAt = epochMs(text(record, 'registration_date'));
	if (text(record, 'last_login_date'))
		user.lastSignedInAt = epochMs(text(record, 'last_login_date'));
	if (record.app_metadata !== undefined)
		user.customAttributes = JSON.stringify(record.app_metadata);
	const providers = providerUserInfo(record.identities);
	if (providers) user.providerUserInfo = providers;
	const credential = credentialOf(record);
	const hash = credential ? keptHash(credential) : null;
	if (hash) {
		user.passwordHash = hash.passwordHash;
		if (hash.salt !== undefined) user.salt = hash.salt;
	}
	return { user, hash };
}

export const firebaseTarget: Target = {
	name: 'firebase',
	label: 'Firebase auth:import (JSON)',
	profile: PROFILE,
	holds: [
		'user_id',
		'email',
		'email_verified',
		'password',
		'name',
		'picture',
		'registration_date',
		'last_login_date',
		'phone_number',
		'blocked',
		'app_metadata',
		'identities'
	],
	limits: { bytesPerFile: null, rowsPerFile: null },
	skipReason: (record) => (text(record, 'user_id') === '' ? 'no_user_id' : null),
	keepsPassword,
	passwordProblem,
	async *write(records, options): AsyncIterable<ConvertPiece> {
		// One file per set of hash flags; users without a password join the first file, which takes
		// the flags of the first hashed user written to it.
		const opened: OutputFile[] = [];
		const byFlags = new Map<string, OutputFile>();
		const flagsOf = new Map<OutputFile, string | null>();
		for await (const [record, index] of chosenRecords(records, options)) {
			const reason = this.skipReason(record);
			if (reason) {
				yield { kind: 'skip', reason, record: index };
				continue;
			}
			const { user, hash } = firebaseUser(record);
			const flags = hash ? hash.flags.join(' ') : null;
			let file = flags === null ? opened[0] : byFlags.get(flags);
			if (!file && opened[0] && flagsOf.get(opened[0]) === null) file = opened[0];
			if (!file) {
				file = new OutputFile(numberedName('users', 'json', opened.length + 1));
				file.write('{"users": [');
				opened.push(file);
				flagsOf.set(file, null);
			}
			if (flags !== null && !byFlags.has(flags)) {
				byFlags.set(flags, file);
				flagsOf.set(file, flags);
			}
			const piece = file.write(`${file.rows === 0 ? '\n' : ',\n'}${JSON.stringify(user)}`, 1);
			if (piece) yield piece;
		}
		if (opened.length === 0) return;
		const commands = [
			'# firebase auth:import, one command per file: each file holds users of one hash configuration.'
		];
		for (const file of opened) {
			file.write(file.rows === 0 ? ']}\n' : '\n]}\n');
			const flags = flagsOf.get(file);
			commands.push(`firebase auth:import ${file.name}${flags ? ` ${flags}` : ''}`);
			yield* file.close();
		}
		const flagsFile = new OutputFile('hash-flags.txt');
		flagsFile.write(`${commands.join('\n')}\n`);
		yield* flagsFile.close();
	}
};
