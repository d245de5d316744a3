import { domainToASCII } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isValidEmail } from '../../../src/lib/core/validate/rules/email';
import { domainToAscii, punycodeEncode } from '../../../src/lib/core/validate/rules/punycode';

const local64 = 'l'.repeat(64);
// 64 + 1 + 189 = 254 octets; one more label character makes 255.
const domain189 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(57)}.com`;
const domain190 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(58)}.com`;

const cases: { input: string; expected: boolean; note: string }[] = [
	{ input: 'ada@example.com', expected: true, note: 'plain' },
	{ input: "o'brien+tag@mail.example.co.uk", expected: true, note: 'apostrophe, plus, subdomains' },
	{ input: "!#$%&'*+/=?^_`{|}~-@example.com", expected: true, note: 'every atext symbol' },
	{ input: 'a.b.c@example.com', expected: true, note: 'single inner dots' },
	{ input: 'Grace@Example.COM', expected: true, note: 'any case' },
	{ input: 'a@b-c.io', expected: true, note: 'inner hyphen' },
	{ input: 'a@1.2.3.com', expected: true, note: 'digit labels before a non-numeric TLD' },
	{ input: 'a@example.c0m', expected: true, note: 'TLD with a digit' },
	{ input: `a@${'x'.repeat(63)}.com`, expected: true, note: '63-character label' },
	{ input: `${local64}@example.com`, expected: true, note: '64-octet local part' },
	{ input: `${local64}@${domain189}`, expected: true, note: '254 octets in all' },
	{ input: 'user@münchen.de', expected: true, note: 'IDN domain' },
	{ input: 'user@例え.jp', expected: true, note: 'IDN domain, CJK' },
	{ input: 'user@xn--mnchen-3ya.de', expected: true, note: 'A-label as written' },
	{ input: 'user@MÜNCHEN.de', expected: true, note: 'IDN domain, upper case' },
	{ input: '', expected: false, note: 'empty' },
	{ input: 'plainaddress', expected: false, note: 'no @' },
	{ input: '@example.com', expected: false, note: 'empty local part' },
	{ input: 'a@', expected: false, note: 'empty domain' },
	{ input: 'broken@@example.com', expected: false, note: 'two @' },
	{ input: 'a@b@example.com', expected: false, note: '@ inside local part' },
	{ input: 'a@localhost', expected: false, note: 'single label' },
	{ input: '.a@example.com', expected: false, note: 'leading dot' },
	{ input: 'a.@example.com', expected: false, note: 'trailing dot' },
	{ input: 'a..b@example.com', expected: false, note: 'double dot' },
	{ input: 'a@example..com', expected: false, note: 'empty domain label' },
	{ input: 'a@.example.com', expected: false, note: 'leading dot in domain' },
	{ input: 'a@example.com.', expected: false, note: 'trailing dot in domain' },
	{ input: 'a@-example.com', expected: false, note: 'label starts with hyphen' },
	{ input: 'a@example-.com', expected: false, note: 'label ends with hyphen' },
	{ input: 'a@b_c.com', expected: false, note: 'underscore in domain' },
	{ input: 'a@192.168.0.1', expected: false, note: 'numeric TLD (IP address)' },
	{ input: 'a@example.123', expected: false, note: 'numeric TLD' },
	{ input: 'a@[127.0.0.1]', expected: false, note: 'address literal' },
	{ input: '"quoted"@example.com', expected: false, note: 'quoted local part' },
	{ input: 'a b@example.com', expected: false, note: 'space in local part' },
	{ input: 'a@exa mple.com', expected: false, note: 'space in domain' },
	{ input: 'zoë@example.com', expected: false, note: 'non-ASCII local part' },
	{ input: `${'l'.repeat(65)}@example.com`, expected: false, note: '65-octet local part' },
	{ input: `${local64}@${domain190}`, expected: false, note: '255 octets in all' },
	{ input: `a@${'x'.repeat(64)}.com`, expected: false, note: '64-character label' },
	{ input: `a@${'ü'.repeat(60)}.com`, expected: false, note: 'A-label longer than 63' }
];

describe('isValidEmail', () => {
	for (const { input, expected, note } of cases) {
		it(`${note}: ${input.length > 40 ? `${input.slice(0, 40)}…` : input}`, () => {
			expect(isValidEmail(input)).toBe(expected);
		});
	}
});

describe('punycode (RFC 3492)', () => {
	const cases = [
		{ input: 'münchen', expected: 'mnchen-3ya' },
		{ input: 'bücher', expected: 'bcher-kva' },
		{ input: '例え', expected: 'r8jz45g' },
		{ input: 'ü', expected: 'tda' }
	];
	for (const { input, expected } of cases)
		it(input, () => expect(punycodeEncode(input)).toBe(expected));

	const domains = [
		'münchen.de',
		'правительство.рф',
		'ñandú.com',
		'日本語.jp',
		'straße.de',
		'ǅ.com'
	];
	for (const domain of domains)
		it(`domainToAscii agrees with node:url for ${domain}`, () => {
			expect(domainToAscii(domain)).toBe(domainToASCII(domain));
		});
});
