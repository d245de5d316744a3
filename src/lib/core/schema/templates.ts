/** Import templates: a header row of a destination's fields with one valid example user. */
import type { DestinationProfile } from '../profiles/types';
import type { FieldName } from '../types';
import { fieldByName, STRUCTURED_TYPES } from './fields';

/** One example value per field, each valid under the validation rules. */
const EXAMPLES: Record<FieldName, string> = {
	user_id: '1001',
	email: 'ada@example.com',
	name: 'Ada Lovelace',
	given_name: 'Ada',
	family_name: 'Lovelace',
	username: 'ada',
	nickname: 'Countess',
	email_verified: 'true',
	phone_number: '+442079460958',
	registration_date: '2024-01-31',
	last_login_date: '2024-05-01T08:30:00Z',
	locale: 'en-GB',
	roles: 'admin',
	organization: 'Analytical Engines Ltd',
	blocked: 'false',
	password_hash: '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy',
	// bcrypt keeps its salt in the hash; the structured password is the alternative to the hash.
	password_salt: '',
	password: '',
	phone_verified: 'true',
	picture: 'https://example.com/ada.png',
	emails: '[{"address":"ada@example.com","primary":true,"verified":true}]',
	identities: '[{"provider":"google-oauth2","user_id":"109"}]',
	app_metadata: '{"plan":"pro"}',
	user_metadata: '{"theme":"dark"}'
};

/** A JSON template's value: booleans and structured values as JSON has them, as exports write them. */
function jsonValue(name: FieldName): unknown {
	const { type } = fieldByName(name);
	const example = EXAMPLES[name];
	if (type === 'boolean') return example === 'true';
	if (STRUCTURED_TYPES.has(type) && example !== '') return JSON.parse(example);
	return example;
}

/** A value for a CSV cell: quoted when it holds a delimiter, quote or line break (RFC 4180). */
export function csvCell(value: string): string {
	return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Header row with the destination's field names plus one example row. */
export function templateCsv(profile: DestinationProfile): string {
	const names = profile.fields.map((field) => field.name);
	const header = names.map(csvCell).join(',');
	const example = names.map((name) => csvCell(EXAMPLES[name])).join(',');
	return `${header}\r\n${example}\r\n`;
}

/** A JSON array with one example user. */
export function templateJson(profile: DestinationProfile): string {
	const example: Record<string, unknown> = {};
	for (const { name } of profile.fields) example[name] = jsonValue(name);
	return `${JSON.stringify([example], null, 2)}\n`;
}
