import { readFileSync } from 'node:fs';
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js/min';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import { fastNormalizePhone } from '../../../src/lib/core/validate/rules/phone-fast';
import { normalizePhone } from '../../../src/lib/core/validate/rules/phone';
import { seededRandom, pick } from '../../helpers/random';

// The fast path must be the library's twin: same verdict and same E.164 form whenever it decides.

const REGIONS = ['US', 'GB', 'DE', 'FR', 'IN', 'BR', 'CA', 'AU', 'IT', 'RU', 'CN', 'JP', ''];

/** What phone.ts computed before the fast path: the library alone. */
function library(value: string, region: string): string | null {
	try {
		const phone = parsePhoneNumberFromString(value, {
			defaultCountry: (region || undefined) as CountryCode | undefined,
			extract: false
		});
		return phone?.isValid() ? phone.number : null;
	} catch {
		return null;
	}
}

/** Values the fast path and the library disagree on (at most a few, for the message). */
function disagreements(values: Iterable<string>, regions: readonly string[]) {
	const found: { value: string; region: string; fast: string | null; library: string | null }[] =
		[];
	let decided = 0;
	let checked = 0;
	for (const value of values)
		for (const region of regions) {
			checked++;
			const fast = fastNormalizePhone(value, region);
			if (fast === undefined) continue;
			decided++;
			const expected = library(value, region);
			if (fast !== expected && found.length < 10)
				found.push({ value, region, fast, library: expected });
		}
	return { found, decided, checked };
}

/** A few ways people write the same digits. */
function written(digits: string, next: () => number): string {
	const separator = pick(next, [' ', '-', '.', '']);
	const parts: string[] = [];
	for (let at = 0; at < digits.length;) {
		const size = 2 + Math.floor(next() * 3);
		parts.push(digits.slice(at, at + size));
		at += size;
	}
	const joined = parts.join(separator);
	return next() < 0.2 && parts.length > 1
		? `(${parts[0]}) ${parts.slice(1).join(separator)}`
		: joined;
}

/** Every example number of every region, written in the shapes of a national and an international number. */
function exampleValues(): string[] {
	const next = seededRandom(14);
	const values: string[] = [];
	for (const [country, national] of Object.entries(examples as Record<string, string>)) {
		const code = getCountryCallingCode(country as CountryCode);
		const variants = [
			national,
			`0${national}`,
			`${code}${national}`,
			`00${code}${national}`,
			`011${code}${national}`,
			national.slice(0, -1),
			`${national}7`,
			`${(Number(national[0]) + 1) % 10}${national.slice(1)}`
		];
		for (const digits of variants) {
			values.push(digits, `+${digits}`, `+${code}${digits}`, written(digits, next));
			values.push(`+${code} ${written(digits, next)}`);
		}
		// Random digits changed: numbers near valid ones, most of them invalid.
		for (let round = 0; round < 40; round++) {
			const chars = national.split('');
			chars[Math.floor(next() * chars.length)] = String(Math.floor(next() * 10));
			const mutated = chars.join('');
			values.push(next() < 0.5 ? `+${code}${mutated}` : written(mutated, next));
		}
	}
	return values;
}

/** Every phone the bench generator (scripts/lib/user-export.ts) writes: +1202555 and four digits. */
function benchPhones(): string[] {
	return Array.from({ length: 1e4 }, (_, n) => `+1202555${String(n).padStart(4, '0')}`);
}

/** The phone-like literals of scripts/make-fixtures.mjs. */
function fixturePhones(): string[] {
	const source = readFileSync('scripts/make-fixtures.mjs', 'utf8');
	return [...source.matchAll(/'(\+?[0-9][0-9 ().+-]{5,})'/g)].map((match) => match[1]);
}

/** Random digit strings of 3 to 17 digits, with or without "+", some written with separators. */
function randomValues(count: number, seed: number): string[] {
	const next = seededRandom(seed);
	const values: string[] = [];
	for (let n = 0; n < count; n++) {
		let digits = '';
		const length = 3 + Math.floor(next() * 15);
		for (let at = 0; at < length; at++) digits += String(Math.floor(next() * 10));
		const text = next() < 0.3 ? written(digits, next) : digits;
		values.push(next() < 0.5 ? `+${text}` : text);
	}
	return values;
}

describe('phone fast path', () => {
	it.each([
		['+12025550123', 'US', '+12025550123'],
		['(202) 555-0123', 'US', '+12025550123'],
		['202.555.0123', 'US', '+12025550123'],
		['1 202 555 0123', 'US', '+12025550123'],
		['011 44 20 7946 0958', 'US', '+442079460958'],
		['+44 20 7946 0958', 'DE', '+442079460958'],
		['020 7946 0958', 'GB', '+442079460958'],
		['0170 1234567', 'DE', '+491701234567'],
		['01 23 45 67 89', 'FR', '+33123456789'],
		['98765 43210', 'IN', '+919876543210'],
		['(11) 91234-5678', 'BR', '+5511912345678'],
		['+12425550123', 'GB', '+12425550123'],
		['+1202555', 'US', null],
		['+0123456789', 'US', null],
		['2025550123', '', null]
	])('%s in %s', (value, region, expected) => {
		expect(fastNormalizePhone(value, region)).toBe(expected);
		expect(library(value, region)).toBe(expected);
	});

	it.each([
		['+1 202 555 0123 ext. 7', 'US'],
		['tel:+1-202-555-0123', 'US'],
		['+800 1234 5678', 'US'],
		['２０２５５５０１２３', 'US'],
		['1-800-FLOWERS', 'US'],
		['12', 'US'],
		['+12025550123', 'XX']
	])('leaves %s in %s to the library', (value, region) => {
		expect(fastNormalizePhone(value, region)).toBeUndefined();
		expect(normalizePhone(value, region)).toBe(library(value, region));
	});

	it('decides every phone of the bench file and gives the library’s answer', () => {
		const phones = [...benchPhones(), ...fixturePhones()];
		const { found, decided, checked } = disagreements(phones, REGIONS);
		expect(found).toEqual([]);
		expect(decided).toBe(checked);
	});

	it('agrees with the library on every example number of every region, in many shapes', () => {
		const values = exampleValues();
		expect(values.length).toBeGreaterThan(15_000);
		const { found, decided } = disagreements(values, ['US', 'GB', 'DE', 'FR', 'IN', 'BR']);
		expect(found).toEqual([]);
		expect(decided).toBeGreaterThan(values.length * 6 * 0.9);
	});

	it('answers the same when the same number comes again, in another region or written otherwise', () => {
		// The fast path remembers its last number-type test: the order of calls must not matter.
		const values = [
			'+12025550123',
			'2025550123',
			'(202) 555-0123',
			'+1 202.555.0123',
			'+442079460958'
		];
		const calls = [...values, ...[...values].reverse(), ...values].flatMap((value) =>
			['US', 'CA', 'GB', 'US'].map((region) => ({ value, region }))
		);
		for (const { value, region } of calls)
			expect(fastNormalizePhone(value, region), `${value} in ${region}`).toBe(
				library(value, region)
			);
	});

	it('agrees with the library on 100,000 random digit strings', () => {
		const values = randomValues(100_000, 7);
		for (const [index, region] of REGIONS.entries()) {
			const share = values.filter((_, n) => n % REGIONS.length === index);
			expect(disagreements(share, [region]).found).toEqual([]);
		}
	});
});
