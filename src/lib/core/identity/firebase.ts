/**
 * Firebase `auth:export` password columns read into a credential. Firebase exports a hash only for
 * users hashed with the project's default modified scrypt, so reading needs that project's hash
 * config from the console (docs/platform-formats.md §3.1–3.2; firebase-tools accountExporter.ts).
 */
import {
	decodedLength,
	isPositiveInteger,
	type CredentialParams,
	type CredentialResult
} from './credential';

/** The console's "Password hash parameters", with base64 strings as the console shows them. */
export interface FirebaseHashConfig {
	algorithm: string;
	/** `base64_signer_key`. */
	signerKey?: string;
	/** `base64_salt_separator`. */
	saltSeparator?: string;
	rounds?: number;
	memCost?: number;
}

function inRange(value: unknown, low: number, high: number): value is number {
	return isPositiveInteger(value) && value >= low && value <= high;
}

/** Why the hash config cannot verify modified-scrypt hashes, or null when it can. */
export function firebaseConfigProblem(config: FirebaseHashConfig): string | null {
	if (config.algorithm !== 'SCRYPT')
		return `Firebase exports hashes only for its default SCRYPT; the hash config says ${JSON.stringify(config.algorithm)}.`;
	if (!config.signerKey || decodedLength(config.signerKey, 'base64') === null)
		return 'The Firebase hash config needs the signer key, in base64.';
	if (config.saltSeparator !== undefined && decodedLength(config.saltSeparator, 'base64') === null)
		return 'The Firebase salt separator is not base64.';
	// The ranges firebase auth:import accepts for SCRYPT.
	if (!inRange(config.rounds, 1, 8)) return 'The Firebase hash config needs rounds from 1 to 8.';
	if (!inRange(config.memCost, 1, 14))
		return 'The Firebase hash config needs a memory cost from 1 to 14.';
	return null;
}

/**
 * A user's `passwordHash` and `salt` (base64) with the project's hash config. Null when the user
 * has no password hash (social-only users, or users Firebase did not hash with its default).
 */
export function credentialFromFirebase(
	passwordHash: string,
	salt: string,
	config: FirebaseHashConfig
): CredentialResult | null {
	if (passwordHash.trim() === '') return null;
	const problem = firebaseConfigProblem(config);
	if (problem) return { error: problem };
	if (!decodedLength(passwordHash, 'base64'))
		return { error: 'The Firebase passwordHash is not base64.' };
	if (!decodedLength(salt, 'base64'))
		return { error: 'The Firebase salt is missing or not base64.' };
	const params: CredentialParams = {
		rounds: config.rounds!,
		memCost: config.memCost!,
		signerKey: config.signerKey!
	};
	if (config.saltSeparator !== undefined) params.saltSeparator = config.saltSeparator;
	return {
		credential: {
			algorithm: 'firebase-scrypt',
			hash: passwordHash,
			encoding: 'base64',
			salt,
			salt_encoding: 'base64',
			params
		}
	};
}
