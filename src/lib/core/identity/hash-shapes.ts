/**
 * Recognising a bare password hash by its shape (DESIGN.md "A faithful user"): modular-crypt
 * bcrypt, PHC strings (argon2, pbkdf2, scrypt, Firebase's `$fbscrypt$`), Django pbkdf2, RFC 2307
 * LDAP values and hex digests. A value that claims a scheme but does not parse as it is an error
 * with the reason; a value of no known shape is an `unknown` credential, not an error.
 */
import {
	DIGEST_BYTES,
	decodedLength,
	parseCount,
	type Credential,
	type CredentialParams,
	type CredentialResult
} from './credential';

const BCRYPT = /^\$(2[aby])\$([0-9]{2})\$(.*)$/s;
const BCRYPT_BODY = /^[./A-Za-z0-9]{53}$/;

/** bcrypt `$2a$`/`$2b$`/`$2y$`, two-digit cost 04–31, 22 characters of salt and 31 of hash. */
function bcrypt(value: string): CredentialResult {
	const match = BCRYPT.exec(value);
	if (!match) {
		const variant = /^\$(2[a-z]?)\$/.exec(value)?.[1];
		if (variant && !['2a', '2b', '2y'].includes(variant))
			return { error: `bcrypt variant $${variant}$ is not one of $2a$, $2b$, $2y$.` };
		return { error: 'bcrypt needs a two-digit cost after the variant, as in $2b$10$….' };
	}
	const [, variant, costText, body] = match;
	const cost = Number(costText);
	if (cost < 4 || cost > 31) return { error: `bcrypt cost ${costText} is outside 04–31.` };
	if (!BCRYPT_BODY.test(body))
		return {
			error: `bcrypt salt and hash are 53 characters of ./A–Z a–z 0–9; this has ${body.length}${/^[./A-Za-z0-9]*$/.test(body) ? '' : ' with other characters'}.`
		};
	return { credential: { algorithm: 'bcrypt', hash: value, params: { variant, cost } } };
}

/** A PHC string cut into its parts: `$id[$v=version][$params][$salt[$hash]]`. */
interface PhcParts {
	id: string;
	version: string | null;
	params: Map<string, string>;
	/** The params segment as written, when it is not `k=v,…` (passlib's bare iteration count). */
	bareParam: string | null;
	salt: string | null;
	hash: string | null;
}

function phcParts(value: string): PhcParts | string {
	const [empty, id, ...rest] = value.split('$');
	if (empty !== '' || !id) return 'a PHC string starts with $ and the scheme name';
	const parts: PhcParts = {
		id,
		version: null,
		params: new Map(),
		bareParam: null,
		salt: null,
		hash: null
	};
	if (/^v=[0-9]+$/.test(rest[0] ?? '')) parts.version = rest.shift()!.slice(2);
	const paramSegment =
		rest[0]?.includes('=') || /^[0-9]+$/.test(rest[0] ?? '') ? rest.shift()! : null;
	if (paramSegment !== null && !paramSegment.includes('=')) parts.bareParam = paramSegment;
	else if (paramSegment !== null)
		for (const pair of paramSegment.split(',')) {
			const equals = pair.indexOf('=');
			if (equals <= 0) return `the parameter "${pair}" is not name=value`;
			parts.params.set(pair.slice(0, equals), pair.slice(equals + 1));
		}
	if (rest.length > 2)
		return 'it has more $-separated parts than scheme, parameters, salt and hash';
	parts.salt = rest[0] ?? null;
	parts.hash = rest[1] ?? null;
	return parts;
}

/** A PHC salt and hash in B64 (base64 without padding): the byte counts, or the reason not. */
function phcSaltAndHash(
	scheme: string,
	parts: PhcParts,
	minSalt: number
): { saltBytes: number; hashBytes: number } | string {
	if (!parts.salt || !parts.hash)
		return `${scheme} needs both a salt and a hash after the parameters`;
	const saltBytes = decodedLength(parts.salt, 'base64');
	const hashBytes = decodedLength(parts.hash, 'base64');
	if (saltBytes === null) return `the ${scheme} salt is not base64`;
	if (hashBytes === null) return `the ${scheme} hash is not base64`;
	if (saltBytes < minSalt) return `the ${scheme} salt is ${saltBytes} bytes, fewer than ${minSalt}`;
	if (hashBytes === 0) return `the ${scheme} hash is empty`;
	return { saltBytes, hashBytes };
}

/** Named integer parameters of a PHC string, each > 0, or the reason one is missing or bad. */
function counts(scheme: string, parts: PhcParts, names: readonly string[]): number[] | string {
	const values: number[] = [];
	for (const name of names) {
		const text = parts.params.get(name);
		const count = text === undefined ? null : parseCount(text);
		if (count === null)
			return text === undefined
				? `${scheme} needs the parameter ${name}`
				: `${scheme} parameter ${name}=${text} is not a positive integer`;
		values.push(count);
	}
	return values;
}

function failed(scheme: string, reason: string): CredentialResult {
	return { error: `Not a valid ${scheme} hash: ${reason}.` };
}

/** `$argon2id$v=19$m=65536,t=2,p=1$salt$hash` (also argon2i, argon2d; v= may be absent: v1.0). */
function argon2(value: string, parts: PhcParts): CredentialResult {
	const variant = parts.id;
	if (!['argon2i', 'argon2d', 'argon2id'].includes(variant))
		return failed('argon2', `the variant ${variant} is not argon2i, argon2d or argon2id`);
	const version = parts.version ?? '16';
	if (version !== '16' && version !== '19')
		return failed('argon2', `version v=${version} is not 16 or 19`);
	const parameters = counts(variant, parts, ['m', 't', 'p']);
	if (typeof parameters === 'string') return failed('argon2', parameters);
	const sizes = phcSaltAndHash(variant, parts, 8);
	if (typeof sizes === 'string') return failed('argon2', sizes);
	const [memory, iterations, parallelism] = parameters;
	return {
		credential: {
			algorithm: 'argon2',
			hash: value,
			params: { variant, version: Number(version), memory, iterations, parallelism }
		}
	};
}

const PBKDF2_DIGEST = /^pbkdf2-([A-Za-z0-9-]+)$/;

/**
 * PHC pbkdf2 as Auth0 writes it (`$pbkdf2-sha256$i=…,l=…$salt$hash`, i and l optional) or as
 * passlib does (`$pbkdf2-sha256$29000$salt$hash`, '.' for '+').
 */
function pbkdf2Phc(value: string, parts: PhcParts): CredentialResult {
	const digest = PBKDF2_DIGEST.exec(parts.id)?.[1];
	if (!digest)
		return failed('pbkdf2', `the scheme ${parts.id} does not name a digest, as in pbkdf2-sha256`);
	const params: CredentialParams = { digest, format: parts.bareParam ? 'passlib' : 'phc' };
	const iterations = parts.bareParam ?? parts.params.get('i');
	if (iterations !== undefined) {
		const count = parseCount(iterations);
		if (count === null)
			return failed('pbkdf2', `the iteration count ${iterations} is not a positive integer`);
		params.iterations = count;
	}
	const keylenText = parts.params.get('l');
	const sizes = phcSaltAndHash('pbkdf2', parts, 1);
	if (typeof sizes === 'string') return failed('pbkdf2', sizes);
	if (keylenText !== undefined) {
		const keylen = parseCount(keylenText);
		if (keylen === null)
			return failed('pbkdf2', `the key length l=${keylenText} is not a positive integer`);
		if (keylen !== sizes.hashBytes)
			return failed('pbkdf2', `the hash is ${sizes.hashBytes} bytes but l=${keylen}`);
		params.keylen = keylen;
	}
	return { credential: { algorithm: 'pbkdf2', hash: value, params } };
}

/** `$scrypt$ln=15,r=8,p=1$salt$hash` (the PHC / passlib form). */
function scryptPhc(value: string, parts: PhcParts): CredentialResult {
	const parameters = counts('scrypt', parts, ['ln', 'r', 'p']);
	if (typeof parameters === 'string') return failed('scrypt', parameters);
	const sizes = phcSaltAndHash('scrypt', parts, 1);
	if (typeof sizes === 'string') return failed('scrypt', sizes);
	const [logCost, blockSize, parallelization] = parameters;
	if (logCost > 31) return failed('scrypt', `ln=${logCost} is too large`);
	return {
		credential: {
			algorithm: 'scrypt',
			hash: value,
			params: {
				format: 'phc',
				cost: 2 ** logCost,
				blockSize,
				parallelization,
				keylen: sizes.hashBytes
			}
		}
	};
}

/**
 * Firebase's modified scrypt as Supabase and Hanko store it:
 * `$fbscrypt$v=1,n=<mem cost>,r=<rounds>,p=<parallelism>[,ss=<separator>][,sk=<signer key>]$salt$hash`.
 */
function firebaseScrypt(value: string, parts: PhcParts): CredentialResult {
	const scheme = 'Firebase scrypt';
	if (parts.params.get('v') !== '1') return failed(scheme, 'it needs v=1 among its parameters');
	const parameters = counts(scheme, parts, ['n', 'r', 'p']);
	if (typeof parameters === 'string') return failed(scheme, parameters);
	const [memCost, rounds, parallelization] = parameters;
	const params: CredentialParams = { format: 'fbscrypt', memCost, rounds, parallelization };
	for (const [name, param] of [
		['ss', 'saltSeparator'],
		['sk', 'signerKey']
	] as const) {
		const text = parts.params.get(name);
		if (text === undefined) continue;
		if (decodedLength(text, 'base64') === null) return failed(scheme, `${name} is not base64`);
		params[param] = text;
	}
	const sizes = phcSaltAndHash(scheme, parts, 1);
	if (typeof sizes === 'string') return failed(scheme, sizes);
	return { credential: { algorithm: 'firebase-scrypt', hash: value, params } };
}

const DJANGO = /^pbkdf2_(sha1|sha256)\$(.*)$/s;

/** Django: `pbkdf2_sha256$<iterations>$<salt as text>$<base64 hash of the digest's length>`. */
function django(value: string): CredentialResult {
	const [, digest, rest] = DJANGO.exec(value)!;
	const [iterationsText, salt, hash, ...extra] = rest.split('$');
	if (hash === undefined || extra.length > 0)
		return failed('Django pbkdf2', 'it needs iterations, salt and hash separated by $');
	const iterations = parseCount(iterationsText);
	if (iterations === null)
		return failed(
			'Django pbkdf2',
			`the iteration count ${iterationsText} is not a positive integer`
		);
	if (!salt) return failed('Django pbkdf2', 'the salt is empty');
	const bytes = decodedLength(hash, 'base64');
	if (bytes !== DIGEST_BYTES[digest])
		return failed('Django pbkdf2', `the hash is not ${DIGEST_BYTES[digest]} bytes of base64`);
	return {
		credential: {
			algorithm: 'pbkdf2',
			hash: value,
			params: { digest, iterations, format: 'django' }
		}
	};
}

const LDAP = /^\{([A-Za-z0-9.-]+)\}(.*)$/s;
const LDAP_DIGESTS: Readonly<Record<string, number>> = {
	MD5: 16,
	SHA: 20,
	SHA256: 32,
	SHA384: 48,
	SHA512: 64
};

/**
 * RFC 2307 `{SCHEME}base64`: an unsalted digest is exactly its length, a salted one (`{SSHA}`,
 * `{SMD5}`, …) is the digest followed by at least one byte of salt. `{CRYPT}` and other schemes
 * are kept with their name, unchecked.
 */
function ldap(value: string): CredentialResult {
	const [, written, body] = LDAP.exec(value)!;
	const scheme = written.toUpperCase();
	const salted = /^S(?:MD5|SHA(?:256|384|512)?)$/.test(scheme);
	const digestBytes = LDAP_DIGESTS[salted ? scheme.slice(1) : scheme];
	const credential: Credential = { algorithm: 'ldap', hash: value, params: { scheme } };
	if (digestBytes === undefined) return { credential };
	const bytes = decodedLength(body, 'base64');
	if (bytes === null || body === '') return failed('LDAP', `the ${scheme} value is not base64`);
	if (salted ? bytes <= digestBytes : bytes !== digestBytes)
		return failed(
			'LDAP',
			`${scheme} holds ${bytes} bytes; it needs ${salted ? `more than ${digestBytes} (digest and salt)` : digestBytes}`
		);
	return { credential };
}

const HEX_DIGESTS: Readonly<Record<number, Credential['algorithm']>> = {
	32: 'md5',
	40: 'sha1',
	64: 'sha256',
	128: 'sha512'
};

/** What a bare hash string is, by its shape. */
export function recogniseHash(value: string): CredentialResult {
	const trimmed = value.trim();
	if (trimmed === '') return { error: 'The password hash is empty.' };
	if (trimmed.startsWith('$2')) return bcrypt(trimmed);
	if (DJANGO.test(trimmed)) return django(trimmed);
	if (LDAP.test(trimmed)) return ldap(trimmed);
	if (/^\$(argon2|pbkdf2|scrypt\$|fbscrypt\$)/.test(trimmed)) {
		const parts = phcParts(trimmed);
		if (typeof parts === 'string') return failed('PHC', parts);
		if (parts.id.startsWith('argon2')) return argon2(trimmed, parts);
		if (parts.id.startsWith('pbkdf2')) return pbkdf2Phc(trimmed, parts);
		if (parts.id === 'scrypt') return scryptPhc(trimmed, parts);
		return firebaseScrypt(trimmed, parts);
	}
	const guess = /^[0-9a-f]+$/i.test(trimmed) ? HEX_DIGESTS[trimmed.length] : undefined;
	if (guess)
		return { credential: { algorithm: guess, hash: trimmed, encoding: 'hex', guessed: true } };
	return { credential: { algorithm: 'unknown', hash: trimmed } };
}
