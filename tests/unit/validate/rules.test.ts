import { describe, expect, it } from 'vitest';
import { isValidBoolean, parseBoolean } from '../../../src/lib/core/validate/rules/boolean';
import { isValidLocale } from '../../../src/lib/core/validate/rules/locale';
import { isValidPhone, normalizePhone } from '../../../src/lib/core/validate/rules/phone';
import {
	firstControlCharacter,
	hasControlCharacter
} from '../../../src/lib/core/validate/rules/text';
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

describe('control characters', () => {
	const cases: { input: string; expected: number }[] = [
		{ input: '', expected: -1 },
		{ input: 'Grace Hopper', expected: -1 },
		// Tab and line breaks (quoted CSV fields carry them) are data.
		{ input: 'a\tb', expected: -1 },
		{ input: 'line 1\nline 2', expected: -1 },
		{ input: 'line 1\r\nline 2', expected: -1 },
		{ input: 'a\rb', expected: -1 },
		{ input: 'a\x00b', expected: 0x00 },
		{ input: 'a\x01', expected: 0x01 },
		{ input: '\x08', expected: 0x08 },
		{ input: '\x0b', expected: 0x0b },
		{ input: '\x0c', expected: 0x0c },
		{ input: '\x1b[31mred', expected: 0x1b },
		{ input: '\x1f', expected: 0x1f },
		{ input: ' ~', expected: -1 },
		{ input: 'del\x7f', expected: 0x7f },
		{ input: '\u0080', expected: 0x80 },
		{ input: 'next\u0085line', expected: 0x85 },
		{ input: '\u009b2J', expected: 0x9b },
		{ input: '\u009f', expected: 0x9f },
		{ input: 'a\u00a0b', expected: -1 },
		{ input: '© 2024 Zoë', expected: -1 },
		{ input: '\u200b\u2028\ufeff😀', expected: -1 },
		{ input: 'a\tb\x00c\x1b', expected: 0x00 }
	];
	it.each(cases)('$input', ({ input, expected }) => {
		expect(firstControlCharacter(input)).toBe(expected);
		expect(hasControlCharacter(input)).toBe(expected >= 0);
	});
});

describe('locales (BCP 47 language tags)', () => {
	const cases: { input: string; expected: boolean }[] = [
		...['en', 'en-US', 'en_US', 'fr', 'zh-Hant-TW', 'de-CH-1996', 'sr-Latn', 'es-419', 'und'].map(
			(input) => ({ input, expected: true })
		),
		// The grammar allows a 5 to 8 letter language subtag.
		{ input: 'English', expected: true },
		...[
			'',
			'<script>',
			'en US',
			'e',
			'en-',
			'-en',
			'en--US',
			'toolonglanguage',
			'en\x00',
			'en-US;q=0.9',
			'12'
		].map((input) => ({ input, expected: false }))
	];
	it.each(cases)('$input', ({ input, expected }) => expect(isValidLocale(input)).toBe(expected));
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
			'malformed_quotes',
			'invalid_characters',
			'invalid_locale',
			'no_primary_email',
			'several_primary_emails',
			'invalid_password_hash',
			'unsupported_password_hash',
			'reserved_metadata_key',
			'invalid_json',
			'record_too_large'
		]);
		const warnings = ISSUE_CODES.filter((code) => SEVERITY[code] === 'warning');
		expect(warnings).toEqual([
			'future_date',
			'login_before_registration',
			'unsupported_password_hash'
		]);
		for (const code of ISSUE_CODES) expect(ISSUE_LABELS[code]).toMatch(/\w/);
	});

	it('masks split errors from warnings and codesOf reads bits back', () => {
		expect(ERROR_MASK & WARNING_MASK).toBe(0);
		expect(ERROR_MASK | WARNING_MASK).toBe((1 << ISSUE_CODES.length) - 1);
		expect(codesOf(WARNING_MASK)).toEqual([
			'future_date',
			'login_before_registration',
			'unsupported_password_hash'
		]);
		expect(codesOf((1 << 1) | (1 << 6))).toEqual(['invalid_email', 'duplicate_user_id']);
		expect(codesOf(0)).toEqual([]);
	});
});
