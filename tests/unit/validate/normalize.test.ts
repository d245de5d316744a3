import { PROFILES, REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import { describe, expect, it } from 'vitest';
import type { FieldName } from '../../../src/lib/core/types';
import {
	NormaliseError,
	dateOrdersByField,
	isoDate,
	normaliseRecord,
	type NormaliseOptions
} from '../../../src/lib/core/validate/normalize';

const OPTIONS: NormaliseOptions = {
	dateOrders: {},
	dateOrder: 'dmy',
	defaultRegion: 'US',
	profile: REFERENCE_PROFILE
};

describe('normaliseRecord: one value per row of the table', () => {
	const cases: {
		field: FieldName;
		input: string;
		expected: unknown;
		options?: Partial<NormaliseOptions>;
	}[] = [
		// Email: trimmed, case kept (the destination compares case-insensitively).
		{ field: 'email', input: '  Ada@Example.COM ', expected: 'Ada@Example.COM' },
		{ field: 'email', input: 'jürgen@bücher.de', expected: 'jürgen@bücher.de' },
		// Booleans: every accepted spelling becomes true/false.
		...['true', 'TRUE', 'Yes', 'y', 'Y', '1'].map((input) => ({
			field: 'email_verified' as const,
			input,
			expected: 'true'
		})),
		...['false', 'No', 'n', '0', ' FALSE '].map((input) => ({
			field: 'blocked' as const,
			input,
			expected: 'false'
		})),
		// Dates: calendar dates as YYYY-MM-DD, instants as UTC ISO 8601.
		{ field: 'registration_date', input: '2024-01-31', expected: '2024-01-31' },
		{ field: 'registration_date', input: '01.02.2020', expected: '2020-02-01' },
		{ field: 'registration_date', input: '2021/03/04', expected: '2021-03-04' },
		{ field: 'registration_date', input: '29/02/2024', expected: '2024-02-29' },
		{
			field: 'registration_date',
			input: '03/04/2021',
			expected: '2021-04-03',
			options: { dateOrders: { registration_date: 'dmy' } }
		},
		{
			field: 'registration_date',
			input: '03/04/2021',
			expected: '2021-03-04',
			options: { dateOrders: { registration_date: 'mdy' } }
		},
		// The column's resolved order wins over the admin's default.
		{
			field: 'last_login_date',
			input: '3/4/2021',
			expected: '2021-03-04',
			options: { dateOrder: 'dmy', dateOrders: { last_login_date: 'mdy' } }
		},
		// No resolved order for the field: the admin's choice.
		{
			field: 'last_login_date',
			input: '03/04/2021',
			expected: '2021-03-04',
			options: { dateOrder: 'mdy', dateOrders: { registration_date: 'dmy' } }
		},
		{
			field: 'last_login_date',
			input: '2024-05-01T08:30:00Z',
			expected: '2024-05-01T08:30:00.000Z'
		},
		{
			field: 'last_login_date',
			input: '2024-05-01 10:30:15+02:00',
			expected: '2024-05-01T08:30:15.000Z'
		},
		{
			field: 'last_login_date',
			input: '2024-05-01T08:30:00.123456-0130',
			expected: '2024-05-01T10:00:00.123Z'
		},
		{ field: 'registration_date', input: '1700000000', expected: '2023-11-14T22:13:20.000Z' },
		{ field: 'registration_date', input: '1700000000123', expected: '2023-11-14T22:13:20.123Z' },
		// Phones: E.164 with the default region for national numbers.
		{ field: 'phone_number', input: '(201) 555-0123', expected: '+12015550123' },
		{ field: 'phone_number', input: '+44 20 7946 0958', expected: '+442079460958' },
		{
			field: 'phone_number',
			input: '020 7946 0958',
			expected: '+442079460958',
			options: { defaultRegion: 'GB' }
		},
		// Everything else: trimmed, otherwise untouched.
		{ field: 'user_id', input: ' 007 ', expected: '007' },
		{ field: 'name', input: '  Jürgen  Müller ', expected: 'Jürgen  Müller' },
		// A list: split at commas or semicolons, or read as the JSON array it is written as.
		{ field: 'roles', input: 'admin, editor', expected: ['admin', 'editor'] },
		{ field: 'roles', input: 'admin;;editor; ', expected: ['admin', 'editor'] },
		{ field: 'roles', input: '["admin","read, write"]', expected: ['admin', 'read, write'] }
	];

	for (const { field, input, expected, options } of cases) {
		it(`${field} ${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
			expect(normaliseRecord({ [field]: input }, { ...OPTIONS, ...options })).toEqual({
				[field]: expected
			});
		});
	}
});

describe('normaliseRecord as a whole', () => {
	it('sends a bare hash as the password credential it is, with its algorithm', () => {
		const hash = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
		expect(normaliseRecord({ password_hash: ` ${hash} ` }, OPTIONS)).toEqual({
			password: { algorithm: 'bcrypt', hash, params: { cost: 10, variant: '2b' } }
		});
	});

	it('sends a hash the way the destination takes it: Django pbkdf2 as PHC for Auth0, $2b$ as $2a$ for Hanko', () => {
		const django = `pbkdf2_sha256$600000$c2FsdHNhbHQ$${'A'.repeat(43)}=`;
		expect(
			normaliseRecord({ password_hash: django }, { ...OPTIONS, profile: PROFILES.auth0 })
		).toEqual({
			password: {
				algorithm: 'pbkdf2',
				hash: `$pbkdf2-sha256$i=600000,l=32$YzJGc2RITmhiSFE$${'A'.repeat(43)}`,
				params: { digest: 'sha256', iterations: 600000, keylen: 32, format: 'phc' }
			}
		});
		const bcrypt = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
		expect(
			normaliseRecord({ password_hash: bcrypt }, { ...OPTIONS, profile: PROFILES.hanko })
		).toEqual({
			password: {
				algorithm: 'bcrypt',
				hash: `$2a$${bcrypt.slice(4)}`,
				params: { cost: 10, variant: '2a' }
			}
		});
		// The reference API takes every spelling: the hash goes as it was written.
		expect(normaliseRecord({ password_hash: django }, OPTIONS).password).toMatchObject({
			hash: django
		});
	});

	it('keeps only the fields given, drops empty ones and leaves its input alone', () => {
		const input = {
			user_id: 'C-1',
			email: ' mueller@example.de',
			name: 'Jürgen Müller',
			registration_date: '01.02.2020',
			email_verified: 'y',
			organization: '   '
		};
		const copy = { ...input };
		expect(normaliseRecord(input, OPTIONS)).toEqual({
			user_id: 'C-1',
			email: 'mueller@example.de',
			name: 'Jürgen Müller',
			registration_date: '2020-02-01',
			email_verified: 'true'
		});
		expect(input).toEqual(copy);
		expect(normaliseRecord({}, OPTIONS)).toEqual({});
	});

	const refused: [FieldName, string, Partial<NormaliseOptions>][] = [
		['email_verified', 'vielleicht', {}],
		['registration_date', '31.02.2020', {}],
		['registration_date', '13/25/2020', {}],
		// Valid read day-first, impossible month-first: the column's order decides.
		['registration_date', '25/12/2020', { dateOrders: { registration_date: 'mdy' } }],
		['phone_number', '12', {}]
	];
	for (const [field, value, options] of refused) {
		it(`refuses ${field} ${JSON.stringify(value)} without echoing the value`, () => {
			let error: unknown;
			try {
				normaliseRecord({ [field]: value }, { ...OPTIONS, ...options });
			} catch (caught) {
				error = caught;
			}
			expect(error).toBeInstanceOf(NormaliseError);
			expect((error as NormaliseError).field).toBe(field);
			expect((error as NormaliseError).message).not.toContain(value);
		});
	}
});

describe('dateOrdersByField and isoDate', () => {
	it('keys the scan’s column orders by the mapped field; unmapped columns are ignored', () => {
		expect(
			dateOrdersByField(
				[
					{ column: 3, evidence: 'dmy', used: 'dmy' },
					{ column: 4, evidence: 'ambiguous', used: 'mdy' },
					{ column: 5, evidence: 'mixed', used: 'dmy' }
				],
				['user_id', 'email', null, 'registration_date', 'last_login_date', null]
			)
		).toEqual({ registration_date: 'dmy', last_login_date: 'mdy' });
	});

	it('answers null for what is not a date', () => {
		expect(isoDate('yesterday', 'dmy')).toBeNull();
		expect(isoDate('1899-12-31', 'dmy')).toBeNull();
		expect(isoDate('2024-01-01T24:00', 'dmy')).toBeNull();
	});
});

describe('normaliseRecord: the role value mapping and the organization for rows without one', () => {
	const cases: {
		name: string;
		record: Partial<Record<FieldName, string>>;
		options: Partial<NormaliseOptions>;
		roles?: string[];
		organization?: string;
	}[] = [
		{
			name: 'mapped roles take the destination name, each once',
			record: { roles: 'Admin; administrator, Viewer' },
			options: { roleMap: { Admin: 'admin', administrator: 'admin', Viewer: 'viewer' } },
			roles: ['admin', 'viewer']
		},
		{
			name: 'a role without an entry is sent as written',
			record: { roles: '["Admin","Support"]' },
			options: { roleMap: { Admin: 'admin' } },
			roles: ['admin', 'Support']
		},
		{
			name: "an entry of '' drops the role",
			record: { roles: 'Admin, Guest' },
			options: { roleMap: { Guest: '' } },
			roles: ['Admin']
		},
		{
			name: 'without a role map the roles are as written',
			record: { roles: 'Admin, admin' },
			options: {},
			roles: ['Admin', 'admin']
		},
		{
			name: 'a row without an organization gets the assigned one, trimmed',
			record: { email: 'a@example.com' },
			options: { organization: '  Acme  ' },
			organization: 'Acme'
		},
		{
			name: "a row's own organization wins",
			record: { organization: 'Initech' },
			options: { organization: 'Acme' },
			organization: 'Initech'
		},
		{
			name: 'an empty assignment assigns nothing',
			record: { email: 'a@example.com' },
			options: { organization: '   ' }
		},
		{
			name: 'nothing is assigned where the destination takes no organization',
			record: { email: 'a@example.com' },
			options: { organization: 'Acme', profile: PROFILES.hanko }
		}
	];
	it.each(cases)('$name', ({ record, options, roles, organization }) => {
		const out = normaliseRecord(record, { ...OPTIONS, ...options });
		expect(out.roles).toEqual(roles);
		expect(out.organization).toEqual(organization);
	});
});
