// The "min" metadata (≈ 80 KB against ≈ 150 KB for "max") holds every country's calling code,
// number lengths and national number pattern, which is all isValid() needs to decide whether a
// number normalises to E.164; "max" only adds per-type patterns (mobile, fixed line…) Ferry never
// asks about. Both gave the same verdicts on the cases in tests/unit/validate.
import {
	isSupportedCountry,
	parsePhoneNumberFromString,
	type CountryCode
} from 'libphonenumber-js/min';
import { fastNormalizePhone } from './phone-fast';

/** The E.164 form of a phone number, or null when it cannot be parsed as a valid number. */
export function normalizePhone(value: string, defaultRegion: string): string | null {
	const fast = fastNormalizePhone(value, defaultRegion);
	if (fast !== undefined) return fast;
	try {
		const phone = parsePhoneNumberFromString(value, {
			defaultCountry: defaultRegion as CountryCode,
			extract: false
		});
		return phone?.isValid() ? phone.number : null;
	} catch {
		return null;
	}
}

export function isValidPhone(value: string, defaultRegion: string): boolean {
	return normalizePhone(value, defaultRegion) !== null;
}

/** Whether `region` is a country code (ISO 3166-1 alpha-2, upper case) the phone metadata knows. */
export function isKnownRegion(region: string): boolean {
	return isSupportedCountry(region);
}
