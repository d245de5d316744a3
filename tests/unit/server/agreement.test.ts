/**
 * The app's validation and the reference API's (server/validate.ts) give hostile values the same
 * verdict: a row the client accepts is accepted when uploaded (as the client sends it, normalised),
 * and a row the client refuses is refused by the API too when sent anyway (as written, trimmed;
 * structured cells and lists as the JSON they hold, when they hold JSON).
 */
import { describe, expect, it } from 'vitest';
import { checkRow } from '../../../server/validate';
import { FIELDS, fieldByName, STRUCTURED_TYPES } from '../../../src/lib/core/schema/fields';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import type { FieldName, ValidationOptions } from '../../../src/lib/core/types';
import { canonicalRecord } from '../../../src/lib/core/validate/canonical';
import { ERROR_MASK, codesOf } from '../../../src/lib/core/validate/codes';
import { normaliseRecord } from '../../../src/lib/core/validate/normalize';
import { Validator } from '../../../src/lib/core/validate/validator';
import { HASHES } from '../identity/fixtures';

const OPTIONS: ValidationOptions = {
	dateOrder: 'dmy',
	defaultRegion: 'US',
	now: Date.UTC(2025, 0, 1)
};

const NORMALISE = {
	dateOrders: {},
	dateOrder: OPTIONS.dateOrder,
	defaultRegion: OPTIONS.defaultRegion,
	profile: REFERENCE_PROFILE
};

const CONTROLS = ['\x00', '\x01', '\x08', '\x0b', '\x0c', '\x1b', '\x1f', '\x7f', '\u0080'];
const C1 = ['\u0085', '\u009b', '\u009f'];
const KEPT = ['\t', '\n', '\r\n', '\u00a0', '\u200b', '\u2028', '©'];

/** Hostile values for every field: each character inside, before and after a plain value. */
function around(value: string): string[] {
	return [...CONTROLS, ...C1, ...KEPT].flatMap((char) => [
		`${value}${char}x`,
		`${char}${value}`,
		`${value}${char}`
	]);
}

const PLAIN: Record<FieldName, string> = {
	user_id: 'u1',
	email: 'ada@example.com',
	name: 'Ada Lovelace',
	given_name: 'Ada',
	family_name: 'Lovelace',
	username: 'ada',
	nickname: 'A',
	email_verified: 'true',
	phone_number: '+1 202 555 0143',
	registration_date: '2024-01-01',
	last_login_date: '2024-05-01T08:30:00Z',
	locale: 'en-US',
	roles: '["admin"]',
	organization: 'Analytical Engines',
	blocked: 'no',
	password_hash: HASHES.bcrypt2b,
	password_salt: 'c2FsdA==',
	picture: 'https://example.com/a.png',
	phone_verified: 'true',
	emails: '[{"address":"ada@example.com","primary":true,"verified":true}]',
	password: '{"algorithm":"md5","hash":"5f4dcc3b5aa765d61d8327deb882cf99","encoding":"hex"}',
	identities: '[]',
	app_metadata: '{"plan":"pro"}',
	user_metadata: '{}'
};

const LOCALES = [
	'en',
	'en-US',
	'en_US',
	'zh-Hant-TW',
	'English',
	'<script>',
	'<script>alert(1)</script>',
	'e',
	'en-',
	'en US',
	'en\x00',
	'\x1b[2Jen'
];

/** The issue's own examples, sent straight to the API. */
const REPORTED: [FieldName, string][] = [
	['user_id', 'u\x001'],
	['registration_date', 'not a date'],
	['phone_number', 'garbage'],
	['locale', '<script>alert(1)</script>']
];

const address = (address: string, primary = true) =>
	JSON.stringify({ address, primary, verified: false });

/** The faithful user's fields: addresses and their primary, credentials, JSON shapes and sizes. */
const STRUCTURED: [FieldName, string][] = [
	['emails', `[${address('old@example.com', false)},${address('ada@example.com')}]`],
	['emails', `[${address('old@example.com')},${address('ada@example.com')}]`],
	['emails', `[${address('ada@example.com', false)}]`],
	['emails', `[${address('other@example.com')}]`],
	['emails', `[${address('not-an-address')}]`],
	['emails', `[${address('ada\u0085@example.com')}]`],
	['emails', '[]'],
	['emails', 'ada@example.com'],
	['emails', '{"address":"ada@example.com"}'],
	['password', JSON.stringify({ algorithm: 'bcrypt', hash: HASHES.bcrypt2a })],
	['password', JSON.stringify({ algorithm: 'bcrypt', hash: '$2b$99$short' })],
	['password', JSON.stringify({ algorithm: 'md5', hash: 'abc', encoding: 'hex' })],
	['password', JSON.stringify({ algorithm: 'rot13', hash: 'nqn' })],
	['password', JSON.stringify({ algorithm: 'md5', hash: HASHES.bcrypt2b })],
	['password', JSON.stringify({ algorithm: 'bcrypt', hash: { value: HASHES.bcrypt2b } })],
	['password', JSON.stringify({ algorithm: 'argon2', hash: { value: HASHES.argon2id } })],
	['password', HASHES.argon2id],
	['password', '[]'],
	['password', '"text"'],
	['password_hash', HASHES.md5],
	['password_hash', HASHES.ldapSsha],
	['password_hash', '$2b$10$short'],
	['password_hash', 'not a hash at all'],
	['password_salt', ''],
	['identities', '{"provider":"x"}'],
	['identities', '[{"provider":"google-oauth2","user_id":"1"}]'],
	['app_metadata', '["pro"]'],
	['app_metadata', `{"bio":"${'x'.repeat(1100)}"}`],
	['app_metadata', '{"plan":"pro\u0085"}'],
	['app_metadata', '{"plan":"pro"}'],
	['user_metadata', 'null'],
	['user_metadata', '{"a":{"b":[1,2,{"c":null}]}}'],
	['roles', '["admin","dev"]'],
	['roles', '["admin\u0000"]'],
	['roles', '[1,2]'],
	['phone_verified', 'maybe'],
	['picture', 'x'.repeat(1025)]
];

const CASES: [FieldName, string][] = [
	...FIELDS.flatMap(({ name }) =>
		around(PLAIN[name]).map((value): [FieldName, string] => [name, value])
	),
	...LOCALES.map((value): [FieldName, string] => ['locale', value]),
	...REPORTED,
	...STRUCTURED
];

/** One credential per row: the `password` object, or a bare `password_hash` with its salt. */
const BARE_HASH: readonly FieldName[] = ['password_hash', 'password_salt'];

/**
 * A row as a client that skipped validation sends it: trimmed text, and the structured values
 * and lists as the JSON their text holds (the text itself when it holds none).
 */
function asWritten(record: Record<string, string>): Record<string, unknown> {
	return Object.fromEntries(
		Object.entries(record).map(([field, text]) => {
			const { type } = fieldByName(field as FieldName);
			if (!STRUCTURED_TYPES.has(type) && type !== 'list') return [field, text];
			try {
				// null is no value on the wire: the text "null" is sent as text.
				return [field, JSON.parse(text) ?? text];
			} catch {
				return [field, text];
			}
		})
	);
}

/** The client's verdict of one row of every field with `field` set to `value`. */
function clientVerdict(field: FieldName, value: string) {
	const bare = BARE_HASH.includes(field);
	const columns = FIELDS.map(({ name }) => name).filter((name) =>
		bare ? name !== 'password' : !BARE_HASH.includes(name)
	);
	const fields = columns.map((name) => (name === field ? value : PLAIN[name]));
	const validator = new Validator({
		profile: REFERENCE_PROFILE,
		mapping: columns,
		columns,
		options: OPTIONS
	});
	validator.add(fields, fields.length);
	const mask = validator.finish().rowIssues[0];
	return {
		accepted: (mask & ERROR_MASK) === 0,
		codes: codesOf(mask),
		record: canonicalRecord(fields, columns)
	};
}

describe('client and API agree on hostile values', () => {
	it('has cases both accept and cases both refuse, in every field', () => {
		expect(CASES.length).toBeGreaterThan(FIELDS.length * 50);
		const refusedFields = new Set(
			CASES.filter(([field, value]) => !clientVerdict(field, value).accepted).map(
				([field]) => field
			)
		);
		expect([...refusedFields].sort()).toEqual(FIELDS.map(({ name }) => name).sort());
	});

	it('every row the client accepts the API accepts, and every row it refuses the API refuses', () => {
		const disagreements = CASES.flatMap(([field, value]) => {
			const { accepted, codes, record } = clientVerdict(field, value);
			const sent = accepted
				? normaliseRecord(record, NORMALISE)
				: asWritten(record as Record<string, string>);
			const check = checkRow(sent);
			return check.ok === accepted ? [] : [{ field, value, codes, api: check }];
		});
		expect(disagreements).toEqual([]);
	});
});
