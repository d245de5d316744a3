import { describe, expect, it } from 'vitest';
import { checkRow, isValidEmail, sameName } from '../../../server/validate';

describe('isValidEmail', () => {
	const cases: { input: string; expected: boolean }[] = [
		{ input: 'ada@example.com', expected: true },
		{ input: 'first.last+tag@sub.example.co.uk', expected: true },
		{ input: "o'brien@example.ie", expected: true },
		{ input: 'user@bücher.de', expected: true },
		{ input: 'USER@EXAMPLE.COM', expected: true },
		{ input: 'plainaddress', expected: false },
		{ input: '@example.com', expected: false },
		{ input: 'user@', expected: false },
		{ input: 'user@localhost', expected: false },
		{ input: '.user@example.com', expected: false },
		{ input: 'user.@example.com', expected: false },
		{ input: 'us..er@example.com', expected: false },
		{ input: 'usér@example.com', expected: false },
		{ input: 'user@example.123', expected: false },
		{ input: 'user@-example.com', expected: false },
		{ input: 'user@exa mple.com', expected: false },
		{ input: `${'a'.repeat(65)}@example.com`, expected: false },
		{ input: `a@${'b'.repeat(250)}.com`, expected: false }
	];
	it.each(cases)('$input → $expected', ({ input, expected }) => {
		expect(isValidEmail(input)).toBe(expected);
	});
});

describe('checkRow', () => {
	const cases: { input: Record<string, unknown>; expected: ReturnType<typeof checkRow> }[] = [
		{
			input: { user_id: ' u1 ', email: 'a@example.com', name: 'Ada' },
			expected: { ok: true, values: { user_id: 'u1', email: 'a@example.com', name: 'Ada' } }
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', email_verified: true, blocked: 'No' },
			expected: {
				ok: true,
				values: { user_id: 'u1', email: 'a@example.com', email_verified: 'true', blocked: 'No' }
			}
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', roles: ['admin', ' dev'] },
			expected: {
				ok: true,
				values: { user_id: 'u1', email: 'a@example.com', roles: '["admin","dev"]' }
			}
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', nickname: '', locale: null },
			expected: { ok: true, values: { user_id: 'u1', email: 'a@example.com' } }
		},
		{
			input: { user_id: 'u1' },
			expected: { ok: false, reason: 'email is required' }
		},
		{
			input: { user_id: '  ', email: 'a@example.com' },
			expected: { ok: false, reason: 'user_id is required' }
		},
		{
			input: { user_id: 'u1', email: 'not-an-email' },
			expected: { ok: false, reason: 'email is not a valid address' }
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', Password: 'x' },
			expected: { ok: false, reason: 'unknown field "Password"' }
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', __proto__x: 1, constructor: 'x' },
			expected: { ok: false, reason: 'unknown field "__proto__x"; unknown field "constructor"' }
		},
		{
			input: { user_id: 'x'.repeat(256), email: 'a@example.com' },
			expected: { ok: false, reason: 'user_id is longer than 255 characters' }
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', name: '😀'.repeat(1024) },
			expected: {
				ok: true,
				values: { user_id: 'u1', email: 'a@example.com', name: '😀'.repeat(1024) }
			}
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', name: 'n'.repeat(1025) },
			expected: { ok: false, reason: 'name is longer than 1024 characters' }
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', blocked: 'maybe' },
			expected: { ok: false, reason: 'blocked is not a boolean' }
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', name: { first: 'Ada' } },
			expected: { ok: false, reason: 'name has a value of the wrong type' }
		},
		{
			input: { user_id: 'u1', email: 42 },
			expected: { ok: false, reason: 'email has a value of the wrong type' }
		},
		{
			input: { email: 'bad', extra: 'x' },
			expected: {
				ok: false,
				reason: 'email is not a valid address; unknown field "extra"; user_id is required'
			}
		},
		{
			input: { user_id: 'u1\u0000', email: 'a@example.com', name: 'Ada\u001b[2J' },
			expected: {
				ok: false,
				reason: 'user_id contains a control character; name contains a control character'
			}
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', roles: ['admin', 'x\u0000'] },
			expected: { ok: false, reason: 'roles contains a control character' }
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', locale: '<script>alert(1)</script>' },
			expected: { ok: false, reason: 'locale is not a language tag' }
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', registration_date: 'not a date' },
			expected: { ok: false, reason: 'registration_date is not a date' }
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', last_login_date: '03/04/2021' },
			expected: {
				ok: false,
				reason: 'last_login_date is ambiguous (day and month could be swapped); send ISO 8601'
			}
		},
		{
			input: { user_id: 'u1', email: 'a@example.com', phone_number: 'garbage' },
			expected: {
				ok: false,
				reason: 'phone_number is not a valid phone number with its country code'
			}
		},
		{
			input: {
				user_id: 'u1',
				email: 'a@example.com',
				phone_number: '+12015550123',
				registration_date: '2021-04-03',
				last_login_date: '2024-05-01T10:00:00.000Z',
				locale: 'en_US',
				organization: 'Line one\nline two'
			},
			expected: {
				ok: true,
				values: {
					user_id: 'u1',
					email: 'a@example.com',
					phone_number: '+12015550123',
					registration_date: '2021-04-03',
					last_login_date: '2024-05-01T10:00:00.000Z',
					locale: 'en_US',
					organization: 'Line one\nline two'
				}
			}
		}
	];
	it.each(cases)('$input', ({ input, expected }) => {
		expect(checkRow(input)).toEqual(expected);
	});
});

describe('sameName', () => {
	const cases = [
		{ input: ['Ada Lovelace', 'ada  lovelace '], expected: true },
		{ input: ['Zoë', 'Zoe\u0308'], expected: true },
		{ input: ['Ada Lovelace', 'Ada Byron'], expected: false }
	];
	it.each(cases)('$input → $expected', ({ input, expected }) => {
		expect(sameName(input[0], input[1])).toBe(expected);
	});
});
