/** Which destination profile validation uses: the choice in Settings, as stored in this browser. */
import { PROFILES, REFERENCE_PROFILE, profileFromApiSchema } from '../core/profiles/catalogue';
import type { DestinationProfile, ProfileName } from '../core/profiles/types';
import type { ApiSchema } from '../core/protocol/import-api';

/**
 * The destination profile chosen in Settings, with the last `GET /schema` the configured API
 * answered (nothing secret), under its own key so the destination's stored shape stays as it is.
 */
export const PROFILE_KEY = 'ferry.profile';

/** 'api': the configured API's own profile (its GET /schema); else a named platform's profile. */
export type ProfileChoice = 'api' | Exclude<ProfileName, 'reference'>;

export const PROFILE_CHOICES: readonly ProfileChoice[] = [
	'api',
	'loginsign',
	'auth0',
	'hanko',
	'cognito',
	'firebase'
];

export interface StoredProfile {
	choice: ProfileChoice;
	apiSchema: ApiSchema | null;
}

function isApiSchema(value: unknown): value is ApiSchema {
	if (typeof value !== 'object' || value === null) return false;
	const schema = value as Partial<ApiSchema>;
	return (
		schema.protocol === 1 &&
		typeof schema.name === 'string' &&
		Array.isArray(schema.fields) &&
		typeof schema.limits === 'object' &&
		schema.limits !== null
	);
}

/** The stored choice, or the default (the configured API, its schema not fetched yet). */
export function parseProfile(text: string | null): StoredProfile {
	try {
		const value = JSON.parse(text ?? 'null') as Partial<StoredProfile> | null;
		const choice = PROFILE_CHOICES.includes(value?.choice as ProfileChoice)
			? (value!.choice as ProfileChoice)
			: 'api';
		return { choice, apiSchema: isApiSchema(value?.apiSchema) ? value.apiSchema : null };
	} catch {
		return { choice: 'api', apiSchema: null };
	}
}

/** The profile validation uses: a named one, or the API's (the reference one until it is fetched). */
export function chosenProfile(stored: StoredProfile): DestinationProfile {
	if (stored.choice !== 'api') return PROFILES[stored.choice];
	return stored.apiSchema ? profileFromApiSchema(stored.apiSchema) : REFERENCE_PROFILE;
}
