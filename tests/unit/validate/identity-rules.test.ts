/**
 * The faithful user's rules, one case a row of DESIGN.md's table, judged against each profile:
 * emails and their primary, credentials (bare, salted, structured, Firebase), metadata, UUIDs.
 */
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../src/lib/core/profiles/catalogue';
import type { ProfileName } from '../../../src/lib/core/profiles/types';
import type { FieldName, IssueCode, ValidationOptions } from '../../../src/lib/core/types';
import { codesOf } from '../../../src/lib/core/validate/codes';
import { normaliseRecord } from '../../../src/lib/core/validate/normalize';
import { canonicalRecord } from '../../../src/lib/core/validate/canonical';
import { Validator } from '../../../src/lib/core/validate/validator';
import { HASHES } from '../identity/fixtures';

const OPTIONS: ValidationOptions = {
	dateOrder: 'dmy',
	defaultRegion: 'US',
	now: Date.UTC(2026, 0, 1)
};
const UUID4 = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const UUID1 = '7c9e6679-7425-10de-944b-e07fc1f90ae7';
const json = (value: unknown) => JSON.stringify(value);

interface Case {
	name: string;
	profile: ProfileName;
	header: FieldName[];
	rows: string[][];
	options?: Partial<ValidationOptions>;
	expected: IssueCode[][];
}

function validate({ profile, header, rows, options }: Case) {
	const validator = new Validator({
		profile: PROFILES[profile],
		mapping: header,
		columns: header,
		options: { ...OPTIONS, ...options }
	});
	for (const row of rows) validator.add(row, row.length);
	const summary = validator.finish();
	return {
		codes: [...summary.rowIssues].map(codesOf),
		credentials: summary.credentials,
		explain: (row: number) => validator.explain(row, rows[row], rows[row].length)
	};
}

const hankoEmails = (...entries: [string, boolean][]) =>
	json(entries.map(([address, primary]) => ({ address, is_primary: primary, is_verified: true })));

const cases: Case[] = [
	{
		name: 'Hanko: exactly one primary address, wherever it is',
		profile: 'hanko',
		header: ['user_id', 'emails'],
		rows: [
			[UUID4, hankoEmails(['a@example.com', true])],
			[
				UUID4.replace('7c9e', '8c9e'),
				hankoEmails(['b@example.com', false], ['c@example.com', true])
			],
			[
				UUID4.replace('7c9e', '9c9e'),
				hankoEmails(['d@example.com', false], ['e@example.com', false])
			],
			[
				UUID4.replace('7c9e', 'ac9e'),
				hankoEmails(['f@example.com', true], ['g@example.com', true])
			],
			[UUID4.replace('7c9e', 'bc9e'), json([])]
		],
		// The last has neither an address nor a username: Hanko needs one of them.
		expected: [[], [], ['no_primary_email'], ['several_primary_emails'], ['missing_required']]
	},
	{
		name: 'Hanko: user ids are UUID v4; other versions and other strings are not',
		profile: 'hanko',
		header: ['user_id', 'emails'],
		rows: [
			[UUID4, hankoEmails(['a@example.com', true])],
			[UUID1, hankoEmails(['b@example.com', true])],
			['u-1', hankoEmails(['c@example.com', true])]
		],
		expected: [[], ['invalid_uuid'], ['invalid_uuid']]
	},
	{
		name: 'Hanko takes bcrypt $2a$ only ($2b$ written as $2a$): other hashes cost a reset, broken ones are errors',
		profile: 'hanko',
		header: ['emails', 'password_hash'],
		rows: [
			[hankoEmails(['a@example.com', true]), HASHES.bcrypt2a],
			[hankoEmails(['b@example.com', true]), HASHES.md5],
			[hankoEmails(['c@example.com', true]), '$2a$10$tooshort'],
			[hankoEmails(['d@example.com', true]), HASHES.bcrypt2b]
		],
		expected: [[], ['unsupported_password_hash'], ['invalid_password_hash'], []]
	},
	{
		name: 'reference: an emails column gives the required email (its primary) and the duplicate key',
		profile: 'reference',
		header: ['user_id', 'emails'],
		rows: [
			['1', json([{ address: 'A@example.com', primary: true }])],
			['2', json([{ address: 'x@example.com' }, { address: 'a@example.com', primary: true }])],
			['3', json([])],
			['4', json([{ address: 'y@example.com' }, { address: 'z@example.com' }])],
			['5', 'first@example.com, second@example.com'],
			['6', json([{ address: 'not-an-address', primary: true }])]
		],
		expected: [
			[],
			['duplicate_email'],
			['missing_required'],
			['no_primary_email'],
			[],
			['invalid_email']
		]
	},
	{
		name: 'an email column beside an address list must be its primary address',
		profile: 'reference',
		header: ['user_id', 'email', 'emails'],
		rows: [
			['1', 'A@example.com', json([{ address: 'a@example.com', primary: true }])],
			['2', 'b@example.com', json([{ address: 'c@example.com', primary: true }])],
			['3', 'd@example.com', json([])]
		],
		expected: [[], ['invalid_email'], []]
	},
	{
		name: 'Auth0: custom_password_hash of every shape; reserved app_metadata keys',
		profile: 'auth0',
		header: ['email', 'password', 'app_metadata'],
		rows: [
			[
				'a@example.com',
				json({ algorithm: 'md5', hash: { value: HASHES.md5, encoding: 'hex' } }),
				json({ plan: 'pro' })
			],
			['b@example.com', json({ algorithm: 'argon2', hash: { value: HASHES.argon2id } }), ''],
			['c@example.com', json({ algorithm: 'md5', hash: { value: 'zz', encoding: 'hex' } }), ''],
			['d@example.com', json({ algorithm: 'rot13', hash: { value: 'x' } }), ''],
			['e@example.com', '', json({ blocked: true, plan: 'x' })],
			['f@example.com', '', 'not json']
		],
		expected: [
			[],
			[],
			['invalid_password_hash'],
			['invalid_password_hash'],
			['reserved_metadata_key'],
			['invalid_json']
		]
	},
	{
		name: 'Cognito: the username is the unique key, and holds no spaces',
		profile: 'cognito',
		header: ['username', 'email', 'email_verified'],
		rows: [
			['ada', 'a@example.com', 'true'],
			['ada', 'b@example.com', 'true'],
			['ada lovelace', 'c@example.com', 'true'],
			['grace', 'd@example.com', 'true']
		],
		expected: [[], ['duplicate_user_id'], ['invalid_characters'], []]
	},
	{
		name: 'Cognito takes no hashes: every one is a reset',
		profile: 'cognito',
		header: ['username', 'email', 'email_verified', 'password_hash'],
		rows: [['ada', 'a@example.com', 'true', HASHES.bcrypt2b]],
		expected: [['unsupported_password_hash']]
	},
	{
		name: 'Cognito: a verified email or a verified phone',
		profile: 'cognito',
		header: ['username', 'email', 'email_verified', 'phone_verified'],
		rows: [
			['ada', 'a@example.com', 'true', ''],
			['bob', 'b@example.com', 'no', 'yes'],
			['cy', 'c@example.com', 'false', ''],
			['di', 'd@example.com', '', '']
		],
		expected: [[], [], ['missing_required'], ['missing_required']]
	},
	{
		name: 'Hanko: a user needs an address or a username',
		profile: 'hanko',
		header: ['user_id', 'emails', 'username'],
		rows: [
			[UUID4, hankoEmails(['a@example.com', true]), ''],
			[UUID4.replace('7c9e', '8c9e'), json([]), 'passkey.only'],
			[UUID4.replace('7c9e', '9c9e'), json([]), '']
		],
		expected: [[], [], ['missing_required']]
	},
	{
		name: 'Firebase: a bare hash is its scrypt with the project config and the row salt',
		profile: 'firebase',
		header: ['user_id', 'email', 'password_hash', 'password_salt'],
		options: {
			hashConfig: {
				algorithm: 'SCRYPT',
				signerKey: Buffer.alloc(64, 7).toString('base64'),
				saltSeparator: 'Bw==',
				rounds: 8,
				memCost: 14
			}
		},
		rows: [
			['u1', 'a@example.com', Buffer.alloc(64, 1).toString('base64'), 'c2FsdA=='],
			['u2', 'b@example.com', Buffer.alloc(64, 1).toString('base64'), ''],
			['u3', 'c@example.com', 'not base64!', 'c2FsdA==']
		],
		expected: [[], ['invalid_password_hash'], ['invalid_password_hash']]
	},
	{
		name: 'Firebase without its hash config: the hashes cannot be read, so users reset',
		profile: 'firebase',
		header: ['user_id', 'email', 'password_hash', 'password_salt'],
		rows: [['u1', 'a@example.com', Buffer.alloc(64, 1).toString('base64'), 'c2FsdA==']],
		expected: [['unsupported_password_hash']]
	},
	{
		name: 'identities must be an array',
		profile: 'reference',
		header: ['user_id', 'email', 'identities'],
		rows: [
			['1', 'a@example.com', json([{ provider: 'github', user_id: '9' }])],
			['2', 'b@example.com', json({ provider: 'github' })]
		],
		expected: [[], ['invalid_json']]
	}
];

describe('identity rules per profile', () => {
	for (const testCase of cases)
		it(testCase.name, () => expect(validate(testCase).codes).toEqual(testCase.expected));
});

describe('the credential census', () => {
	it('counts each row once, by its structured password first, broken ones as invalid', () => {
		const { credentials } = validate({
			name: '',
			profile: 'reference',
			header: ['user_id', 'email', 'password', 'password_hash'],
			rows: [
				['1', 'a@example.com', '', HASHES.bcrypt2b],
				['2', 'b@example.com', '', HASHES.bcrypt2a],
				[
					'3',
					'c@example.com',
					json({ algorithm: 'md5', hash: { value: HASHES.md5, encoding: 'hex' } }),
					HASHES.bcrypt2b
				],
				['4', 'd@example.com', '', '$2b$10$broken'],
				['5', 'e@example.com', '', '']
			],
			expected: []
		});
		expect(credentials).toEqual({ bcrypt: 2, md5: 1, invalid: 1 });
	});
});

describe('explanations', () => {
	it('say why, and never show a secret whole', () => {
		const { explain } = validate({
			name: '',
			profile: 'hanko',
			header: ['emails', 'password_hash'],
			rows: [[hankoEmails(['a@example.com', false]), HASHES.md5]],
			expected: []
		});
		const issues = explain(0);
		expect(issues.map((issue) => issue.code)).toEqual([
			'no_primary_email',
			'unsupported_password_hash'
		]);
		expect(issues[0].message).toContain('none of 1 addresses is marked primary');
		expect(issues[1].message).toMatch(/Hanko takes bcrypt/);
		for (const issue of issues) expect(issue.message).not.toContain(HASHES.md5);
	});
});

describe('what is sent', () => {
	const send = (profile: ProfileName, header: FieldName[], row: string[]) =>
		normaliseRecord(canonicalRecord(row, header), {
			dateOrders: {},
			dateOrder: 'dmy',
			defaultRegion: 'US',
			profile: PROFILES[profile]
		});

	it('the primary address as email (with its verified flag), every address kept, the credential whole', () => {
		const sent = send(
			'reference',
			['user_id', 'emails', 'password_hash', 'app_metadata'],
			[
				'1',
				hankoEmails(['b@example.com', false], ['c@example.com', true]),
				HASHES.bcrypt2b,
				json({ plan: 'pro' })
			]
		);
		expect(sent).toEqual({
			user_id: '1',
			email: 'c@example.com',
			email_verified: 'true',
			emails: [
				{ address: 'b@example.com', primary: false, verified: true },
				{ address: 'c@example.com', primary: true, verified: true }
			],
			password: { algorithm: 'bcrypt', hash: HASHES.bcrypt2b, params: { cost: 10, variant: '2b' } },
			app_metadata: { plan: 'pro' }
		});
	});

	it('a hash the destination does not take is left out, and fields it does not take too', () => {
		const sent = send(
			'cognito',
			['username', 'email', 'password_hash', 'roles'],
			['ada', 'a@example.com', HASHES.bcrypt2b, 'admin']
		);
		expect(sent).toEqual({ username: 'ada', email: 'a@example.com' });
	});
});
