import type { DestinationProfile } from '../core/profiles/types';
import type { ApiSchema } from '../core/protocol/import-api';
import { ImportApiClient } from '../upload/client';
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
	parseSettings,
	type DestinationSettings
} from '../upload/settings';

export { PROFILE_CHOICES, type ProfileChoice } from './profile-choice';

/**
 * Stored in localStorage under this key, as JSON. localStorage rather than IndexedDB: a few
 * hundred bytes read synchronously when the page starts, kept apart from the sources so "Delete all
 * local data" on the sources page leaves the destination as configured. The token is a secret: it
 * is stored only here, sent only in the Authorization header, and never logged or shown in a URL.
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
	token = $state(DEFAULT_SETTINGS.token);
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

	constructor() {
		this.#assign(parseSettings(storage()?.getItem(SETTINGS_KEY) ?? null));
		const stored = parseProfile(storage()?.getItem(PROFILE_KEY) ?? null);
		this.profileChoice = stored.choice;
		this.apiSchema = stored.apiSchema;
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
			this.saveError = `Not saved: this browser refused to store the settings (${caught instanceof Error ? caught.name : 'error'}).`;
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

	/** Writes the settings when they differ from what is stored (meant for an $effect). */
	persist(value: DestinationSettings = this.value): void {
		const text = JSON.stringify(value);
		let error: string | null = null;
		try {
			const store = storage();
			if (store && store.getItem(SETTINGS_KEY) !== text) store.setItem(SETTINGS_KEY, text);
		} catch (caught) {
			error = `Not saved: this browser refused to store the settings (${caught instanceof Error ? caught.name : 'error'}).`;
		}
		if (this.saveError !== error) this.saveError = error;
	}

	reset(): void {
		this.#assign(DEFAULT_SETTINGS);
		this.check = { state: 'idle' };
		this.profileChoice = 'api';
		this.apiSchema = null;
		this.#persistProfile();
		this.persist();
	}

	client(): ImportApiClient {
		return new ImportApiClient({ baseUrl: this.value.url, token: this.value.token });
	}

	/** GET /schema with the token: proves the address, the token and CORS, and gives the limits. */
	async test(): Promise<void> {
		const problem = this.problem;
		if (problem) {
			this.check = { state: 'failed', message: problem };
			return;
		}
		this.check = { state: 'testing' };
		try {
			const schema = await this.client().schema({ timeoutMs: 10_000 });
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
