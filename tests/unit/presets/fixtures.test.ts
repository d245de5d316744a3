import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectPreset, transformRecord } from '../../../src/lib/core/formats/presets';
import { proposeMapping } from '../../../src/lib/core/mapping/automap';
import { isKnownAlias } from '../../../src/lib/core/mapping/normalize';
import { PROFILES, REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import type { ProfileName } from '../../../src/lib/core/profiles/types';
import { codesOf } from '../../../src/lib/core/validate/codes';
import { normaliseRecord } from '../../../src/lib/core/validate/normalize';
import { Validator } from '../../../src/lib/core/validate/validator';
import { inspectText } from '../../../src/lib/core/sniff/inspect';
import type { FieldName, IssueCode } from '../../../src/lib/core/types';

const FIXTURES = join(import.meta.dirname, '../../fixtures/presets');
const HOOKS = { isKnownAlias, detectPreset, transformRecord };

/** A fixture read as the app reads it: layout, the proposed mapping and canonical records. */
function read(file: string) {
	const text = readFileSync(join(FIXTURES, file), 'utf8');
	const { layout, preview, notices } = inspectText(text, true, HOOKS);
	const proposals = proposeMapping({
		columns: layout.columns,
		keys: layout.keys,
		sample: preview.map((record) => record.fields),
		preset: layout.preset,
		profile: REFERENCE_PROFILE
	});
	const mapping: Record<string, FieldName | null> = Object.fromEntries(
		layout.keys.map((key, column) => [key, proposals[column].field])
	);
	const users = preview.map((record) =>
		Object.fromEntries(
			proposals
				.filter((proposal) => proposal.field !== null)
				.map((proposal) => [proposal.field as FieldName, record.fields[proposal.column]])
		)
	);
	return { layout, mapping, users, notices };
}

interface FixtureCase {
	file: string;
	preset: string;
	format: 'csv' | 'json' | 'ndjson';
	rows: number;
	/** Key → field expected of the proposed mapping (null: deliberately not imported). */
	mapping: Record<string, FieldName | null>;
	/** Row index → canonical values expected in that row. */
	users: Record<number, Partial<Record<FieldName, string>>>;
}

const CASES: FixtureCase[] = [
	{
		file: 'auth0-export.ndjson',
		preset: 'auth0-export',
		format: 'ndjson',
		rows: 4,
		mapping: {
			user_id: 'user_id',
			email: 'email',
			email_verified: 'email_verified',
			given_name: 'given_name',
			picture: 'picture',
			created_at: 'registration_date',
			last_login: 'last_login_date',
			updated_at: null,
			logins_count: null,
			identities: 'identities',
			app_metadata: 'app_metadata',
			user_metadata: 'user_metadata',
			blocked: 'blocked'
		},
		users: {
			0: {
				user_id: 'auth0|65f0c1e2a1b2c3d4e5f60718',
				identities:
					'[{"connection":"Username-Password-Authentication","user_id":"65f0c1e2a1b2c3d4e5f60718","provider":"auth0","isSocial":false}]',
				app_metadata: '{"roles":["editor"],"plan":"pro"}',
				user_metadata: '{"locale":"es-ES"}'
			},
			1: { user_id: 'google-oauth2|103547991597142817347', name: 'Zoë Núñez', app_metadata: '' },
			2: { name: '山田 太郎', given_name: '', app_metadata: '{}', email_verified: 'false' },
			3: { blocked: 'true', identities: expect.stringContaining('"provider":"auth0"') }
		}
	},
	{
		file: 'auth0-bulk-import.json',
		preset: 'auth0-bulk-import',
		format: 'json',
		rows: 13,
		mapping: {
			email: 'email',
			user_id: 'user_id',
			password_hash: 'password_hash',
			custom_password_hash: 'password',
			app_metadata: 'app_metadata',
			user_metadata: 'user_metadata',
			mfa_factors: null
		},
		users: {
			0: {
				password_hash: '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy',
				password: '',
				app_metadata: '{"roles":["admin"],"plan":"enterprise"}'
			},
			12: { name: 'Sofía Ørsted-Łukasz', nickname: '', user_metadata: '{"greeting":"¡Hola! 👋"}' }
		}
	},
	{
		file: 'auth0-dashboard.csv',
		preset: 'auth0-dashboard-csv',
		format: 'csv',
		rows: 4,
		mapping: {
			Id: 'user_id',
			'Given Name': 'given_name',
			'Family Name': 'family_name',
			Email: 'email',
			'Email Verified': 'email_verified',
			Picture: 'picture',
			Connection: null,
			'Created At': 'registration_date',
			'Updated At': null
		},
		users: {
			0: { user_id: 'auth0|65f0c1e2a1b2c3d4e5f60718', email: 'ana.ruiz@example.org' },
			2: { name: '山田 太郎', given_name: '', email_verified: 'false' },
			3: { given_name: 'O"Brien', family_name: 'Smith, Jr.' }
		}
	},
	{
		file: 'hanko-import.json',
		preset: 'hanko-import',
		format: 'json',
		rows: 5,
		mapping: {
			user_id: 'user_id',
			emails: 'emails',
			username: 'username',
			password: 'password',
			otp_secret: null,
			created_at: 'registration_date',
			updated_at: null
		},
		users: {
			0: { emails: '', username: 'passkey.only', password: '' },
			1: { password: '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy' },
			2: { emails: expect.stringContaining('jürgen@müller.example') },
			// No primary and two primaries: no address is guessed; validation flags the rows.
			3: { user_id: 'not-a-uuid-legacy-42' },
			4: { emails: expect.stringContaining('one@example.org') }
		}
	},
	{
		file: 'hanko-admin.json',
		preset: 'hanko',
		format: 'json',
		rows: 3,
		mapping: {
			id: 'user_id',
			emails: 'emails',
			username: 'username',
			identities: 'identities',
			metadata: 'app_metadata',
			password: null,
			otp: null,
			webauthn_credentials: null,
			picture: 'picture'
		},
		users: {
			0: {
				emails: expect.stringContaining('"ana.ruiz@example.org"'),
				username: 'anaruiz',
				app_metadata: '{"public_metadata":{"role":"editor"},"private_metadata":{"crm_id":42}}'
			},
			1: { user_id: '0b41f4a1-4ad5-4c1f-a7f1-1f3c0b7f2e11', emails: '' },
			2: { name: 'Jürgen Müller', emails: expect.stringContaining('jürgen@müller.example') }
		}
	},
	{
		file: 'firebase-export.json',
		preset: 'firebase-json',
		format: 'json',
		rows: 3,
		mapping: {
			localId: 'user_id',
			passwordHash: 'password_hash',
			salt: 'password_salt',
			photoUrl: 'picture',
			customAttributes: 'app_metadata',
			providerUserInfo: 'identities',
			createdAt: 'registration_date',
			lastSignedInAt: 'last_login_date',
			disabled: 'blocked'
		},
		users: {
			0: {
				password_salt: '42xEC+ixf3L2lw==',
				app_metadata: '{"admin":true,"tier":"gold"}',
				identities: expect.stringContaining('"providerId":"google.com"'),
				registration_date: '1680000000000'
			},
			1: { email: '', phone_number: '+14155550100', identities: '', password_hash: '' },
			2: { name: 'Łukasz Ørsted', blocked: 'true' }
		}
	},
	{
		file: 'firebase-export.csv',
		preset: 'firebase-csv',
		format: 'csv',
		rows: 3,
		mapping: {
			'Column 1': 'user_id',
			'Column 4': 'password_hash',
			'Column 5': 'password_salt',
			'Column 7': 'picture',
			'Column 8': null,
			'Column 24': 'registration_date',
			'Column 25': 'last_login_date',
			'Column 27': 'blocked',
			'Column 28': 'app_metadata'
		},
		users: {
			0: { app_metadata: '{"admin":true,"tier":"gold"}', password_salt: '42xEC+ixf3L2lw==' },
			2: { name: 'Ørsted, Łukasz', blocked: 'true' }
		}
	},
	{
		file: 'cognito.csv',
		preset: 'cognito-csv',
		format: 'csv',
		rows: 3,
		mapping: {
			'cognito:username': 'user_id',
			preferred_username: 'username',
			phone_number_verified: 'phone_verified',
			picture: 'picture',
			birthdate: null,
			updated_at: null,
			'cognito:mfa_enabled': null
		},
		users: { 0: { user_id: 'ana.ruiz', username: 'anita' }, 1: { given_name: 'Jürgen' } }
	},
	{
		file: 'loginsign.csv',
		preset: 'loginsign-csv',
		format: 'csv',
		rows: 3,
		mapping: { user_id: 'user_id', registration_date: 'registration_date' },
		users: { 2: { name: 'Núñez, Zoë' } }
	},
	{
		file: 'supabase-users.csv',
		preset: 'supabase-users-csv',
		format: 'csv',
		rows: 3,
		mapping: {
			id: 'user_id',
			email: 'email',
			encrypted_password: 'password_hash',
			raw_app_meta_data: 'app_metadata',
			raw_user_meta_data: 'user_metadata',
			last_sign_in_at: 'last_login_date',
			created_at: 'registration_date',
			phone: 'phone_number',
			role: null,
			email_confirmed_at: null,
			banned_until: null,
			instance_id: null
		},
		users: {
			0: {
				password_hash: '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy',
				registration_date: '2024-03-12 09:15:02.114+00:00',
				app_metadata: '{"provider": "email", "providers": ["email"]}'
			},
			1: { password_hash: '', user_metadata: expect.stringContaining('Zoë Núñez') },
			2: {
				password_hash:
					'$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG',
				registration_date: '2024-04-01 12:00:00+05:30',
				user_metadata: '{}'
			}
		}
	},
	{
		file: 'keycloak-realm.json',
		preset: 'keycloak-realm',
		format: 'json',
		rows: 3,
		mapping: {
			id: 'user_id',
			username: 'username',
			firstName: 'given_name',
			lastName: 'family_name',
			emailVerified: 'email_verified',
			createdTimestamp: 'registration_date',
			credentials: 'password',
			attributes: 'user_metadata',
			realmRoles: 'roles',
			federatedIdentities: 'identities',
			blocked: 'blocked',
			groups: null,
			requiredActions: null
		},
		users: {
			0: {
				blocked: 'false',
				roles: 'default-roles-acme, admin',
				user_metadata: '{"locale":["es"],"department":["Sales","EMEA"]}',
				password: expect.stringContaining('pbkdf2-sha256'),
				registration_date: '1710234902114'
			},
			1: { blocked: 'true', username: 'jürgen', password: expect.stringContaining('"type":"otp"') },
			2: { password: '', email: '', user_metadata: '' }
		}
	},
	{
		file: 'clerk.csv',
		preset: 'clerk-csv',
		format: 'csv',
		rows: 4,
		mapping: {
			id: 'user_id',
			first_name: 'given_name',
			last_name: 'family_name',
			primary_email_address: 'email',
			primary_phone_number: 'phone_number',
			password_digest: 'password_hash',
			password_hasher: null,
			verified_email_addresses: null,
			unverified_email_addresses: null,
			totp_secret: null
		},
		users: {
			0: { password_hash: '$2a$10$fgPOubgdJs90F1GK2u.Qye7Xyyi2ajrQJoB5LDG5bnITEvFR/xhZ.' },
			1: { given_name: 'Jürgen', password_hash: expect.stringMatching(/^pbkdf2_sha256\$600000\$/) },
			3: { email: '', family_name: "O'Brien", password_hash: '' }
		}
	}
];

describe('every seed format is recognised and mapped', () => {
	it.each(CASES)('$file → $preset', ({ file, preset, format, rows, mapping, users }) => {
		const read_ = read(file);
		expect(read_.layout.preset).toBe(preset);
		expect(read_.layout.format).toBe(format);
		expect(read_.users).toHaveLength(rows);
		for (const [key, field] of Object.entries(mapping))
			expect(read_.mapping[key] ?? null, key).toBe(field);
		// Structure is never flattened into indexed paths at the top level.
		expect(read_.layout.keys.filter((key) => /^[^.]+\.\d+(\.|$)/.test(key))).toEqual([]);
		for (const [row, expected] of Object.entries(users))
			expect(read_.users[Number(row)], `row ${row}`).toMatchObject(expected);
	});
});

/** Every record of a fixture validated against a profile: each row's issue codes. */
function validated(file: string, profile: ProfileName): IssueCode[][] {
	const { layout, preview } = inspectText(readFileSync(join(FIXTURES, file), 'utf8'), true, HOOKS);
	const mapping = proposeMapping({
		columns: layout.columns,
		keys: layout.keys,
		sample: preview.map((record) => record.fields),
		preset: layout.preset,
		profile: PROFILES[profile]
	}).map((proposal) => proposal.field);
	const validator = new Validator({
		profile: PROFILES[profile],
		mapping,
		columns: layout.columns,
		options: { dateOrder: 'dmy', defaultRegion: 'US', now: Date.UTC(2026, 11, 1) }
	});
	for (const record of preview) validator.add(record.fields, record.fieldCount);
	return [...validator.finish().rowIssues].map(codesOf);
}

describe('Auth0 bulk import keeps every documented hash', () => {
	it('every hash is read as what it is, none refused, and Auth0 takes them all', () => {
		const codes = validated('auth0-bulk-import.json', 'auth0');
		expect(codes.flat()).not.toContain('invalid_password_hash');
		expect(codes.flat()).not.toContain('unsupported_password_hash');
	});

	const source = JSON.parse(
		readFileSync(join(FIXTURES, 'auth0-bulk-import.json'), 'utf8')
	) as Record<string, unknown>[];
	const { users } = read('auth0-bulk-import.json');

	it('each custom_password_hash arrives whole, as JSON text', () => {
		source.forEach((record, row) => {
			const cell = users[row].password;
			if (record.custom_password_hash === undefined) expect(cell).toBe('');
			else expect(JSON.parse(cell)).toEqual(record.custom_password_hash);
		});
	});

	it('covers every algorithm Auth0 documents', () => {
		const algorithms = users
			.filter((user) => user.password !== '')
			.map((user) => (JSON.parse(user.password) as { algorithm: string }).algorithm)
			.sort();
		expect(algorithms).toEqual([
			'argon2',
			'bcrypt',
			'hmac',
			'ldap',
			'md4',
			'md5',
			'pbkdf2',
			'scrypt',
			'sha1',
			'sha256',
			'sha512'
		]);
	});
});

describe('Hanko address lists', () => {
	it('a first record with "emails": [] does not change the columns', () => {
		const { layout } = read('hanko-import.json');
		expect(layout.keys.filter((key) => key.startsWith('emails'))).toEqual(['emails']);
	});

	it('every address keeps its flags; the primary is sent as email even when it is second', () => {
		const { users } = read('hanko-import.json');
		expect(JSON.parse(users[1].emails)).toEqual([
			{ address: 'ana@work.example', is_primary: false, is_verified: false },
			{ address: 'ana.ruiz@example.org', is_primary: true, is_verified: true }
		]);
		const sent = normaliseRecord(users[1], {
			dateOrders: {},
			dateOrder: 'dmy',
			defaultRegion: 'US',
			profile: REFERENCE_PROFILE
		});
		expect(sent).toMatchObject({ email: 'ana.ruiz@example.org', email_verified: 'true' });
	});

	it('against the Hanko profile: no primary, two primaries and a non-UUID id are row issues', () => {
		expect(validated('hanko-import.json', 'hanko')).toEqual([
			[],
			[],
			// A local part beyond ASCII is refused (DESIGN.md: invalid_email).
			['invalid_email'],
			['invalid_uuid', 'no_primary_email'],
			['several_primary_emails']
		]);
	});
});

describe('CSV cells restored as the export wrote them', () => {
	it("Auth0's CSV-injection quote is taken off, and the notice says so", () => {
		const { users, notices } = read('auth0-dashboard.csv');
		expect(users.every((user) => !user.user_id.startsWith("'"))).toBe(true);
		expect(notices).toContainEqual(
			expect.stringMatching(/^Auth0 dashboard user list \(CSV\): \d+ values un-escaped/)
		);
	});

	it("Postgres' +00 offsets become +00:00; other cells stay as they are", () => {
		const { users, notices } = read('supabase-users.csv');
		expect(users[0].last_login_date).toBe('2024-05-30 18:22:41.007312+00:00');
		expect(notices).toContainEqual(
			expect.stringMatching(/^Supabase auth\.users \(CSV\): \d+ values completed/)
		);
	});
});

it('a Keycloak realm export reads its users array, past the realm id, roles and groups', () => {
	const { layout } = read('keycloak-realm.json');
	expect(layout.jsonRoot).toBe('users');
	expect(layout.keys).not.toContain('enabled');
});

it('a head that ends before the realm users has no records yet, so more of the file is read', () => {
	const text = readFileSync(join(FIXTURES, 'keycloak-realm.json'), 'utf8');
	const head = text.slice(0, text.indexOf('"users"'));
	const { layout, preview } = inspectText(head, false, HOOKS);
	expect(layout.jsonRoot).toBeNull();
	expect(preview).toEqual([]);
});
