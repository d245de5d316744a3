import { describe, expect, it } from 'vitest';
import { dateValue, parseDate, slashEvidence } from '../../../src/lib/core/validate/rules/date';

const utc = (...parts: [number, number, number, number?, number?, number?, number?]) => {
	const [y, m, d, h = 0, min = 0, s = 0, ms = 0] = parts;
	return Date.UTC(y, m - 1, d, h, min, s, ms);
};

// `expected` is the epoch ms under the given order, NaN for invalid.
const cases: { input: string; config: { order: 'dmy' | 'mdy' }; expected: number }[] = [
	{ input: '2021-03-04', config: { order: 'dmy' }, expected: utc(2021, 3, 4) },
	{ input: '2024-02-29', config: { order: 'dmy' }, expected: utc(2024, 2, 29) },
	{ input: '2000-02-29', config: { order: 'dmy' }, expected: utc(2000, 2, 29) },
	{ input: '1900-01-01', config: { order: 'dmy' }, expected: utc(1900, 1, 1) },
	{ input: '2100-12-31', config: { order: 'dmy' }, expected: utc(2100, 12, 31) },
	{ input: '2021-03-04T10:20', config: { order: 'dmy' }, expected: utc(2021, 3, 4, 10, 20) },
	{ input: '2021-03-04 10:20:30', config: { order: 'dmy' }, expected: utc(2021, 3, 4, 10, 20, 30) },
	{
		input: '2021-03-04T10:20:30Z',
		config: { order: 'dmy' },
		expected: utc(2021, 3, 4, 10, 20, 30)
	},
	{
		input: '2021-03-04T10:20:30.123456Z',
		config: { order: 'dmy' },
		expected: utc(2021, 3, 4, 10, 20, 30, 123)
	},
	{
		input: '2021-03-04T10:20:30.5',
		config: { order: 'dmy' },
		expected: utc(2021, 3, 4, 10, 20, 30, 500)
	},
	{
		input: '2021-03-04T10:20:30+02:00',
		config: { order: 'dmy' },
		expected: utc(2021, 3, 4, 8, 20, 30)
	},
	{ input: '2021-03-04T10:20-0530', config: { order: 'dmy' }, expected: utc(2021, 3, 4, 15, 50) },
	{
		input: '2021-03-04 23:59:59+0000',
		config: { order: 'dmy' },
		expected: utc(2021, 3, 4, 23, 59, 59)
	},
	{ input: '1614853230', config: { order: 'dmy' }, expected: 1614853230000 },
	{ input: '1614853230123', config: { order: 'dmy' }, expected: 1614853230123 },
	{ input: '04.03.2021', config: { order: 'mdy' }, expected: utc(2021, 3, 4) },
	{ input: '4.3.2021', config: { order: 'mdy' }, expected: utc(2021, 3, 4) },
	{ input: '2021/03/04', config: { order: 'mdy' }, expected: utc(2021, 3, 4) },
	{ input: '03/04/2021', config: { order: 'dmy' }, expected: utc(2021, 4, 3) },
	{ input: '03/04/2021', config: { order: 'mdy' }, expected: utc(2021, 3, 4) },
	{ input: '3/4/2021', config: { order: 'mdy' }, expected: utc(2021, 3, 4) },
	{ input: '29/02/2024', config: { order: 'dmy' }, expected: utc(2024, 2, 29) },
	// invalid
	{ input: '2023-02-29', config: { order: 'dmy' }, expected: NaN },
	{ input: '1900-02-29', config: { order: 'dmy' }, expected: NaN },
	{ input: '2100-02-29', config: { order: 'dmy' }, expected: NaN },
	{ input: '1899-12-31', config: { order: 'dmy' }, expected: NaN },
	{ input: '2101-01-01', config: { order: 'dmy' }, expected: NaN },
	{ input: '2021-13-01', config: { order: 'dmy' }, expected: NaN },
	{ input: '2021-00-10', config: { order: 'dmy' }, expected: NaN },
	{ input: '2021-04-31', config: { order: 'dmy' }, expected: NaN },
	{ input: '2021-03-04T24:00', config: { order: 'dmy' }, expected: NaN },
	{ input: '2021-03-04T23:60', config: { order: 'dmy' }, expected: NaN },
	{ input: '2021-03-04T23:59:60', config: { order: 'dmy' }, expected: NaN },
	{ input: '2021-03-04T10:20+24:00', config: { order: 'dmy' }, expected: NaN },
	{ input: '2021-03-04T10:20+02:60', config: { order: 'dmy' }, expected: NaN },
	{ input: '2021-03-04T10', config: { order: 'dmy' }, expected: NaN },
	{ input: '2021-03-04T', config: { order: 'dmy' }, expected: NaN },
	{ input: '2021-03-04T10:20:30Zjunk', config: { order: 'dmy' }, expected: NaN },
	{ input: '2021-3-4', config: { order: 'dmy' }, expected: NaN },
	{ input: '20210304', config: { order: 'dmy' }, expected: NaN },
	{ input: '161485323', config: { order: 'dmy' }, expected: NaN },
	{ input: '16148532301', config: { order: 'dmy' }, expected: NaN },
	{ input: '9999999999', config: { order: 'dmy' }, expected: NaN },
	{ input: '31.02.2020', config: { order: 'dmy' }, expected: NaN },
	{ input: '2021/3/4', config: { order: 'dmy' }, expected: NaN },
	{ input: '13/04/2021', config: { order: 'mdy' }, expected: NaN },
	{ input: '04/13/2021', config: { order: 'dmy' }, expected: NaN },
	{ input: '29/02/2023', config: { order: 'dmy' }, expected: NaN },
	{ input: '03/04/21', config: { order: 'dmy' }, expected: NaN },
	{ input: 'yesterday', config: { order: 'dmy' }, expected: NaN },
	{ input: '', config: { order: 'dmy' }, expected: NaN }
];

describe('dateValue', () => {
	for (const { input, config, expected } of cases)
		it(`${input || '(empty)'} as ${config.order}`, () => {
			expect(dateValue(input, config.order)).toBe(expected);
		});
});

describe('slash dates keep both readings', () => {
	const cases = [
		{
			input: '03/04/2021',
			expected: { dmy: utc(2021, 4, 3), mdy: utc(2021, 3, 4), evidence: null }
		},
		{ input: '13/04/2021', expected: { dmy: utc(2021, 4, 13), mdy: NaN, evidence: 'dmy' } },
		{ input: '04/13/2021', expected: { dmy: NaN, mdy: utc(2021, 4, 13), evidence: 'mdy' } },
		{ input: '31/02/2020', expected: { dmy: NaN, mdy: NaN, evidence: 'dmy' } },
		{
			input: '12/12/2021',
			expected: { dmy: utc(2021, 12, 12), mdy: utc(2021, 12, 12), evidence: null }
		}
	];
	for (const { input, expected } of cases)
		it(input, () => {
			const parsed = parseDate(input);
			expect(parsed.kind).toBe('slash');
			if (parsed.kind !== 'slash') return;
			expect({ dmy: parsed.dmy, mdy: parsed.mdy, evidence: slashEvidence(parsed) }).toEqual(
				expected
			);
		});

	it('ISO and dotted dates are never slash dates', () => {
		expect(parseDate('2021-03-04').kind).toBe('exact');
		expect(parseDate('04.03.2021').kind).toBe('exact');
		expect(parseDate('2021/03/04').kind).toBe('exact');
	});
});
