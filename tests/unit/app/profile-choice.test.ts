import { describe, expect, it } from 'vitest';
import {
	PROFILES,
	REFERENCE_API_SCHEMA,
	REFERENCE_PROFILE
} from '../../../src/lib/core/profiles/catalogue';
import { chosenProfile, parseProfile } from '../../../src/lib/state/profile-choice';

const SMALL_API = {
	...REFERENCE_API_SCHEMA,
	requireUuidUserId: true,
	limits: { ...REFERENCE_API_SCHEMA.limits, rowsPerSource: 500 }
};

describe('the destination profile chosen in Settings', () => {
	it.each([
		{ stored: null, choice: 'api', schema: null },
		{ stored: 'not json', choice: 'api', schema: null },
		{ stored: JSON.stringify({ choice: 'hanko' }), choice: 'hanko', schema: null },
		{ stored: JSON.stringify({ choice: 'reference' }), choice: 'api', schema: null },
		{
			stored: JSON.stringify({ choice: 'api', apiSchema: { protocol: 2 } }),
			choice: 'api',
			schema: null
		},
		{
			stored: JSON.stringify({ choice: 'api', apiSchema: SMALL_API }),
			choice: 'api',
			schema: SMALL_API
		}
	])('reads $stored', ({ stored, choice, schema }) => {
		expect(parseProfile(stored)).toEqual({ choice, apiSchema: schema });
	});

	it('is the reference profile until the API is asked, then what it announced', () => {
		expect(chosenProfile({ choice: 'api', apiSchema: null })).toBe(REFERENCE_PROFILE);
		const announced = chosenProfile({ choice: 'api', apiSchema: SMALL_API });
		expect(announced.rules.requireUuid).toBe(true);
		expect(announced.limits.rowsPerImport).toBe(500);
	});

	it('is the named profile when one is chosen, whatever the API announced', () => {
		expect(chosenProfile({ choice: 'loginsign', apiSchema: SMALL_API })).toBe(PROFILES.loginsign);
	});
});
