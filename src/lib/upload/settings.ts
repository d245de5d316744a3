/**
 * Where uploads go and how they are cut, as the admin sets them on the settings page. Pure: the
 * state module (src/lib/state/settings.svelte.ts) stores them in localStorage, all but the token,
 * which it keeps encrypted in IndexedDB (src/lib/storage/secrets.ts).
 */
import type { ChunkLimits } from './chunks';
import type { ApiSchema, ImportMode } from '../core/protocol/import-api';

export interface DestinationSettings {
	/** Base URL of the import API, ending with its base path (`…/api/v1`). */
	url: string;
	/** Bearer token: a secret, never logged nor put in a URL. */
	token: string;
	mode: ImportMode;
	/** Create mode only: update an existing account instead of answering already_exists. */
	upsert: boolean;
	/** Lower than the destination's limit, or null to use the destination's (GET /schema). */
	rowsPerChunk: number | null;
	bytesPerChunk: number | null;
}

/** The reference import API that `npm start` runs beside the app. */
export const DEFAULT_SETTINGS: DestinationSettings = {
	url: 'http://localhost:8787/api/v1',
	token: 'dev-token',
	// Link only connects accounts that already exist: nothing is created by mistake.
	mode: 'link',
	upsert: false,
	rowsPerChunk: null,
	bytesPerChunk: null
};

/** The smallest body a chunk of one short row needs; lower byte limits are refused. */
export const MIN_BYTES_PER_CHUNK = 1024;

function positiveInteger(value: unknown): number | null {
	return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/** The stored JSON object, or an empty one when the text is missing or malformed. */
function storedObject(text: string | null): Record<string, unknown> {
	try {
		const parsed: unknown = text === null ? {} : JSON.parse(text);
		if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
			return parsed as Record<string, unknown>;
	} catch {
		// Unreadable: the defaults.
	}
	return {};
}

/** Stored settings (JSON text, or null when none): anything missing or malformed is the default. */
export function parseSettings(text: string | null): DestinationSettings {
	const stored = storedObject(text);
	return {
		url: typeof stored.url === 'string' ? stored.url : DEFAULT_SETTINGS.url,
		token: legacyToken(text) ?? DEFAULT_SETTINGS.token,
		mode: stored.mode === 'create' || stored.mode === 'link' ? stored.mode : DEFAULT_SETTINGS.mode,
		upsert: typeof stored.upsert === 'boolean' ? stored.upsert : DEFAULT_SETTINGS.upsert,
		rowsPerChunk: positiveInteger(stored.rowsPerChunk),
		bytesPerChunk: positiveInteger(stored.bytesPerChunk)
	};
}

/**
 * The settings as stored text: all but the token, a secret that is kept encrypted apart
 * (storage/secrets.ts) and would be plaintext here.
 */
export function settingsText(settings: DestinationSettings): string {
	return JSON.stringify({ ...settings, token: undefined });
}

/** The token that Ferry before schema version 5 kept in the stored text, or null. */
export function legacyToken(text: string | null): string | null {
	const { token } = storedObject(text);
	return typeof token === 'string' ? token : null;
}

/**
 * The chunk limits an upload uses: the admin's when set, never above the destination's (it would
 * refuse a bigger chunk with 413), and never below what one row needs.
 */
export function effectiveLimits(
	settings: Pick<DestinationSettings, 'rowsPerChunk' | 'bytesPerChunk'>,
	limits: ApiSchema['limits']
): ChunkLimits {
	return {
		rowsPerChunk: Math.min(settings.rowsPerChunk ?? limits.rowsPerChunk, limits.rowsPerChunk),
		bytesPerChunk: Math.max(
			Math.min(settings.bytesPerChunk ?? limits.bytesPerChunk, limits.bytesPerChunk),
			Math.min(MIN_BYTES_PER_CHUNK, limits.bytesPerChunk)
		)
	};
}

/**
 * Why the app cannot send to `url`, or null when it can. The app's Content-Security-Policy
 * (svelte.config.js, connect-src) allows only its own origin and http://localhost / 127.0.0.1 on
 * any port, so any other destination must first be added there and the app rebuilt.
 */
export function destinationProblem(url: string, selfOrigin: string): string | null {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return 'This is not a URL: write it in full, like http://localhost:8787/api/v1.';
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
		return 'The destination must be an http:// or https:// address.';
	if (parsed.username || parsed.password)
		return 'Put the token in the token field, not in the address.';
	if (parsed.search || parsed.hash) return 'The address must not have a ?query or #fragment.';
	const local =
		parsed.protocol === 'http:' &&
		(parsed.hostname === 'localhost' || parsed.hostname === '127.0.0.1');
	if (!local && parsed.origin !== selfOrigin)
		return (
			'This app may only connect to http://localhost and http://127.0.0.1 (its Content-Security-' +
			'Policy). To use another destination, add its origin to connect-src in svelte.config.js ' +
			'and rebuild the app.'
		);
	return null;
}
