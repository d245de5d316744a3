import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import {
	applyUserChoice,
	blockingFields,
	headerSignature,
	mappingOf,
	proposeMapping
} from '../../../src/lib/core/mapping/automap';
import { isKnownAlias, normalizeHeader } from '../../../src/lib/core/mapping/normalize';
import { FIELDS, fieldByName } from '../../../src/lib/core/schema/fields';
import { PROFILES, REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import { templateCsv, templateJson } from '../../../src/lib/core/schema/templates';
import type { FieldName } from '../../../src/lib/core/types';
import type { DestinationProfile } from '../../../src/lib/core/profiles/types';
import { Validator } from '../../../src/lib/core/validate/validator';

function propose(
	columns: string[],
	config: {
		sample?: string[][];
		keys?: string[];
		preset?: string | null;
		profile?: DestinationProfile;
	} = {}
) {
	return proposeMapping({
		columns,
		keys: config.keys ?? columns,
		sample: config.sample ?? [],
		preset: config.preset ?? null,
		profile: config.profile ?? REFERENCE_PROFILE
	});
}

// The DESIGN.md table, verbatim, with Ferry's additions: password_salt (a salt column beside the
// hash, as Firebase's CSV has) and Supabase's encrypted_password.
const DESIGN_ALIASES: Record<FieldName, string[]> = {
	user_id: [
		'externalUserId',
		'user_id',
		'userid',
		'id',
		'legacyid',
		'customerid',
		'uid',
		'external_id',
		'customer_id',
		'localId'
	],
	email: ['email', 'email_address', 'emailaddress', 'mail', 'e-mail'],
	name: ['name', 'full_name', 'fullname', 'display_name', 'displayname'],
	given_name: ['given_name', 'first_name', 'firstname'],
	family_name: ['family_name', 'last_name', 'lastname', 'surname'],
	username: ['username', 'user_name', 'login', 'preferred_username', 'cognito:username'],
	nickname: ['nickname'],
	email_verified: ['email_verified', 'emailverified', 'verified'],
	phone_number: ['phone_number', 'phone', 'mobile'],
	registration_date: [
		'registration_date',
		'registrationdate',
		'createdat',
		'created_at',
		'signupat',
		'signupdate',
		'created'
	],
	last_login_date: [
		'last_login_date',
		'lastlogindate',
		'lastlogin',
		'lastseenat',
		'lastactiveat',
		'last_login',
		'lastsignedinat'
	],
	locale: ['locale', 'language'],
	roles: ['roles', 'role', 'groups'],
	organization: ['organization', 'organisation', 'org', 'company'],
	blocked: ['blocked', 'disabled', 'suspended'],
	password_hash: ['password_hash', 'passwordhash', 'encrypted_password'],
	password_salt: ['password_salt', 'salt', 'passwordsalt'],
	picture: ['picture', 'photo_url', 'photourl', 'avatar'],
	phone_verified: ['phone_verified', 'phone_number_verified'],
	emails: ['emails'],
	password: ['password', 'custom_password_hash', 'credentials'],
	identities: ['identities', 'providerUserInfo'],
	app_metadata: ['app_metadata', 'custom_attributes', 'customAttributes'],
	user_metadata: ['user_metadata']
};

describe('canonical fields', () => {
	it('are the DESIGN table, in order, with their types', () => {
		expect(Object.fromEntries(FIELDS.map((field) => [field.name, field.aliases]))).toEqual(
			DESIGN_ALIASES
		);
		expect(Object.keys(DESIGN_ALIASES)).toEqual(FIELDS.map((field) => field.name));
		expect(FIELDS.map((field) => field.type)).toEqual([
			'id',
			'email',
			'text',
			'text',
			'text',
			'text',
			'text',
			'boolean',
			'phone',
			'date',
			'date',
			'text',
			'list',
			'text',
			'boolean',
			'hash',
			'hash',
			'text',
			'boolean',
			'emails',
			'credential',
			'json',
			'json',
			'json'
		]);
		expect(fieldByName('phone_number').label).toBe('Phone number');
	});

	it('no normalised alias belongs to two fields', () => {
		const owner = new Map<string, FieldName>();
		for (const field of FIELDS)
			for (const alias of field.aliases) {
				expect(owner.get(normalizeHeader(alias)) ?? field.name).toBe(field.name);
				owner.set(normalizeHeader(alias), field.name);
			}
	});

	it('the reference schema accepts every field and requires user_id and email', () => {
		expect(REFERENCE_PROFILE.fields.map((field) => field.name)).toEqual(
			FIELDS.map((field) => field.name)
		);
		expect(
			REFERENCE_PROFILE.fields.filter((field) => field.required).map((field) => field.name)
		).toEqual(['user_id', 'email']);
		expect(REFERENCE_PROFILE.fields.find((field) => field.name === 'user_id')?.maxLength).toBe(255);
		expect(REFERENCE_PROFILE.fields.find((field) => field.name === 'email')?.maxLength).toBe(1024);
		expect(REFERENCE_PROFILE.rules.requireUuid).toBe(false);
	});
});

describe('templates', () => {
	const fields = REFERENCE_PROFILE.fields.map((field) => field.name);
	it('CSV: a header of field names and one example row that validates cleanly', () => {
		const { data, errors } = Papa.parse<string[]>(templateCsv(REFERENCE_PROFILE), {
			skipEmptyLines: true
		});
		expect(errors).toEqual([]);
		const [header, values] = data;
		expect(header).toEqual(fields);
		expect(data).toHaveLength(2);
		expect(values).toHaveLength(fields.length);
		const validator = new Validator({
			profile: REFERENCE_PROFILE,
			mapping: fields,
			columns: fields,
			options: { dateOrder: 'dmy', defaultRegion: 'US', now: Date.UTC(2025, 0, 1) }
		});
		validator.add(values, values.length);
		expect(validator.finish()).toMatchObject({ valid: 1, warnings: 0 });
	});

	it('JSON: an array with one object holding every field, booleans as JSON booleans', () => {
		const parsed = JSON.parse(templateJson(REFERENCE_PROFILE));
		expect(parsed).toHaveLength(1);
		expect(Object.keys(parsed[0])).toEqual(fields);
		expect(parsed[0].email_verified).toBe(true);
		expect(parsed[0].blocked).toBe(false);
		expect(parsed[0].emails).toEqual([
			{ address: 'ada@example.com', primary: true, verified: true }
		]);
		expect(parsed[0].app_metadata).toEqual({ plan: 'pro' });
	});

	it('follows the schema it is given', () => {
		const profile = { ...REFERENCE_PROFILE, fields: REFERENCE_PROFILE.fields.slice(0, 2) };
		expect(templateCsv(profile).split('\r\n')[0]).toBe('user_id,email');
	});
});

describe('normalizeHeader and isKnownAlias', () => {
	const cases = [
		{ input: 'E-Mail Address', expected: 'emailaddress' },
		{ input: ' User ID ', expected: 'userid' },
		{ input: 'cognito:username', expected: 'cognitousername' },
		{ input: 'Prénom_Ünïcode 2', expected: 'prénomünïcode2' },
		{ input: '名前', expected: '名前' },
		{ input: '---', expected: '' }
	];
	for (const { input, expected } of cases)
		it(input, () => expect(normalizeHeader(input)).toBe(expected));

	it('recognises alias spellings only', () => {
		expect(isKnownAlias('E-Mail Address')).toBe(true);
		expect(isKnownAlias('Created At')).toBe(true);
		expect(isKnownAlias('Last Seen At')).toBe(true);
		expect(isKnownAlias('ada@example.com')).toBe(false);
		expect(isKnownAlias('Updated At')).toBe(false);
	});
});

describe('proposeMapping: exact aliases', () => {
	const cases: { input: string; expected: FieldName }[] = [
		...Object.entries(DESIGN_ALIASES).flatMap(([field, aliases]) =>
			aliases.map((input) => ({ input, expected: field as FieldName }))
		),
		{ input: 'E-Mail Address', expected: 'email' },
		{ input: 'User ID', expected: 'user_id' },
		{ input: 'First Name', expected: 'given_name' },
		{ input: 'Last Name', expected: 'family_name' },
		{ input: 'Created', expected: 'registration_date' },
		{ input: 'Mobile', expected: 'phone_number' },
		{ input: 'EMAIL_VERIFIED', expected: 'email_verified' },
		{ input: 'Full Name', expected: 'name' }
	];
	for (const { input, expected } of cases)
		it(`${input} → ${expected}`, () => {
			expect(propose([input])).toEqual([
				{ column: 0, field: expected, confidence: 1, method: 'alias' }
			]);
		});
});

describe('proposeMapping: fuzzy headers', () => {
	const cases: { input: string; config: { sample?: string[][] }; expected: FieldName | null }[] = [
		{ input: 'Customer Email', config: {}, expected: 'email' },
		{ input: 'Emial', config: {}, expected: 'email' },
		{ input: 'Phone Number (mobile)', config: {}, expected: 'phone_number' },
		{ input: 'lastLoginAt', config: {}, expected: 'last_login_date' },
		{ input: 'Organisation Name', config: {}, expected: 'organization' },
		{ input: 'Is Blocked', config: { sample: [['yes']] }, expected: 'blocked' },
		// Words that merely share a suffix with an alias are not a match.
		{ input: 'Updated At', config: {}, expected: null },
		{ input: 'Connection', config: {}, expected: null },
		// A name-only guess is dropped when the values plainly are something else.
		{ input: 'Created By', config: { sample: [['admin'], ['ops']] }, expected: null },
		{ input: 'Created By', config: { sample: [['2021-01-01']] }, expected: 'registration_date' },
		{ input: 'Email Verified At', config: { sample: [['2021-01-01']] }, expected: null }
	];
	for (const { input, config, expected } of cases)
		it(`${input} → ${expected}`, () => {
			const [proposal] = propose([input], config);
			expect(proposal.field).toBe(expected);
			if (expected) {
				expect(proposal.method).toBe('fuzzy');
				expect(proposal.confidence).toBeGreaterThanOrEqual(0.5);
				expect(proposal.confidence).toBeLessThanOrEqual(0.9);
			} else expect(proposal).toMatchObject({ method: 'none', confidence: 0 });
		});
});

describe('proposeMapping: JSON dot paths', () => {
	it('matches the last segment below certainty, lower under array items', () => {
		const proposals = propose(['user_metadata.phone', 'app_metadata.plan', 'identities.0.email']);
		expect(proposals.map((p) => [p.field, p.method, p.confidence])).toEqual([
			['phone_number', 'alias', 0.9],
			[null, 'none', 0],
			['email', 'alias', 0.6]
		]);
	});

	it('a top-level key beats the same name nested in an array item', () => {
		const proposals = propose(['identities.0.user_id', 'user_id']);
		expect(proposals.map((p) => p.field)).toEqual([null, 'user_id']);
	});
});

describe('proposeMapping: value sniffing on a headerless file', () => {
	const columns = [
		'Column 1',
		'Column 2',
		'Column 3',
		'Column 4',
		'Column 5',
		'Column 6',
		'Column 7'
	];
	const sample = [
		[
			'u-1',
			'ada@example.com',
			'2021-01-01',
			'true',
			'+44 20 7946 0958',
			'2024-05-01T08:00:00Z',
			'Ada Lovelace'
		],
		['u-2', 'bob@example.com', '02/01/2021', 'false', '+1 201 555 0123', '', 'Bob Smith'],
		['u-3', 'cy@example.org', '1614853230000', 'FALSE', '', '2024-05-03', 'Cy Young'],
		['u-4', 'di@example.net', '2021-01-04', 'yes', '+33 6 12 34 56 78', '2024-05-04', 'Di Prince']
	];
	it('proposes fields from what the values look like', () => {
		const proposals = propose(columns, { sample });
		expect(proposals.map((p) => [p.field, p.method])).toEqual([
			['user_id', 'values'],
			['email', 'values'],
			['registration_date', 'values'],
			['email_verified', 'values'],
			['phone_number', 'values'],
			['last_login_date', 'values'],
			[null, 'none']
		]);
		for (const proposal of proposals.slice(0, 6)) {
			expect(proposal.confidence).toBeGreaterThanOrEqual(0.5);
			expect(proposal.confidence).toBeLessThan(1);
		}
	});

	it('gives the share of matching values as confidence', () => {
		const [full] = propose(['Column 1'], { sample: [['a@example.com'], ['b@example.com']] });
		const [partial] = propose(['Column 1'], {
			sample: [['a@example.com'], ['b@example.com'], ['c@example.com'], ['d@example.com'], ['nope']]
		});
		expect(full.field).toBe('email');
		expect(partial.field).toBe('email');
		expect(partial.confidence).toBeLessThan(full.confidence);
		expect(propose(['Column 1'], { sample: [['a@example.com'], ['x'], ['y']] })[0].field).toBe(
			'user_id'
		);
	});

	it('leaves columns with repeated free text or no values alone', () => {
		const proposals = propose(['Column 1', 'Column 2'], {
			sample: [
				['same text', ''],
				['same text', '']
			]
		});
		expect(proposals.map((p) => p.field)).toEqual([null, null]);
	});

	it('sniffs only placeholder columns, never named ones', () => {
		expect(propose(['Notes'], { sample: [['a@example.com']] })[0].field).toBe(null);
	});
});

describe('proposeMapping: conflicts and schema', () => {
	it('two exact aliases: the earlier column keeps the field, the later is unmapped', () => {
		expect(propose(['email', 'E-mail'])).toEqual([
			{ column: 0, field: 'email', confidence: 1, method: 'alias' },
			{ column: 1, field: null, confidence: 0, method: 'none' }
		]);
	});

	it('higher confidence wins even from a later column', () => {
		const proposals = propose(['Customer Email', 'Email']);
		expect(proposals.map((p) => [p.field, p.method])).toEqual([
			[null, 'none'],
			['email', 'alias']
		]);
	});

	it('proposes only fields the destination accepts', () => {
		const profile: DestinationProfile = {
			...REFERENCE_PROFILE,
			fields: [
				{ name: 'user_id', required: true, maxLength: 64 },
				{ name: 'email', required: true, maxLength: 320 }
			]
		};
		expect(propose(['id', 'email', 'mobile'], { profile }).map((p) => p.field)).toEqual([
			'user_id',
			'email',
			null
		]);
	});
});

describe('user choices and blocking fields', () => {
	const proposals = propose(['id', 'email', 'Work Email']);

	it('a choice takes the field from any other column', () => {
		const next = applyUserChoice(proposals, 2, 'email');
		expect(next).toEqual([
			{ column: 0, field: 'user_id', confidence: 1, method: 'alias' },
			{ column: 1, field: null, confidence: 0, method: 'none' },
			{ column: 2, field: 'email', confidence: 1, method: 'user' }
		]);
		expect(proposals[1].field).toBe('email');
	});

	it('"don\'t import" is a choice too', () => {
		expect(applyUserChoice(proposals, 0, null)[0]).toEqual({
			column: 0,
			field: null,
			confidence: 1,
			method: 'user'
		});
	});

	it('blocking fields are the required fields no column maps to', () => {
		expect(blockingFields(mappingOf(proposals), REFERENCE_PROFILE)).toEqual([]);
		expect(
			blockingFields(mappingOf(applyUserChoice(proposals, 1, null)), REFERENCE_PROFILE)
		).toEqual(['email']);
		expect(blockingFields([null, 'name'], REFERENCE_PROFILE)).toEqual(['user_id', 'email']);
		// The primary address of an emails column gives the required email.
		expect(blockingFields(['user_id', 'emails'], REFERENCE_PROFILE)).toEqual([]);
		expect(blockingFields(['emails'], PROFILES.hanko)).toEqual([]);
		expect(blockingFields(['user_id'], PROFILES.cognito)).toEqual(['username']);
	});
});

describe('headerSignature', () => {
	it('is stable, ignores spelling noise and tells layouts apart', () => {
		const signature = headerSignature(['User ID', 'E-Mail', 'Created']);
		expect(signature).toBe(headerSignature(['user_id', 'email', 'created']));
		expect(signature).toMatch(/^3:[0-9a-f]{8}$/);
		expect(signature).not.toBe(headerSignature(['E-Mail', 'User ID', 'Created']));
		expect(signature).not.toBe(headerSignature(['User ID', 'E-Mail']));
		expect(headerSignature(['ab', 'c'])).not.toBe(headerSignature(['a', 'bc']));
	});
});
