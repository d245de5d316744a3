import { describe, expect, it } from 'vitest';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import type {
	DateColumnOrder,
	FieldName,
	IssueCode,
	ValidationOptions
} from '../../../src/lib/core/types';
import type { DestinationProfile } from '../../../src/lib/core/profiles/types';
import { codesOf } from '../../../src/lib/core/validate/codes';
import { canonicalRecord } from '../../../src/lib/core/validate/canonical';
import { Validator } from '../../../src/lib/core/validate/validator';

const NOW = Date.UTC(2025, 0, 1);
const OPTIONS: ValidationOptions = { dateOrder: 'dmy', defaultRegion: 'US', now: NOW };

interface Config {
	/** Header cell → field; cells not listed stay unmapped. */
	map?: Record<string, FieldName>;
	options?: Partial<ValidationOptions>;
	profile?: DestinationProfile;
}

/** Runs rows (first row = header) through a Validator; a row is its fields. */
function validate([header, ...rows]: string[][], config: Config = {}) {
	const mapping = header.map((cell) => config.map?.[cell] ?? null);
	const validator = new Validator({
		profile: config.profile ?? REFERENCE_PROFILE,
		mapping,
		columns: header,
		options: { ...OPTIONS, ...config.options }
	});
	for (const row of rows) validator.add(row, row.length);
	const summary = validator.finish();
	return {
		summary,
		codes: [...summary.rowIssues].map(codesOf),
		explain: (row: number) => validator.explain(row, rows[row], rows[row].length)
	};
}

const BASIC = { user_id: 'user_id', email: 'email' } as const;
const long = (n: number) => 'x'.repeat(n);

const cases: {
	name: string;
	input: string[][];
	config: Config;
	expected: IssueCode[][];
}[] = [
	{
		name: 'missing_required: empty or blank required values',
		input: [
			['user_id', 'email'],
			['1', 'a@example.com'],
			['2', ''],
			['', 'c@example.com'],
			[' ', '  ']
		],
		config: { map: BASIC },
		expected: [[], ['missing_required'], ['missing_required'], ['missing_required']]
	},
	{
		name: 'missing_required: a required field mapped to no column',
		input: [
			['user_id', 'name'],
			['1', 'Ada']
		],
		config: { map: { user_id: 'user_id', name: 'name' } },
		expected: [['missing_required']]
	},
	{
		name: 'missing_required: short rows read the missing fields as empty',
		input: [['user_id', 'email'], ['1']],
		config: { map: BASIC },
		expected: [['missing_required']]
	},
	{
		name: 'invalid_email, values trimmed first',
		input: [
			['user_id', 'email'],
			['1', '  ada@example.com  '],
			['2', 'not-an-email'],
			['3', 'a..b@example.com']
		],
		config: { map: BASIC },
		expected: [[], ['invalid_email'], ['invalid_email']]
	},
	{
		name: 'invalid_date for every unreadable or impossible date',
		input: [
			['user_id', 'email', 'created'],
			['1', 'a@example.com', '2021-03-04'],
			['2', 'b@example.com', '31.02.2020'],
			['3', 'c@example.com', '2021-03-04T24:00'],
			['4', 'd@example.com', '1899-12-31'],
			['5', 'e@example.com', ''],
			['6', 'f@example.com', '1614853230000']
		],
		config: { map: { ...BASIC, created: 'registration_date' } },
		expected: [[], ['invalid_date'], ['invalid_date'], ['invalid_date'], [], []]
	},
	{
		name: 'invalid_boolean on every boolean field',
		input: [
			['user_id', 'email', 'verified', 'blocked'],
			['1', 'a@example.com', 'y', 'NO'],
			['2', 'b@example.com', 'vielleicht', '0'],
			['3', 'c@example.com', '1', 'blocked']
		],
		config: { map: { ...BASIC, verified: 'email_verified', blocked: 'blocked' } },
		expected: [[], ['invalid_boolean'], ['invalid_boolean']]
	},
	{
		name: 'invalid_phone with the default region',
		input: [
			['user_id', 'email', 'mobile'],
			['1', 'a@example.com', '020 7946 0958'],
			['2', 'b@example.com', '+1 201 555 0123'],
			['3', 'c@example.com', '12'],
			['4', 'd@example.com', 'n/a']
		],
		config: { map: { ...BASIC, mobile: 'phone_number' }, options: { defaultRegion: 'GB' } },
		expected: [[], [], ['invalid_phone'], ['invalid_phone']]
	},
	{
		name: 'invalid_phone: the same national number under another default region',
		input: [
			['user_id', 'email', 'mobile'],
			['1', 'a@example.com', '020 7946 0958']
		],
		config: { map: { ...BASIC, mobile: 'phone_number' }, options: { defaultRegion: 'US' } },
		expected: [['invalid_phone']]
	},
	{
		name: 'invalid_uuid only when the schema requires UUID user ids',
		input: [
			['user_id', 'email'],
			['123e4567-e89b-12d3-a456-426614174000', 'a@example.com'],
			['1001', 'b@example.com']
		],
		config: {
			map: BASIC,
			profile: { ...REFERENCE_PROFILE, rules: { ...REFERENCE_PROFILE.rules, requireUuid: true } }
		},
		expected: [[], ['invalid_uuid']]
	},
	{
		name: 'no invalid_uuid on the reference schema',
		input: [
			['user_id', 'email'],
			['1001', 'b@example.com']
		],
		config: { map: BASIC },
		expected: [[]]
	},
	{
		name: 'duplicate_user_id: exact after trimming, case-sensitive',
		input: [
			['user_id', 'email'],
			['7', 'a@example.com'],
			[' 7 ', 'b@example.com'],
			['A1', 'c@example.com'],
			['a1', 'd@example.com']
		],
		config: { map: BASIC },
		expected: [[], ['duplicate_user_id'], [], []]
	},
	{
		name: 'duplicate_email: case-insensitive; the first stays valid',
		input: [
			['user_id', 'email'],
			['1', 'Grace@Example.com'],
			['2', 'grace@example.com'],
			['3', 'GRACE@EXAMPLE.COM'],
			['4', 'ada@example.com']
		],
		config: { map: BASIC },
		expected: [[], ['duplicate_email'], ['duplicate_email'], []]
	},
	{
		name: 'ragged_row only when an extra field is not empty',
		input: [
			['user_id', 'email'],
			['1', 'a@example.com', ''],
			['2', 'b@example.com', '  '],
			['3', 'c@example.com', '', 'surplus']
		],
		config: { map: BASIC },
		expected: [[], [], ['ragged_row']]
	},
	{
		name: 'value_too_long: user_id 255, others 1024 characters (code points)',
		input: [
			['user_id', 'email', 'name'],
			[long(255), 'a@example.com', long(1024)],
			[long(256), 'b@example.com', 'Bob'],
			['3', 'c@example.com', long(1025)],
			['4', 'd@example.com', '😀'.repeat(1024)]
		],
		config: { map: { ...BASIC, name: 'name' } },
		expected: [[], ['value_too_long'], ['value_too_long'], []]
	},
	{
		name: 'future_date is a warning: the row stays valid',
		input: [
			['user_id', 'email', 'created'],
			['1', 'a@example.com', '2024-12-31T23:59:59Z'],
			['2', 'b@example.com', '2025-01-01T00:00:01Z'],
			['3', 'c@example.com', '2099-01-01']
		],
		config: { map: { ...BASIC, created: 'registration_date' } },
		expected: [[], ['future_date'], ['future_date']]
	},
	{
		name: 'login_before_registration compares instants, offsets included',
		input: [
			['user_id', 'email', 'created', 'last_login'],
			['1', 'a@example.com', '2021-03-04', '2021-03-05'],
			['2', 'b@example.com', '2021-03-04', '2021-03-03'],
			['3', 'c@example.com', '2021-03-04T10:00:00+02:00', '2021-03-04T08:30:00Z'],
			['4', 'd@example.com', '2021-03-04T10:00:00+02:00', '2021-03-04T07:30:00Z'],
			['5', 'e@example.com', '2021-03-04', '']
		],
		config: { map: { ...BASIC, created: 'registration_date', last_login: 'last_login_date' } },
		expected: [[], ['login_before_registration'], [], ['login_before_registration'], []]
	},
	{
		name: 'unmapped columns are never checked',
		input: [
			['user_id', 'email', 'junk'],
			['1', 'a@example.com', long(5000)]
		],
		config: { map: BASIC },
		expected: [[]]
	},
	{
		name: 'several issues on one row',
		input: [
			['user_id', 'email', 'created'],
			['1', 'a@example.com', '2021-01-01'],
			['1', 'broken', '2030-01-01', 'extra']
		],
		config: { map: { ...BASIC, created: 'registration_date' } },
		expected: [[], ['invalid_email', 'duplicate_user_id', 'ragged_row', 'future_date']]
	}
];

describe('Validator: one code at a time', () => {
	for (const { name, input, config, expected } of cases)
		it(name, () => {
			expect(validate(input, config).codes).toEqual(expected);
		});
});

describe('Validator: slash-date columns', () => {
	const map = { ...BASIC, created: 'registration_date' } as const;
	const table = (dates: string[]) => [
		['user_id', 'email', 'created'],
		...dates.map((date, i) => [String(i + 1), `u${i}@example.com`, date])
	];
	const cases: {
		name: string;
		input: string[];
		config: { dateOrder: 'dmy' | 'mdy'; now: number };
		expected: { codes: IssueCode[][]; order: DateColumnOrder };
	}[] = [
		{
			// 02/03/2021 read day-first is 2 March (after "now"), month-first 3 February.
			name: 'day-first evidence decides ambiguous values, whatever the option',
			input: ['13/01/2021', '02/03/2021'],
			config: { dateOrder: 'mdy', now: Date.UTC(2021, 1, 15) },
			expected: {
				codes: [[], ['future_date']],
				order: { column: 2, evidence: 'dmy', used: 'dmy' }
			}
		},
		{
			name: 'month-first evidence',
			input: ['01/13/2021', '02/03/2021'],
			config: { dateOrder: 'dmy', now: Date.UTC(2021, 1, 15) },
			expected: {
				codes: [[], []],
				order: { column: 2, evidence: 'mdy', used: 'mdy' }
			}
		},
		{
			name: 'mixed: the majority wins and the contradicting values are invalid',
			input: ['13/01/2021', '01/14/2021', '25/12/2021'],
			config: { dateOrder: 'mdy', now: NOW },
			expected: {
				codes: [[], ['invalid_date'], []],
				order: { column: 2, evidence: 'mixed', used: 'dmy' }
			}
		},
		{
			name: 'mixed with a tie: the option decides',
			input: ['13/01/2021', '01/14/2021'],
			config: { dateOrder: 'mdy', now: NOW },
			expected: {
				codes: [['invalid_date'], []],
				order: { column: 2, evidence: 'mixed', used: 'mdy' }
			}
		},
		{
			name: 'ambiguous column read day-first',
			input: ['05/01/2021', '01/02/2021'],
			config: { dateOrder: 'dmy', now: Date.UTC(2021, 2, 1) },
			expected: {
				codes: [[], []],
				order: { column: 2, evidence: 'ambiguous', used: 'dmy' }
			}
		},
		{
			name: 'the same ambiguous column read month-first (1 May is after "now")',
			input: ['05/01/2021', '01/02/2021'],
			config: { dateOrder: 'mdy', now: Date.UTC(2021, 2, 1) },
			expected: {
				codes: [['future_date'], []],
				order: { column: 2, evidence: 'ambiguous', used: 'mdy' }
			}
		},
		{
			name: 'a slash date impossible in the resolved order (31 February)',
			input: ['31/02/2020', '13/01/2021'],
			config: { dateOrder: 'dmy', now: NOW },
			expected: {
				codes: [['invalid_date'], []],
				order: { column: 2, evidence: 'dmy', used: 'dmy' }
			}
		}
	];
	for (const { name, input, config, expected } of cases)
		it(name, () => {
			const { codes, summary } = validate(table(input), { map, options: config });
			expect(codes).toEqual(expected.codes);
			expect(summary.dateOrders).toEqual([expected.order]);
		});

	it('columns without slash dates report no order', () => {
		const { summary } = validate(table(['2021-01-01', '04.03.2021']), { map });
		expect(summary.dateOrders).toEqual([]);
	});

	it('login_before_registration uses the resolved readings of both columns', () => {
		const input = [
			['user_id', 'email', 'created', 'last_login'],
			['1', 'a@example.com', '02/03/2021', '2021-02-10'],
			['2', 'b@example.com', '2021-01-01', '02/03/2021'],
			['3', 'c@example.com', '13/01/2021', '2021-01-20']
		];
		const config = {
			map: { ...BASIC, created: 'registration_date', last_login: 'last_login_date' } as const
		};
		// created is day-first (13/01): row 1 registers on 2 March, after its login on 10 February.
		// last_login has no evidence: read month-first, row 2 logs in on 3 February (fine).
		const mdy = validate(input, { ...config, options: { dateOrder: 'mdy' } });
		expect(mdy.codes).toEqual([['login_before_registration'], [], []]);
		expect(mdy.summary.dateOrders).toEqual([
			{ column: 2, evidence: 'dmy', used: 'dmy' },
			{ column: 3, evidence: 'ambiguous', used: 'mdy' }
		]);
		const dmy = validate(input, { ...config, options: { dateOrder: 'dmy' } });
		expect(dmy.codes).toEqual([['login_before_registration'], [], []]);
	});
});

describe('Validator: summary', () => {
	it('counts valid, invalid, warnings, codes and duplicate links', () => {
		const { summary } = validate(
			[
				['user_id', 'email', 'created'],
				['1', 'a@example.com', '2021-01-01'],
				['2', 'A@example.com', '2021-01-01'],
				['1', 'c@example.com', '2030-01-01'],
				['4', 'd@example.com', '2030-01-01'],
				['5', 'broken', 'nope']
			],
			{ map: { ...BASIC, created: 'registration_date' } }
		);
		expect(summary).toMatchObject({ rows: 5, valid: 2, invalid: 3, warnings: 2 });
		expect(summary.issueCounts).toMatchObject({
			duplicate_email: 1,
			duplicate_user_id: 1,
			future_date: 2,
			invalid_email: 1,
			invalid_date: 1,
			missing_required: 0
		});
		expect([...summary.duplicateOf]).toEqual([
			[1, 0],
			[2, 0]
		]);
		expect(summary.rowIssues).toBeInstanceOf(Uint32Array);
		expect(summary.rowIssues).toHaveLength(5);
	});

	it('explains a row with columns, fields and the first row of a duplicate', () => {
		const { explain } = validate(
			[
				['User ID', 'Mail', 'Created'],
				['1', 'a@example.com', '2021-01-01'],
				['1', 'A@example.com', '31.02.2020', 'extra']
			],
			{ map: { 'User ID': 'user_id', Mail: 'email', Created: 'registration_date' } }
		);
		expect(explain(0)).toEqual([]);
		const issues = explain(1);
		expect(
			issues.map(({ code, column, field, firstRow }) => ({ code, column, field, firstRow }))
		).toEqual([
			{ code: 'invalid_date', column: 2, field: 'registration_date', firstRow: undefined },
			{ code: 'duplicate_user_id', column: 0, field: 'user_id', firstRow: 0 },
			{ code: 'duplicate_email', column: 1, field: 'email', firstRow: 0 },
			{ code: 'ragged_row', column: null, field: null, firstRow: undefined }
		]);
		expect(issues[0].message).toContain('Created');
		expect(issues[1].message).toContain('row 1');
	});

	it('explains an unmapped required field and agrees with the row masks', () => {
		const { explain, codes } = validate([['email'], ['a@example.com']], {
			map: { email: 'email' }
		});
		expect(codes).toEqual([['missing_required']]);
		expect(explain(0)).toMatchObject([
			{ code: 'missing_required', column: null, field: 'user_id' }
		]);
	});

	it('keeps per-row state small on 100 000 rows', () => {
		const validator = new Validator({
			profile: REFERENCE_PROFILE,
			mapping: ['user_id', 'email', 'registration_date'],
			columns: ['id', 'email', 'created'],
			options: OPTIONS
		});
		for (let i = 0; i < 100_000; i++)
			validator.add([String(i % 99_990), `u${i}@example.com`, '2021-03-04T10:00:00Z'], 3);
		const summary = validator.finish();
		expect(summary).toMatchObject({ rows: 100_000, valid: 99_990, invalid: 10 });
		expect(summary.issueCounts.duplicate_user_id).toBe(10);
		expect(summary.duplicateOf.get(99_990)).toBe(0);
	});
});

describe('canonicalRecord', () => {
	const cases = [
		{
			input: [' 7 ', '  ada@example.com ', 'Ada  ', 'ignored'],
			config: { mapping: ['user_id', 'email', 'name', null] as (FieldName | null)[] },
			expected: { user_id: '7', email: 'ada@example.com', name: 'Ada' }
		},
		{
			input: ['8', '', 'x'],
			config: { mapping: ['user_id', 'email', null] as (FieldName | null)[] },
			expected: { user_id: '8' }
		}
	];
	for (const { input, config, expected } of cases)
		it(JSON.stringify(input), () =>
			expect(canonicalRecord(input, config.mapping)).toEqual(expected)
		);
});
