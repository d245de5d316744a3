/**
 * The structured fields' cells read back into values. A cell is text: JSON text when the source had
 * structure (json/flatten.ts keeps such values whole), or what a flat file writes (a list of
 * addresses, a bare hash string). Both engines and the upload read cells through these functions,
 * so a value means the same thing wherever it is judged or sent.
 */
import { credentialFromAuth0 } from './auth0';
import {
	ALGORITHMS,
	ENCODINGS,
	isRecord,
	type Credential,
	type CredentialResult,
	type Encoding
} from './credential';
import { readEmails, type EmailAddress } from './emails';
import { credentialFromFirebase, type FirebaseHashConfig } from './firebase';
import { recogniseHash } from './hash-shapes';
import { credentialFromKeycloak } from './keycloak';
import type { JsonShape } from '../types';

/** JSON.parse without throwing: undefined for text that is not JSON. */
function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/**
 * An `emails` cell: a JSON array (of addresses or of address objects) or, as flat files write it,
 * addresses separated by commas or semicolons, the first one primary.
 */
export function readEmailsCell(text: string): { emails: EmailAddress[] } | { error: string } {
	if (text.startsWith('[')) {
		const value = parseJson(text);
		return value === undefined ? { error: 'emails is not valid JSON.' } : readEmails(value);
	}
	return readEmails(
		text
			.split(/[,;]/)
			.map((address) => address.trim())
			.filter((address) => address !== '')
	);
}

/** What a credential is read with beyond its own cell. */
export interface CredentialContext {
	/** The row's password_salt cell ('' when none). */
	salt: string;
	/** The Firebase hash config: bare hashes are then of its algorithm (identity/firebase.ts). */
	firebase: FirebaseHashConfig | null;
}

const isAlgorithm = (value: unknown): value is Credential['algorithm'] =>
	(ALGORITHMS as readonly unknown[]).includes(value);
const isEncoding = (value: unknown): value is Encoding =>
	(ENCODINGS as readonly unknown[]).includes(value);

/**
 * Ferry's own credential shape (`{algorithm, hash: "…", …}`, what Ferry writes and sends). A hash
 * that describes itself (bcrypt, PHC, LDAP…) must be what the algorithm says.
 */
function canonicalCredential(value: Record<string, unknown>): CredentialResult {
	const { algorithm, hash } = value;
	if (!isAlgorithm(algorithm)) return { error: `password has an unknown algorithm.` };
	if (typeof hash !== 'string' || hash.trim() === '')
		return { error: 'password needs a hash string.' };
	const credential: Credential = { algorithm, hash };
	for (const name of ['encoding', 'salt_encoding'] as const) {
		if (value[name] === undefined) continue;
		if (!isEncoding(value[name])) return { error: `password.${name} is not utf8, hex or base64.` };
		credential[name] = value[name];
	}
	if (value.salt !== undefined) {
		if (typeof value.salt !== 'string') return { error: 'password.salt must be a string.' };
		credential.salt = value.salt;
	}
	if (value.salt_position === 'prefix' || value.salt_position === 'suffix')
		credential.salt_position = value.salt_position;
	if (isRecord(value.params)) {
		const params: Record<string, string | number> = {};
		for (const [name, param] of Object.entries(value.params))
			if (typeof param === 'string' || typeof param === 'number') params[name] = param;
		credential.params = params;
	}
	const recognised = recogniseHash(hash);
	if ('error' in recognised) return recognised;
	const shape = recognised.credential;
	if (shape.algorithm !== 'unknown' && !shape.guessed && shape.algorithm !== algorithm)
		return { error: `password says ${algorithm}, but the hash is a ${shape.algorithm} string.` };
	return { credential };
}

/** A structured `password` cell: Auth0's custom_password_hash, Ferry's shape, Keycloak's array. */
function structuredCredential(text: string): CredentialResult | null {
	const value = parseJson(text);
	if (value === undefined) return { error: 'password is not valid JSON.' };
	if (Array.isArray(value)) return credentialFromKeycloak(value);
	if (!isRecord(value)) return { error: 'password must be an object.' };
	return typeof value.hash === 'string' ? canonicalCredential(value) : credentialFromAuth0(value);
}

/**
 * The credential of a `password` or `password_hash` cell: structured JSON, or a bare hash string
 * recognised by its shape (with the row's salt beside it, or as the Firebase hash config's
 * algorithm when one is given). Null when the cell holds no password (Keycloak users with OTP
 * only, an empty value).
 */
export function readCredentialCell(
	text: string,
	context: CredentialContext
): CredentialResult | null {
	if (text === '') return null;
	if (text.startsWith('{') || text.startsWith('[')) return structuredCredential(text);
	if (context.firebase) return credentialFromFirebase(text, context.salt, context.firebase);
	const recognised = recogniseHash(text);
	if ('error' in recognised || context.salt === '') return recognised;
	return { credential: { ...recognised.credential, salt: context.salt } };
}

/** A json cell's value, or why it is not one of its shape. */
export function readJsonCell(
	text: string,
	shape: JsonShape
): { value: unknown } | { error: string } {
	const value = parseJson(text);
	if (value === undefined) return { error: 'not valid JSON' };
	const ok = shape === 'array' ? Array.isArray(value) : isRecord(value);
	return ok ? { value } : { error: `not a JSON ${shape}` };
}
