/**
 * Keycloak realm exports' `users[].credentials` read into a credential (docs/platform-formats.md
 * §6.2): a `password` entry whose `secretData` (`{value, salt}`) and `credentialData`
 * (`{hashIterations, algorithm}`) are JSON documents written as strings.
 */
import {
	decodedLength,
	isPositiveInteger,
	isRecord,
	type Credential,
	type CredentialParams,
	type CredentialResult
} from './credential';

/** Keycloak's pbkdf2 providers and the digest each uses. */
const PBKDF2_DIGESTS: Readonly<Record<string, string>> = {
	pbkdf2: 'sha1',
	'pbkdf2-sha256': 'sha256',
	'pbkdf2-sha512': 'sha512'
};
/** Keycloak writes "__SALT__" (or nothing) where a credential has no salt. */
const NO_SALT = '__SALT__';

/** A JSON document written as a string (or, leniently, already an object). */
function jsonObject(what: string, value: unknown): Record<string, unknown> | string {
	if (isRecord(value)) return value;
	if (typeof value !== 'string') return `${what} is missing.`;
	try {
		const parsed: unknown = JSON.parse(value);
		return isRecord(parsed) ? parsed : `${what} is not a JSON object.`;
	} catch {
		return `${what} is not valid JSON.`;
	}
}

/** Keycloak's extra parameters (`{name: [value]}`), flattened to their first value. */
function extraParams(data: Record<string, unknown>): CredentialParams {
	const extra = data.algorithmData ?? data.additionalParameters;
	const params: CredentialParams = {};
	if (!isRecord(extra)) return params;
	for (const [name, values] of Object.entries(extra)) {
		const first: unknown = Array.isArray(values) ? values[0] : values;
		if (typeof first === 'string' || typeof first === 'number') params[name] = first;
	}
	return params;
}

/**
 * The password credential of one user's `credentials` array. Null when the user has none (only
 * OTP or no credentials at all).
 */
export function credentialFromKeycloak(credentials: unknown): CredentialResult | null {
	if (credentials === undefined || credentials === null) return null;
	if (!Array.isArray(credentials)) return { error: 'credentials must be an array.' };
	const passwords = credentials.filter((entry) => isRecord(entry) && entry.type === 'password');
	if (passwords.length === 0) return null;
	if (passwords.length > 1) return { error: 'The user has more than one password credential.' };
	const entry = passwords[0] as Record<string, unknown>;
	const secret = jsonObject('secretData', entry.secretData);
	if (typeof secret === 'string') return { error: secret };
	const data = jsonObject('credentialData', entry.credentialData);
	if (typeof data === 'string') return { error: data };

	const { value, salt } = secret;
	if (typeof value !== 'string' || !decodedLength(value, 'base64'))
		return { error: 'secretData.value is not a base64 hash.' };
	if (salt !== undefined && salt !== null && typeof salt !== 'string')
		return { error: 'secretData.salt is not a string.' };
	const hasSalt = typeof salt === 'string' && salt !== '' && salt !== NO_SALT;
	if (hasSalt && decodedLength(salt, 'base64') === null)
		return { error: 'secretData.salt is not base64.' };
	const iterations = data.hashIterations;
	if (!isPositiveInteger(iterations))
		return { error: 'credentialData.hashIterations must be an integer above zero.' };
	if (typeof data.algorithm !== 'string' || data.algorithm === '')
		return { error: 'credentialData.algorithm is missing.' };

	const digest = PBKDF2_DIGESTS[data.algorithm];
	const params: CredentialParams = { ...extraParams(data), iterations };
	const credential: Credential = { algorithm: 'unknown', hash: value, encoding: 'base64', params };
	if (digest) {
		credential.algorithm = 'pbkdf2';
		Object.assign(params, { digest, keylen: decodedLength(value, 'base64')! });
	} else if (data.algorithm === 'argon2') credential.algorithm = 'argon2';
	else params.keycloakAlgorithm = data.algorithm;
	if (hasSalt) Object.assign(credential, { salt, salt_encoding: 'base64' });
	return { credential };
}
