/**
 * The password census in words: which hashes a file holds and what the destination makes of them.
 * One builder, so the CLI and the app say the same thing ("9,970 bcrypt, 30 md5 — Hanko takes
 * bcrypt (variant 2a) only: 30 users will reset their password").
 */
import type { DestinationProfile } from '../profiles/types';
import type { CredentialCounts } from '../validate/verdicts';
import { ALGORITHMS } from './credential';

type Counted = keyof CredentialCounts;

/** Census keys as read: `unknown` is a hash of no shape Ferry knows, `invalid` one that does not parse. */
const NAMES: Partial<Record<Counted, string>> = { unknown: 'unrecognised', invalid: 'invalid' };

const count = (rows: number) => rows.toLocaleString('en-US');

/**
 * What the profile takes, per algorithm: the bare name when some route takes it unconditionally,
 * else its conditions ("bcrypt (variant 2a)"), so a `$2b$` file is not told "Hanko takes bcrypt".
 */
export function acceptedAlgorithms(profile: DestinationProfile): string[] {
	const conditions = new Map<string, string[] | null>();
	for (const rule of profile.passwords.flatMap((route) => route.accepts)) {
		const when = Object.entries(rule.when ?? {}).map(
			([name, allowed]) => `${name} ${allowed.join('/')}`
		);
		const known = conditions.get(rule.algorithm);
		if (when.length === 0 || known === null) conditions.set(rule.algorithm, null);
		else conditions.set(rule.algorithm, [...new Set([...(known ?? []), ...when])]);
	}
	return [...conditions].map(([algorithm, when]) =>
		when ? `${algorithm} (${when.join(', ')})` : algorithm
	);
}

/**
 * The census line, or null when no row has a password hash. `unsupportedRows` is the scan's count
 * of unsupported_password_hash: rows whose hash the profile does not take, whose users reset
 * their password. Invalid hashes are row errors, counted but not sent at all.
 */
export function censusSentence(
	credentials: CredentialCounts,
	profile: DestinationProfile,
	unsupportedRows: number
): string | null {
	// The most common algorithm first; hashes that do not parse last, as they are no algorithm.
	const counted: Counted[] = ALGORITHMS.filter((key) => (credentials[key] ?? 0) > 0).sort(
		(a, b) => credentials[b]! - credentials[a]!
	);
	if (credentials.invalid) counted.push('invalid');
	if (counted.length === 0) return null;
	const census = counted
		.map((key) => `${count(credentials[key]!)} ${NAMES[key] ?? key}`)
		.join(', ');
	if (unsupportedRows === 0) {
		const which = credentials.invalid ? 'every valid one' : 'all of them';
		return `${census} — ${profile.label} takes ${which}`;
	}
	const accepted = acceptedAlgorithms(profile);
	const takes =
		accepted.length === 0 ? 'takes no password hashes' : `takes ${accepted.join(', ')} only`;
	const users = unsupportedRows === 1 ? '1 user' : `${count(unsupportedRows)} users`;
	return `${census} — ${profile.label} ${takes}: ${users} will reset their password`;
}
