/**
 * Auth0 bulk user import (docs/platform-formats.md §1.1–1.2): JSON arrays of users, each file at
 * most 500,000 bytes with no user split between files; bcrypt `$2a$`/`$2b$` as `password_hash`, the
 * other accepted algorithms as `custom_password_hash` in its current nested shape (pbkdf2 written
 * as the PHC string Auth0 takes, whichever way the source wrote it).
 */
import type { Credential } from '../identity/credential';
import { PROFILES } from '../profiles/catalogue';
import { credentialTakenBy } from '../profiles/rules';
import type { FieldName } from '../types';
import type { CanonicalRecord } from '../validate/normalize';
import { phcSaltAndHash } from './hashes';
import { numberedName, OutputFile, utf8Bytes } from './output';
import { chosenRecords, credentialOf, flag, text } from './records';
import type { ConvertPiece, Target } from './types';

const PROFILE = PROFILES.auth0;

const STRINGS: readonly FieldName[] = [
	'email',
	'username',
	'given_name',
	'family_name',
	'name',
	'nickname',
	'picture',
	'phone_number'
];
const BOOLEANS: readonly FieldName[] = ['email_verified', 'blocked', 'phone_verified'];
const OBJECTS: readonly FieldName[] = ['app_metadata', 'user_metadata'];

/**
 * `custom_password_hash` of a credential Auth0 takes there: the hash with its encoding, the salt
 * object, HMAC's digest and key, scrypt's parameters (a PHC scrypt string is taken apart).
 */
export function customPasswordHash(credential: Credential): Record<string, unknown> {
	const { algorithm, params = {} } = credential;
	if (algorithm === 'scrypt' && params.format === 'phc') {
		const { salt, hash } = phcSaltAndHash(credential);
		return {
			algorithm,
			hash: { value: hash, encoding: 'base64' },
			salt: { value: salt, encoding: 'base64', position: 'prefix' },
			keylen: params.keylen,
			cost: params.cost,
			blockSize: params.blockSize,
			parallelization: params.parallelization
		};
	}
	const hash: Record<string, unknown> = {
		value: credential.hash,
		encoding: credential.encoding ?? 'utf8'
	};
	if (algorithm === 'hmac') {
		hash.digest = params.digest;
		hash.key = { value: params.key, encoding: params.keyEncoding ?? 'utf8' };
	}
	const out: Record<string, unknown> = { algorithm, hash };
	if (credential.salt !== undefined)
		out.salt = {
			value: credential.salt,
			encoding: credential.salt_encoding ?? 'utf8',
			position: credential.salt_position ?? 'prefix'
		};
	if (params.passwordEncoding !== undefined) out.password = { encoding: params.passwordEncoding };
	if (algorithm === 'scrypt')
		for (const name of ['keylen', 'cost', 'blockSize', 'parallelization'])
			if (params[name] !== undefined) out[name] = params[name];
	return out;
}

/** Auth0's `user_id` is prefixed by the connection on import: an export's `auth0|` comes off. */
function importedUserId(userId: string): string {
	return userId.startsWith('auth0|') ? userId.slice('auth0|'.length) : userId;
}

/** One user as the bulk import takes it. */
export function auth0User(record: CanonicalRecord): Record<string, unknown> {
	const user: Record<string, unknown> = {};
	const userId = text(record, 'user_id');
	if (userId) user.user_id = importedUserId(userId);
	for (const field of STRINGS) if (record[field] !== undefined) user[field] = text(record, field);
	for (const field of BOOLEANS) if (record[field] !== undefined) user[field] = flag(record, field);
	for (const field of OBJECTS) if (record[field] !== undefined) user[field] = record[field];
	const found = credentialOf(record);
	const taken = found && credentialTakenBy(PROFILE, found);
	if (taken)
		user[taken.field] =
			taken.field === 'password_hash'
				? taken.credential.hash
				: customPasswordHash(taken.credential);
	return user;
}

const OPEN = '[\n';
const SEPARATOR = ',\n';
const CLOSE = '\n]\n';

export const auth0Target: Target = {
	name: 'auth0',
	label: 'Auth0 bulk user import (JSON)',
	profile: PROFILE,
	holds: [...STRINGS, ...BOOLEANS, ...OBJECTS, 'user_id', 'password'],
	limits: { bytesPerFile: PROFILE.limits.bytesPerImport, rowsPerFile: null },
	skipReason: (record) => (text(record, 'email') === '' ? 'no_email' : null),
	keepsPassword: (credential) => credentialTakenBy(PROFILE, credential) !== null,
	async *write(records, options): AsyncIterable<ConvertPiece> {
		const maxBytes = options.limits?.bytesPerFile ?? this.limits.bytesPerFile ?? Infinity;
		const closeBytes = utf8Bytes(CLOSE);
		let files = 0;
		let file: OutputFile | null = null;
		for await (const [record, index] of chosenRecords(records, options)) {
			const reason = this.skipReason(record);
			if (reason) {
				yield { kind: 'skip', reason, record: index };
				continue;
			}
			const json = JSON.stringify(auth0User(record));
			const bytes = utf8Bytes(json);
			if (utf8Bytes(OPEN) + bytes + closeBytes > maxBytes) {
				yield { kind: 'skip', reason: 'too_large', record: index };
				continue;
			}
			if (file && file.size + utf8Bytes(SEPARATOR) + bytes + closeBytes > maxBytes) {
				file.write(CLOSE);
				yield* file.close();
				file = null;
			}
			if (!file) {
				file = new OutputFile(numberedName('users', 'json', ++files));
				const piece = file.write(OPEN);
				if (piece) yield piece;
			} else {
				const piece = file.write(SEPARATOR);
				if (piece) yield piece;
			}
			const piece = file.write(json, 1);
			if (piece) yield piece;
		}
		if (file) {
			file.write(CLOSE);
			yield* file.close();
		}
	}
};
