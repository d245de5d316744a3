import { describe, expect, it } from 'vitest';
import {
	PRESETS,
	detectPreset,
	presetMapping,
	transformRecord,
	type PresetInput
} from '../../../src/lib/core/formats/presets';
import { flattenRecord } from '../../../src/lib/core/json/flatten';
import { mappingOf, proposeMapping } from '../../../src/lib/core/mapping/automap';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import type { FieldName } from '../../../src/lib/core/types';
import { codesOf } from '../../../src/lib/core/validate/codes';
import { Validator } from '../../../src/lib/core/validate/validator';

const OPTIONS = { dateOrder: 'dmy' as const, defaultRegion: 'US', now: Date.UTC(2025, 0, 1) };

/** Records flattened by the JSON reader's own flattenRecord. */
const flatten = (record: Record<string, unknown>) => Object.fromEntries(flattenRecord(record));

function jsonInput(format: 'json' | 'ndjson', records: Record<string, unknown>[]): PresetInput {
	const flat = records.map((record) => flatten(record));
	const keys = [...new Set(flat.flatMap((record) => Object.keys(record)))];
	return {
		format,
		keys,
		header: true,
		sample: flat.map((record) => keys.map((key) => record[key] ?? ''))
	};
}

function csvInput(header: string[] | null, rows: string[][]): PresetInput {
	const count = header?.length ?? Math.max(...rows.map((row) => row.length));
	const keys = header ?? Array.from({ length: count }, (_, i) => `Column ${i + 1}`);
	return { format: 'csv', keys, header: header !== null, sample: rows };
}

/** The proposed mapping as key → field, for keys that got one. */
function proposed(input: PresetInput, preset: string | null) {
	const proposals = proposeMapping({
		columns: input.keys,
		keys: input.keys,
		sample: input.sample,
		preset,
		profile: REFERENCE_PROFILE
	});
	return Object.fromEntries(
		proposals.filter((p) => p.field).map((p) => [input.keys[p.column], [p.field, p.method]])
	);
}

const auth0Ndjson = jsonInput('ndjson', [
	{
		user_id: 'auth0|a1',
		email: 'ada@example.com',
		email_verified: true,
		name: 'Ada Lovelace',
		given_name: 'Ada',
		family_name: 'Lovelace',
		nickname: 'ada',
		created_at: '2020-01-02T10:00:00.000Z',
		updated_at: '2024-05-02T10:00:00.000Z',
		last_login: '2024-05-01T08:00:00.000Z',
		identities: [
			{ connection: 'Username-Password-Authentication', user_id: 'a1', provider: 'auth0' }
		]
	}
]);

const auth0Bulk = jsonInput('json', [
	{
		email: 'ada@example.com',
		email_verified: false,
		user_id: 'legacy-1',
		given_name: 'Ada',
		family_name: 'Lovelace',
		name: 'Ada Lovelace',
		nickname: 'ada',
		username: 'ada',
		blocked: false,
		password_hash: '$2b$10$abcdefghijklmnopqrstuu',
		app_metadata: { roles: 'admin' }
	}
]);

const auth0Dashboard = csvInput(
	['Id', 'Nickname', 'Name', 'email', 'Connection', 'Created At', 'Updated At'],
	[
		[
			'auth0|a1',
			'ada',
			'Ada Lovelace',
			'ada@example.com',
			'Username-Password-Authentication',
			'2020-01-02T10:00:00.000Z',
			'2024-05-02T10:00:00.000Z'
		]
	]
);

const hankoRecords = [
	{
		id: '0d0e2b3c-1111-4a2b-9c3d-000000000001',
		emails: [
			{ address: 'old@example.com', is_primary: false, is_verified: false },
			{ address: 'ada@example.com', is_primary: true, is_verified: true }
		],
		created_at: '2023-01-02T03:04:05Z',
		updated_at: '2024-01-02T03:04:05Z',
		username: 'ada'
	}
];

const firebaseRecords = [
	{
		localId: 'Xk2N3d9',
		email: 'ada@example.com',
		emailVerified: true,
		passwordHash: 'bm90IGEgcmVhbCBoYXNo',
		salt: 'c2FsdA==',
		displayName: 'Ada Lovelace',
		createdAt: '1486324027000',
		lastSignedInAt: '1706324027000',
		phoneNumber: '+442079460958',
		disabled: false,
		providerUserInfo: [{ providerId: 'google.com', rawId: '1234', email: 'ada@gmail.com' }]
	}
];

/** A line of `firebase auth:export --format=csv` (newest layout: 28 values plus the trailing comma). */
function firebaseCsvRow(uid: string, email: string, created: string, lastLogin: string): string[] {
	const row = Array<string>(29).fill('');
	row[0] = uid;
	row[1] = email;
	row[2] = 'true';
	row[3] = 'aGFzaA==';
	row[4] = 'c2FsdA==';
	row[5] = 'Ada Lovelace';
	row[7] = '1234';
	row[8] = 'ada@gmail.com';
	row[23] = created;
	row[24] = lastLogin;
	row[25] = '+442079460958';
	row[26] = 'false';
	return row;
}
const firebaseCsv = csvInput(null, [
	firebaseCsvRow('Xk2N3d9', 'ada@example.com', '1486324027000', '1706324027000'),
	firebaseCsvRow('Yq7', 'bob@example.com', '1486324028000', '')
]);

const loginSign = csvInput(
	['user_id', 'email', 'name', 'registration_date', 'last_login_date'],
	[['1', 'ada@example.com', 'Ada', '2020-01-01', '2024-01-01']]
);

const cognito = csvInput(
	[
		'name',
		'given_name',
		'family_name',
		'middle_name',
		'nickname',
		'preferred_username',
		'profile',
		'picture',
		'website',
		'email',
		'email_verified',
		'gender',
		'birthdate',
		'zoneinfo',
		'locale',
		'phone_number',
		'phone_number_verified',
		'address',
		'updated_at',
		'cognito:mfa_enabled',
		'cognito:username'
	],
	[
		[
			'Ada Lovelace',
			'Ada',
			'Lovelace',
			'',
			'ada',
			'countess',
			'',
			'',
			'',
			'ada@example.com',
			'true',
			'',
			'',
			'',
			'en-GB',
			'+442079460958',
			'false',
			'',
			'1706324027',
			'false',
			'ada-1815'
		]
	]
);

describe('detectPreset', () => {
	const cases: { name: string; input: PresetInput; expected: string | null }[] = [
		{ name: 'Auth0 user export NDJSON', input: auth0Ndjson, expected: 'auth0-export' },
		{
			name: 'Auth0 export without identities, by its provider-prefixed ids',
			input: jsonInput('ndjson', [
				{ user_id: 'google-oauth2|1', email: 'a@example.com', name: 'A' }
			]),
			expected: 'auth0-export'
		},
		{ name: 'Auth0 bulk-import JSON', input: auth0Bulk, expected: 'auth0-bulk-import' },
		{ name: 'Auth0 dashboard CSV', input: auth0Dashboard, expected: 'auth0-dashboard-csv' },
		{ name: 'Hanko JSON', input: jsonInput('json', hankoRecords), expected: 'hanko' },
		{
			name: 'Firebase auth:export JSON',
			input: jsonInput('json', firebaseRecords),
			expected: 'firebase-json'
		},
		{ name: 'Firebase headerless CSV', input: firebaseCsv, expected: 'firebase-csv' },
		{
			name: 'Firebase headerless CSV, older 26-column layout',
			input: csvInput(null, [
				firebaseCsvRow('Xk2N3d9', 'ada@example.com', '1486324027000', '1706324027000').slice(0, 27)
			]),
			expected: 'firebase-csv'
		},
		{ name: 'LoginSign CSV', input: loginSign, expected: 'loginsign-csv' },
		{ name: 'Cognito user-pool CSV', input: cognito, expected: 'cognito-csv' },
		{
			name: 'Hanko import file (user_id, no id)',
			input: jsonInput('json', [
				{ user_id: 'u1', emails: [{ address: 'a@example.com', is_primary: true }] }
			]),
			expected: 'hanko-import'
		},
		{
			name: 'a plain list of addresses is no Hanko file',
			input: jsonInput('json', [{ id: '1', emails: ['a@example.com', 'b@example.com'] }]),
			expected: null
		},
		{
			name: 'Keycloak users',
			input: jsonInput('json', [{ id: '1', username: 'ada', createdTimestamp: 1710234902114 }]),
			expected: 'keycloak-realm'
		},
		{
			name: 'Supabase auth.users CSV',
			input: csvInput(
				['id', 'aud', 'role', 'email', 'encrypted_password'],
				[['5b0d', 'authenticated', 'authenticated', 'a@example.com', '$2a$10$x']]
			),
			expected: 'supabase-users-csv'
		},
		{
			name: 'Clerk CSV',
			input: csvInput(
				['id', 'first_name', 'primary_email_address', 'password_digest', 'password_hasher'],
				[['user_1', 'Ada', 'a@example.com', '', '']]
			),
			expected: 'clerk-csv'
		},
		{
			name: 'a generic CSV',
			input: csvInput(['id', 'email', 'name'], [['1', 'a@example.com', 'A']]),
			expected: null
		},
		{
			name: 'a generic NDJSON with plain ids',
			input: jsonInput('ndjson', [{ user_id: '1', email: 'a@example.com' }]),
			expected: null
		},
		{
			name: 'a generic JSON array',
			input: jsonInput('json', [{ id: 1, email: 'a@example.com', email_verified: true }]),
			expected: null
		},
		{
			name: 'a headerless CSV of another shape',
			input: csvInput(null, [['1', 'a@example.com', '2021-01-01']]),
			expected: null
		}
	];
	for (const { name, input, expected } of cases)
		it(name, () => expect(detectPreset(input)).toBe(expected));

	it('every preset has a label and an id of its own', () => {
		expect(new Set(PRESETS.map((preset) => preset.id)).size).toBe(PRESETS.length);
		for (const preset of PRESETS) expect(preset.label).toMatch(/\w/);
	});
});

describe('preset mappings', () => {
	const cases: {
		name: string;
		input: PresetInput;
		config: { preset: string };
		expected: Record<string, FieldName | null>;
	}[] = [
		{
			name: 'Auth0 export: created_at and last_login, not updated_at',
			input: auth0Ndjson,
			config: { preset: 'auth0-export' },
			expected: {
				user_id: 'user_id',
				email: 'email',
				email_verified: 'email_verified',
				name: 'name',
				given_name: 'given_name',
				family_name: 'family_name',
				nickname: 'nickname',
				created_at: 'registration_date',
				updated_at: null,
				last_login: 'last_login_date',
				identities: 'identities'
			}
		},
		{
			name: 'Auth0 bulk import',
			input: auth0Bulk,
			config: { preset: 'auth0-bulk-import' },
			expected: {
				email: 'email',
				user_id: 'user_id',
				username: 'username',
				blocked: 'blocked',
				password_hash: 'password_hash',
				app_metadata: 'app_metadata'
			}
		},
		{
			name: 'Auth0 dashboard CSV: "Updated At" is no login and "Connection" is not imported',
			input: auth0Dashboard,
			config: { preset: 'auth0-dashboard-csv' },
			expected: {
				Id: 'user_id',
				Nickname: 'nickname',
				Name: 'name',
				email: 'email',
				Connection: null,
				'Created At': 'registration_date',
				'Updated At': null
			}
		},
		{
			name: 'Firebase JSON',
			input: jsonInput('json', firebaseRecords),
			config: { preset: 'firebase-json' },
			expected: {
				localId: 'user_id',
				email: 'email',
				emailVerified: 'email_verified',
				passwordHash: 'password_hash',
				salt: 'password_salt',
				displayName: 'name',
				createdAt: 'registration_date',
				lastSignedInAt: 'last_login_date',
				phoneNumber: 'phone_number',
				disabled: 'blocked',
				providerUserInfo: 'identities'
			}
		},
		{
			name: 'Firebase headerless CSV by column position',
			input: firebaseCsv,
			config: { preset: 'firebase-csv' },
			expected: {
				'Column 1': 'user_id',
				'Column 2': 'email',
				'Column 3': 'email_verified',
				'Column 4': 'password_hash',
				'Column 5': 'password_salt',
				'Column 6': 'name',
				'Column 9': null,
				'Column 24': 'registration_date',
				'Column 25': 'last_login_date',
				'Column 26': 'phone_number',
				'Column 27': 'blocked'
			}
		},
		{
			name: 'LoginSign',
			input: loginSign,
			config: { preset: 'loginsign-csv' },
			expected: {
				user_id: 'user_id',
				email: 'email',
				name: 'name',
				registration_date: 'registration_date',
				last_login_date: 'last_login_date'
			}
		},
		{
			name: 'Cognito: cognito:username is the user id, preferred_username the username',
			input: cognito,
			config: { preset: 'cognito-csv' },
			expected: {
				'cognito:username': 'user_id',
				preferred_username: 'username',
				email: 'email',
				email_verified: 'email_verified',
				phone_number: 'phone_number',
				phone_number_verified: 'phone_verified',
				middle_name: null,
				updated_at: null,
				locale: 'locale'
			}
		}
	];
	for (const { name, input, config, expected } of cases)
		it(name, () => {
			const mapping = proposed(input, config.preset);
			for (const [key, field] of Object.entries(expected)) {
				expect(mapping[key]?.[0] ?? null, key).toBe(field);
				if (field && presetMapping(config.preset).has(key)) expect(mapping[key][1]).toBe('preset');
			}
		});

	it('without the preset, Auth0 dashboard headers would still map by alias', () => {
		expect(proposed(auth0Dashboard, null)).toMatchObject({ Id: ['user_id', 'alias'] });
	});

	it('presetMapping lists imported keys only', () => {
		const mapping = presetMapping('auth0-dashboard-csv');
		expect(mapping.get('Created At')).toBe('registration_date');
		expect(mapping.has('Updated At')).toBe(false);
		expect(mapping.has('Connection')).toBe(false);
		expect(presetMapping(null).size).toBe(0);
		expect(presetMapping('no-such-preset').size).toBe(0);
	});
});

describe('Firebase epoch-ms createdAt becomes a registration date', () => {
	it('validates and orders against lastSignedInAt', () => {
		const input = jsonInput('json', [
			...firebaseRecords,
			{
				...firebaseRecords[0],
				localId: 'late',
				email: 'b@example.com',
				lastSignedInAt: '1486324026000'
			}
		]);
		const mapping = mappingOf(
			proposeMapping({
				columns: input.keys,
				keys: input.keys,
				sample: input.sample,
				preset: 'firebase-json',
				profile: REFERENCE_PROFILE
			})
		);
		const validator = new Validator({
			profile: REFERENCE_PROFILE,
			mapping,
			columns: input.keys,
			options: OPTIONS
		});
		for (const row of input.sample) validator.add(row, row.length);
		const summary = validator.finish();
		expect(summary.valid).toBe(2);
		expect(summary.issueCounts.invalid_date).toBe(0);
		expect(summary.issueCounts.login_before_registration).toBe(1);
		// Without the project's hash config a Firebase hash cannot be verified: a reset, not an error.
		expect(codesOf(summary.rowIssues[0])).toEqual(['unsupported_password_hash']);
	});
});

describe('transformRecord', () => {
	it('Hanko: the address list stays whole, one column; no email is guessed from it', () => {
		const record = hankoRecords[0];
		const out = transformRecord('hanko', record);
		expect(out).toEqual(record);
		expect(Object.keys(flatten(out)).filter((key) => key.startsWith('email'))).toEqual(['emails']);
	});

	it('Hanko import: the password object gives its bcrypt string', () => {
		const out = transformRecord('hanko-import', {
			user_id: 'u',
			emails: [],
			password: { password: '$2a$10$abc', created_at: '2023-05-02T10:00:00Z' }
		});
		expect(out.password).toBe('$2a$10$abc');
		expect(transformRecord('hanko-import', { emails: [], password: null }).password).toBeNull();
	});

	it('Hanko mapping after the transform', () => {
		const flat = flatten(transformRecord('hanko', hankoRecords[0]));
		const input: PresetInput = {
			format: 'json',
			keys: Object.keys(flat),
			header: true,
			sample: [Object.values(flat)]
		};
		expect(proposed(input, 'hanko')).toEqual({
			id: ['user_id', 'preset'],
			emails: ['emails', 'preset'],
			created_at: ['registration_date', 'preset'],
			username: ['username', 'preset']
		});
	});

	it('Keycloak: enabled becomes blocked, attributes one JSON cell', () => {
		const out = transformRecord('keycloak-realm', {
			id: '1',
			enabled: false,
			attributes: { locale: ['de'] }
		});
		expect(out).toEqual({ id: '1', attributes: '{"locale":["de"]}', blocked: true });
		expect(transformRecord('keycloak-realm', { id: '2' })).toEqual({ id: '2' });
	});

	it('keeps __proto__ keys inert and leaves prototypes alone', () => {
		const record = JSON.parse(
			'{"id":"1","__proto__":{"polluted":true},"emails":[{"address":"a@example.com","is_primary":true}],"username":{"username":"ada"}}'
		);
		const out = transformRecord('hanko', record);
		expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
		expect((out as { polluted?: boolean }).polluted).toBeUndefined();
		expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
		expect(Object.keys(out)).toEqual(['id', '__proto__', 'emails', 'username']);
		expect(out.username).toBe('ada');
		expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: true });
	});

	it('is the identity without a preset or without a transform', () => {
		const record = { a: 1 };
		expect(transformRecord(null, record)).toBe(record);
		expect(transformRecord('auth0-export', record)).toBe(record);
	});
});
