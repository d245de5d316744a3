import { describe, expect, it } from 'vitest';
import { isValidBoolean, parseBoolean } from '../../../src/lib/core/validate/rules/boolean';
import { isValidPhone, normalizePhone } from '../../../src/lib/core/validate/rules/phone';
import { isValidUuid } from '../../../src/lib/core/validate/rules/uuid';
import {
	ERROR_MASK,
	ISSUE_CODES,
	ISSUE_LABELS,
	SEVERITY,
	WARNING_MASK,
	codesOf
} from '../../../src/lib/core/validate/codes';

describe('booleans', () => {
	const cases = [
		...['true', 'TRUE', 'True', 'yes', 'YES', 'y', 'Y', '1'].map((input) => ({
			input,
			expected: true
		})),
		...['false', 'False', 'no', 'NO', 'n', 'N', '0'].map((input) => ({ input, expected: false })),
		...['', 'vielleicht', 't', 'f', '2', 'yes!', 'on', 'off', '01', 'nein'].map((input) => ({
			input,
			expected: null
		}))
	];
	for (const { input, expected } of cases)
		it(JSON.stringify(input), () => {
			expect(parseBoolean(input)).toBe(expected);
			expect(isValidBoolean(input)).toBe(expected !== null);
		});
});

describe('phones', () => {
	const cases = [
		{ input: '+44 20 7946 0958', config: { region: 'US' }, expected: '+442079460958' },
		{ input: '+34 912 345 678', config: { region: 'US' }, expected: '+34912345678' },
		{ input: '020 7946 0958', config: { region: 'GB' }, expected: '+442079460958' },
		{ input: '(201) 555-0123', config: { region: 'US' }, expected: '+12015550123' },
		{ input: '030 123456', config: { region: 'DE' }, expected: '+4930123456' },
		{ input: '+49 1512 3456789', config: { region: 'FR' }, expected: '+4915123456789' },
		{ input: '020 7946 0958', config: { region: 'US' }, expected: null },
		{ input: '555-0123', config: { region: 'US' }, expected: null },
		{ input: '+1 999 555 0123', config: { region: 'US' }, expected: null },
		{ input: '123', config: { region: 'DE' }, expected: null },
		{ input: 'call +44 20 7946 0958', config: { region: 'GB' }, expected: null },
		{ input: 'abc', config: { region: 'US' }, expected: null },
		{ input: '+44 20 7946 0958', config: { region: 'not-a-region' }, expected: '+442079460958' }
	];
	for (const { input, config, expected } of cases)
		it(`${input} (${config.region})`, () => {
			expect(normalizePhone(input, config.region)).toBe(expected);
			expect(isValidPhone(input, config.region)).toBe(expected !== null);
		});
});

describe('uuids', () => {
	const cases = [
		{ input: '123e4567-e89b-12d3-a456-426614174000', expected: true },
		{ input: '123E4567-E89B-12D3-A456-426614174000', expected: true },
		{ input: '00000000-0000-0000-0000-000000000000', expected: true },
		{ input: '123e4567e89b12d3a456426614174000', expected: false },
		{ input: '{123e4567-e89b-12d3-a456-426614174000}', expected: false },
		{ input: '123e4567-e89b-12d3-a456-42661417400', expected: false },
		{ input: '123e4567-e89b-12d3-a456-42661417400g', expected: false },
		{ input: '1001', expected: false }
	];
	for (const { input, expected } of cases)
		it(input, () => expect(isValidUuid(input)).toBe(expected));
});

describe('issue codes', () => {
	it('lists every code once, in DESIGN order, with its severity and a label', () => {
		expect(ISSUE_CODES).toEqual([
			'missing_required',
			'invalid_email',
			'invalid_date',
			'invalid_boolean',
			'invalid_phone',
			'invalid_uuid',
			'duplicate_user_id',
			'duplicate_email',
			'ragged_row',
			'value_too_long',
			'future_date',
			'login_before_registration',
			'malformed_quotes'
		]);
		const warnings = ISSUE_CODES.filter((code) => SEVERITY[code] === 'warning');
		expect(warnings).toEqual(['future_date', 'login_before_registration']);
		for (const code of ISSUE_CODES) expect(ISSUE_LABELS[code]).toMatch(/\w/);
	});

	it('masks split errors from warnings and codesOf reads bits back', () => {
		expect(ERROR_MASK & WARNING_MASK).toBe(0);
		expect(ERROR_MASK | WARNING_MASK).toBe((1 << ISSUE_CODES.length) - 1);
		expect(codesOf(WARNING_MASK)).toEqual(['future_date', 'login_before_registration']);
		expect(codesOf((1 << 1) | (1 << 6))).toEqual(['invalid_email', 'duplicate_user_id']);
		expect(codesOf(0)).toEqual([]);
	});
});
