/** Malformed input never throws: random strings and objects come back as a result, not an exception. */
import { describe, expect, it } from 'vitest';
import {
	AUTH0_ALGORITHMS,
	credentialFromAuth0,
	credentialFromAuth0PasswordHash
} from '../../../src/lib/core/identity/auth0';
import { readEmails } from '../../../src/lib/core/identity/emails';
import { credentialFromFirebase } from '../../../src/lib/core/identity/firebase';
import { recogniseHash } from '../../../src/lib/core/identity/hash-shapes';
import { credentialFromKeycloak } from '../../../src/lib/core/identity/keycloak';
import { HASHES } from './fixtures';

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const next = random(20240312);
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
const SEEDS = Object.values(HASHES);
const PIECES = [
	'$',
	'$2b$',
	'$argon2id$',
	'v=19',
	'm=',
	',',
	'=',
	'{SSHA}',
	'pbkdf2_sha256$',
	'$fbscrypt$',
	'\u0000',
	'🔑',
	'é',
	'9'
];

function randomString(): string {
	if (next() < 0.5) {
		// Mutate a real hash: cut, splice or duplicate a piece of it.
		const seed = pick(SEEDS);
		const at = Math.floor(next() * seed.length);
		return (
			seed.slice(0, at) +
			(next() < 0.5 ? pick(PIECES) : '') +
			seed.slice(at + Math.floor(next() * 4))
		);
	}
	return Array.from({ length: Math.floor(next() * 40) }, () =>
		next() < 0.3 ? pick(PIECES) : String.fromCharCode(32 + Math.floor(next() * 95))
	).join('');
}

function randomValue(depth = 0): unknown {
	const kind = Math.floor(next() * (depth > 2 ? 5 : 7));
	if (kind === 0) return randomString();
	if (kind === 1) return Math.floor(next() * 1e6) - 1000;
	if (kind === 2) return next() < 0.5;
	if (kind === 3) return null;
	if (kind === 4) return undefined;
	if (kind === 5)
		return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(depth + 1));
	const keys = [
		'algorithm',
		'hash',
		'value',
		'encoding',
		'salt',
		'position',
		'digest',
		'key',
		'keylen',
		'cost',
		'address',
		'is_primary',
		'type',
		'secretData',
		'credentialData',
		'password'
	];
	return Object.fromEntries(
		Array.from({ length: Math.floor(next() * 5) }, () => [pick(keys), randomValue(depth + 1)])
	);
}

function randomAuth0(): unknown {
	return {
		algorithm: pick([...AUTH0_ALGORITHMS, randomString()]),
		hash: {
			value: next() < 0.8 ? randomString() : randomValue(),
			encoding: pick(['utf8', 'hex', 'base64', undefined, 7]),
			digest: pick(['sha1', undefined, 'x']),
			key: randomValue(2)
		},
		...(next() < 0.3 ? { salt: randomValue(2) } : {}),
		...(next() < 0.3 ? { keylen: randomValue(3), cost: randomValue(3) } : {})
	};
}

function isResult(result: unknown): boolean {
	if (result === null) return true;
	const keys = Object.keys(result as object);
	return (
		keys.length === 1 && (keys[0] === 'credential' || keys[0] === 'error' || keys[0] === 'emails')
	);
}

describe('fuzz: no input throws', () => {
	it('5,000 random inputs to every reader', () => {
		for (let i = 0; i < 5000; i++) {
			const text = randomString();
			const value = randomValue();
			const results = [
				recogniseHash(text),
				credentialFromAuth0PasswordHash(next() < 0.8 ? text : value),
				credentialFromAuth0(next() < 0.7 ? randomAuth0() : value),
				credentialFromFirebase(text, randomString(), {
					algorithm: pick(['SCRYPT', 'MD5']),
					signerKey: randomString(),
					rounds: Math.floor(next() * 10),
					memCost: 14
				}),
				credentialFromKeycloak(
					next() < 0.5
						? [
								{
									type: 'password',
									secretData: randomString(),
									credentialData: JSON.stringify(randomValue())
								}
							]
						: value
				),
				readEmails(next() < 0.5 ? [randomValue(), randomValue()] : value)
			];
			for (const result of results) expect(isResult(result)).toBe(true);
		}
	});
});
