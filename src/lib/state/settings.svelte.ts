import type { DestinationProfile } from '../core/profiles/types';
import type { ApiSchema } from '../core/protocol/import-api';
import { bearer, ImportApiClient } from '../upload/client';
import {
	PROFILE_KEY,
	chosenProfile,
	parseProfile,
	type ProfileChoice,
	type StoredProfile
} from './profile-choice';
import { FatalError, RetryableError } from '../upload/errors';
import {
	DEFAULT_SETTINGS,
	destinationProblem,
	legacyToken,
	parseSettings,
	settingsText,
	type DestinationSettings
} from '../upload/settings';
import { DESTINATION_TOKEN, loadDestinationToken, writeSecret } from '../storage/secrets';

export { PROFILE_CHOICES, type ProfileChoice } from './profile-choice';

/**
 * Stored in localStorage under this key, as JSON, all but the token. localStorage rather than
 * IndexedDB: a few hundred bytes read synchronously when the page starts. The token is a secret:
 * stored only encrypted in IndexedDB (storage/secrets.ts), sent only in the Authorization header,
 * and never logged or shown in a URL. "Delete all local data" on the sources page keeps both.
 */
export const SETTINGS_KEY = 'ferry.destination';

export type ConnectionCheck =
	| { state: 'idle' }
	| { state: 'testing' }
	| { state: 'ok'; schema: ApiSchema }
	| { state: 'failed'; message: string };

/** This browser's localStorage, or null where there is none (prerendering) or it is refused. */
export function storage(): Storage | null {
	try {
		return typeof localStorage === 'undefined' ? null : localStorage;
	} catch {
		return null;
	}
}

/** The destination settings of this browser: one instance, loaded on first use. */
class Settings {
	url = $state(DEFAULT_SETTINGS.url);
	/** Bound by the settings page; everything else reads it through `client()` or `authorization()`. */
	token = $state(DEFAULT_SETTINGS.token);
	/** Whether the token has been read from IndexedDB (until then the field waits). */
	tokenLoaded = $state(false);
	/** Resolves once the token is loaded: whatever sends it or checks it awaits this first. */
	readonly ready: Promise<void>;
	mode = $state<DestinationSettings['mode']>(DEFAULT_SETTINGS.mode);
	upsert = $state(DEFAULT_SETTINGS.upsert);
	rowsPerChunk = $state<number | null>(null);
	bytesPerChunk = $state<number | null>(null);
	check = $state.raw<ConnectionCheck>({ state: 'idle' });
	/** The settings could not be written (storage disabled or full). */
	saveError = $state<string | null>(null);
	profileChoice = $state<ProfileChoice>('api');
	/** The configured API's latest GET /schema (a test or an upload), kept across reloads. */
	apiSchema = $state.raw<ApiSchema | null>(null);
	/** What every row is validated against and what the upload is shaped by. */
	profile: DestinationProfile = $derived(
		chosenProfile({ choice: this.profileChoice, apiSchema: this.apiSchema })
	);

	/** The token as last written to IndexedDB (null: unknown, the next persist writes it). */
	#storedToken: string | null = null;
	/** Token writes, one after the other, so an older value never lands after a newer one. */
	#tokenWrites = Promise.resolve();

	constructor() {
		const text = storage()?.getItem(SETTINGS_KEY) ?? null;
		this.#assign(parseSettings(text));
		const stored = parseProfile(storage()?.getItem(PROFILE_KEY) ?? null);
		this.profileChoice = stored.choice;
		this.apiSchema = stored.apiSchema;
		this.ready = this.#loadToken(legacyToken(text));
	}

	async #loadToken(legacy: string | null): Promise<void> {
		// Prerendering has no IndexedDB, and nothing to send.
		if (typeof indexedDB === 'undefined') return;
		try {
			const stored = await loadDestinationToken(legacy, () => this.#persistLocal(this.value));
			this.token = stored ?? DEFAULT_SETTINGS.token;
			this.#storedToken = stored;
		} catch (caught) {
			this.saveError = `The token could not be read from this browser's storage (${caught instanceof Error ? caught.name : 'error'}).`;
		}
		this.tokenLoaded = true;
	}

	chooseProfile(choice: ProfileChoice): void {
		this.profileChoice = choice;
		this.#persistProfile();
	}

	/** What the configured API announced: its profile, when that is the one chosen. */
	rememberSchema(schema: ApiSchema): void {
		if (JSON.stringify(schema) === JSON.stringify(this.apiSchema)) return;
		this.apiSchema = schema;
		this.#persistProfile();
	}

	#persistProfile(): void {
		const stored: StoredProfile = { choice: this.profileChoice, apiSchema: this.apiSchema };
		try {
			storage()?.setItem(PROFILE_KEY, JSON.stringify(stored));
		} catch (caught) {
			this.saveError = notSaved(caught);
		}
	}

	get value(): DestinationSettings {
		return {
			url: this.url.trim(),
			token: this.token,
			mode: this.mode,
			upsert: this.mode === 'create' && this.upsert,
			rowsPerChunk: this.rowsPerChunk,
			bytesPerChunk: this.bytesPerChunk
		};
	}

	/** Why uploads cannot go to the configured URL, or null. */
	get problem(): string | null {
		if (this.token.trim() === '') return 'The token is empty.';
		return destinationProblem(this.url.trim(), location.origin);
	}

	/**
	 * Writes the settings when they differ from what is stored (meant for an $effect): the token
	 * encrypted to IndexedDB, the rest to localStorage. Nothing before the token is loaded, which
	 * would write the default over the stored one.
	 */
	persist(value: DestinationSettings = this.value): void {
		if (!this.tokenLoaded) return;
		this.#persistLocal(value);
		if (value.token === this.#storedToken) return;
		this.#storedToken = value.token;
		this.#tokenWrites = this.#tokenWrites
			.then(() => writeSecret(DESTINATION_TOKEN, value.token))
			.catch((caught: unknown) => {
				this.#storedToken = null;
				this.saveError = notSaved(caught);
			});
	}

	#persistLocal(value: DestinationSettings): void {
		const text = settingsText(value);
		let error: string | null = null;
		try {
			const store = storage();
			if (store && store.getItem(SETTINGS_KEY) !== text) store.setItem(SETTINGS_KEY, text);
		} catch (caught) {
			error = notSaved(caught);
		}
		if (this.saveError !== error) this.saveError = error;
	}

	/** Restores the defaults once the stored token is loaded (it would land over the default). */
	async reset(): Promise<void> {
		await this.ready;
		this.#assign(DEFAULT_SETTINGS);
		this.check = { state: 'idle' };
		this.profileChoice = 'api';
		this.apiSchema = null;
		this.#persistProfile();
		this.persist();
	}

	/** A client of `url` (the configured destination unless given) with the loaded token. */
	async client(url: string = this.value.url): Promise<ImportApiClient> {
		await this.ready;
		return new ImportApiClient({ baseUrl: url, token: this.token });
	}

	/** The Authorization header's value, with the loaded token. */
	async authorization(): Promise<string> {
		await this.ready;
		return bearer(this.token);
	}

	/** GET /schema with the token: proves the address, the token and CORS, and gives the limits. */
	async test(): Promise<void> {
		await this.ready;
		const problem = this.problem;
		if (problem) {
			this.check = { state: 'failed', message: problem };
			return;
		}
		this.check = { state: 'testing' };
		try {
			const schema = await (await this.client()).schema({ timeoutMs: 10_000 });
			if (schema.protocol !== 1 || !schema.limits)
				throw new Error(`the destination speaks protocol ${String(schema.protocol)}, not 1`);
			this.check = { state: 'ok', schema };
			this.rememberSchema(schema);
		} catch (error) {
			this.check = { state: 'failed', message: describe(error) };
		}
	}

	#assign(settings: DestinationSettings): void {
		this.url = settings.url;
		this.token = settings.token;
		this.mode = settings.mode;
		this.upsert = settings.upsert;
		this.rowsPerChunk = settings.rowsPerChunk;
		this.bytesPerChunk = settings.bytesPerChunk;
	}
}

function notSaved(caught: unknown): string {
	return `Not saved: this browser refused to store the settings (${caught instanceof Error ? caught.name : 'error'}).`;
}

/** A failed call as the admin should read it (the client's messages never contain the token). */
export function describe(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	if (error instanceof FatalError && error.status === 401)
		return 'The destination refused the token (401).';
	if (error instanceof RetryableError && error.kind === 'network')
		return `No answer from the destination: is it running, and does it allow this app's origin (CORS)? (${message})`;
	return message;
}

export const settings = new Settings();
