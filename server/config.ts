/** Command-line and environment settings shared by main.ts and seed.ts. */
import { join } from 'node:path';
import { ALGORITHMS, type Algorithm } from '../src/lib/core/identity/credential';
import { LOOKUP_KEYS, type LookupKey } from '../src/lib/core/protocol/import-api';
import { isPostgresUrl } from './sql';

export const DEFAULT_PORT = 8787;
export const DEFAULT_DATA_DIR = './.data';
export const DEFAULT_TOKEN = 'dev-token';
export const DEFAULT_CORS_ORIGINS = [
	'http://localhost:4173',
	'http://127.0.0.1:4173',
	'http://localhost:5173'
];
export const DATABASE_FILE = 'ferry-api.sqlite';

export function databasePath(dataDir: string): string {
	return join(dataDir, DATABASE_FILE);
}

/** The database for a log line: a PostgreSQL URL without its password. */
export function describeDatabase(database: string): string {
	if (!isPostgresUrl(database)) return database;
	const url = new URL(database);
	if (url.password) url.password = '***';
	return url.toString();
}

/** A whole number within [min, max], or an error naming the setting. */
export function parseInteger(value: string, setting: string, min: number, max: number): number {
	const number = Number(value);
	if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
		throw new Error(`${setting} must be a whole number from ${min} to ${max}, not "${value}"`);
	}
	return number;
}

/** How long a client may take and how many may connect: slow or idle clients cannot hold sockets. */
export interface ConnectionLimits {
	/** From the connection's first byte to the end of the request's headers. */
	headersTimeoutMs: number;
	/** From the first byte to the end of the whole request, body included. */
	requestTimeoutMs: number;
	/** An idle keep-alive connection between two requests. */
	keepAliveTimeoutMs: number;
	/** A socket with no traffic at all, in either direction. */
	idleTimeoutMs: number;
	/** Sockets open at once; more are closed as they arrive. */
	maxConnections: number;
	/** How often Node looks for requests past their header or request timeout. */
	timeoutCheckIntervalMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
	headersTimeoutMs: 10_000,
	// A 1 MiB chunk still arrives at 20 KB/s.
	requestTimeoutMs: 60_000,
	keepAliveTimeoutMs: 5_000,
	idleTimeoutMs: 30_000,
	maxConnections: 1024,
	timeoutCheckIntervalMs: 1_000
};

/** On SIGTERM/SIGINT, requests under way get this long to finish before their sockets are cut. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;

/** Failed authentications a client IP may make in a window before it is refused for the rest of it. */
export const DEFAULT_AUTH_THROTTLE = { maxFailures: 10, windowMs: 60_000 } as const;

function isLoopback(host: string): boolean {
	const address = host.replace(/^\[|\]$/g, '').toLowerCase();
	return (
		address === 'localhost' || address === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(address)
	);
}

/**
 * The well-known development token may only guard a loopback address: elsewhere anyone who has
 * read the README could import accounts. Throws for a non-loopback host, returns a warning for a
 * loopback one, and null for any other token.
 */
export function defaultTokenWarning(host: string, token: string): string | null {
	if (token !== DEFAULT_TOKEN) return null;
	if (!isLoopback(host)) {
		throw new Error(
			`refusing to listen on ${host} with the default token "${DEFAULT_TOKEN}": anyone could call the API. ` +
				'Choose a secret with --token or FERRY_API_TOKEN, or listen on 127.0.0.1.'
		);
	}
	return (
		`warning: the API uses the default token "${DEFAULT_TOKEN}"; any program on this machine can call it. ` +
		'Choose a secret with --token or FERRY_API_TOKEN.'
	);
}

/** The destination the server stands in for (server/profile.ts announces it). */
export interface ProfileOptions {
	/** user_id must be a UUID (`--require-uuid`). */
	requireUuidUserId: boolean;
	/** The password hash algorithms stored; a row with another is invalid_row (`--accept-hashes`). */
	acceptedAlgorithms: readonly Algorithm[];
	/** What create mode's upsert looks accounts up by (`--lookup`). */
	lookupKey: LookupKey;
}

export const DEFAULT_PROFILE_OPTIONS: Readonly<ProfileOptions> = {
	requireUuidUserId: false,
	// Every algorithm the core recognises; `unknown` only when asked for.
	acceptedAlgorithms: ALGORITHMS.filter((algorithm) => algorithm !== 'unknown'),
	lookupKey: 'user_id'
};

/** `--accept-hashes bcrypt,argon2`: names from the core's ALGORITHMS list, or an error. */
export function parseAlgorithms(list: string): Algorithm[] {
	const names = list
		.split(',')
		.map((name) => name.trim())
		.filter(Boolean);
	const unknown = names.filter((name) => !(ALGORITHMS as readonly string[]).includes(name));
	if (names.length === 0 || unknown.length > 0) {
		throw new Error(
			`--accept-hashes takes a comma-separated list of ${ALGORITHMS.join(', ')}, not "${list}"`
		);
	}
	return [...new Set(names as Algorithm[])];
}

/** `--lookup user_id|email`, or an error. */
export function parseLookupKey(value: string): LookupKey {
	if (!(LOOKUP_KEYS as readonly string[]).includes(value)) {
		throw new Error(`--lookup takes ${LOOKUP_KEYS.join(' or ')}, not "${value}"`);
	}
	return value as LookupKey;
}
