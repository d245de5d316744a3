// A fast path for the phone rule: the same steps as libphonenumber-js's parsePhoneNumberFromString
// (source/parse.js and the helpers it calls, version pinned in package-lock.json) followed by
// isValid(), restricted to the shapes most exports hold: an optional leading "+" then ASCII digits,
// with spaces, hyphens, dots and parentheses between them. For those shapes most of the library's
// steps are no-ops (no RFC 3966 URI, no extension, no letters, no non-ASCII digit), and what is left
// is replayed below on each country's metadata, read once per country through the library's own
// Metadata class, with every pattern compiled once. The library builds a Metadata object and new
// RegExps several times per call, which was about 40% of a range worker's time.
//
// The metadata is read at load time rather than generated at build time: it is the very object the
// library uses (libphonenumber-js/min/metadata), so the two cannot drift apart after an upgrade, and
// no build step has to run for Node, Vite and Vitest alike. Anything outside these shapes returns
// undefined and is decided by the library; tests/unit/validate/phone-fast.test.ts compares both
// on every shape for several default regions.
import { Metadata, type CountryCode, type MetadataJson } from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/min/metadata';

/** libphonenumber-js's MAX_INPUT_STRING_LENGTH: longer input is never a number. */
const MAX_INPUT_LENGTH = 250;
/** MIN_LENGTH_FOR_NSN and MAX_LENGTH_FOR_NSN of the library's constants. */
const MIN_NATIONAL_LENGTH = 2;
const MAX_NATIONAL_LENGTH = 17;
const MAX_CALLING_CODE_LENGTH = 3;
/** getNumberType's order: fixed line first, then the other types. */
const NUMBER_TYPES = [
	'FIXED_LINE',
	'MOBILE',
	'PREMIUM_RATE',
	'TOLL_FREE',
	'SHARED_COST',
	'VOIP',
	'PERSONAL_NUMBER',
	'PAGER',
	'UAN',
	'VOICEMAIL'
] as const;

interface NumberTypeRule {
	pattern: RegExp;
	lengths: number[] | undefined;
}

/** One country's numbering plan, as the library's NumberingPlan accessors return it. */
interface Plan {
	callingCode: string;
	/**
	 * null when the plan has no IDD prefix (a pattern that then strips nothing). This and
	 * leadingDigits are anchored: the library's `search(pattern) === 0` asks for a match at the
	 * start, which the leftmost match is when there is one, found without a result array per call.
	 */
	idd: RegExp | null;
	nationalNumber: RegExp;
	lengths: number[] | undefined;
	nationalPrefix: RegExp | null;
	transformRule: string | undefined;
	leadingDigits: RegExp | null;
	/** null when the plan has no types: validity is then the national number pattern alone. */
	types: NumberTypeRule[] | null;
}

interface MetadataTables {
	country_calling_codes: Record<string, string[]>;
	countries: Record<string, unknown>;
	nonGeographic?: Record<string, unknown>;
}
const tables = metadataJson as unknown as MetadataTables;
const metadata = new Metadata(metadataJson as MetadataJson);
const callingCodes = tables.country_calling_codes;
const nonGeographic = tables.nonGeographic ?? {};
const plans = new Map<string, Plan>();

/** The library's matchesEntirely() pattern. */
const entirely = (text: string) => new RegExp('^(?:' + text + ')$');
/** A pattern matched at the start of the text only. */
const startsWith = (text: string) => new RegExp('^(?:' + text + ')');

function planOf(country: string): Plan {
	let plan = plans.get(country);
	if (plan) return plan;
	metadata.selectNumberingPlan(country as CountryCode);
	const numbering = metadata.numberingPlan as unknown as NumberingPlanAccessors;
	const idd = numbering.IDDPrefix();
	const prefix = numbering.nationalPrefixForParsing();
	const leading = numbering.leadingDigits();
	let types: NumberTypeRule[] | null = null;
	if (numbering.hasTypes()) {
		types = [];
		for (const name of NUMBER_TYPES) {
			const type = numbering.type(name);
			// isNumberTypeEqualTo: a type without a pattern never matches.
			if (type && type.pattern())
				types.push({ pattern: entirely(type.pattern()), lengths: type.possibleLengths() });
		}
	}
	plan = {
		callingCode: numbering.callingCode(),
		idd: idd ? startsWith(idd) : null,
		nationalNumber: entirely(numbering.nationalNumberPattern()),
		lengths: numbering.possibleLengths(),
		nationalPrefix: prefix ? startsWith(prefix) : null,
		transformRule: numbering.nationalPrefixTransformRule(),
		leadingDigits: leading ? startsWith(leading) : null,
		types
	};
	plans.set(country, plan);
	return plan;
}

interface NumberingPlanAccessors {
	callingCode(): string;
	IDDPrefix(): string | undefined;
	nationalNumberPattern(): string;
	possibleLengths(): number[] | undefined;
	nationalPrefixForParsing(): string | undefined;
	nationalPrefixTransformRule(): string | undefined;
	leadingDigits(): string | undefined;
	hasTypes(): boolean;
	type(name: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}

/** plansOf's answers: each number asks two or three times, of one of a few calling codes. */
const geographic = new Map<string, Plan[] | undefined>();

/**
 * The plans of a calling code's countries, in the metadata's order (the main country first), or
 * undefined for non-geographic codes (800, 808, 870…).
 */
function plansOf(callingCode: string): Plan[] | undefined {
	if (geographic.has(callingCode)) return geographic.get(callingCode);
	const countries = callingCodes[callingCode];
	// Older metadata listed non-geographic codes here as "001": left to the library too.
	const answer = countries && !countries.includes('001') ? countries.map(planOf) : undefined;
	geographic.set(callingCode, answer);
	return answer;
}

/**
 * The last answer of hasNumberType: a number's country is found by its type (countryByCallingCode)
 * and then validated by the same test (isValid), with the same number and plan.
 */
let lastNumber = '';
let lastPlan: Plan | null = null;
let lastTyped = false;

/** getNumberType(…) !== undefined. */
function hasNumberType(nationalNumber: string, plan: Plan): boolean {
	if (lastPlan === plan && lastNumber === nationalNumber) return lastTyped;
	lastTyped = numberTyped(nationalNumber, plan);
	lastNumber = nationalNumber;
	lastPlan = plan;
	return lastTyped;
}

function numberTyped(nationalNumber: string, plan: Plan): boolean {
	if (!plan.nationalNumber.test(nationalNumber) || !plan.types) return false;
	for (const { pattern, lengths } of plan.types)
		if ((!lengths || lengths.includes(nationalNumber.length)) && pattern.test(nationalNumber))
			return true;
	return false;
}

/** getCountryByCallingCode, as the country's plan, among the plans of its calling code. */
function planByCallingCode(plans: Plan[], nationalNumber: string): Plan | undefined {
	if (plans.length === 1) return plans[0];
	for (const plan of plans) {
		if (plan.leadingDigits) {
			if (nationalNumber && plan.leadingDigits.test(nationalNumber)) return plan;
		} else if (hasNumberType(nationalNumber, plan)) return plan;
	}
	return undefined;
}

/** checkNumberLength(…) is neither TOO_SHORT nor INVALID_LENGTH. */
type LengthVerdict = 'IS_POSSIBLE' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_LENGTH';
function checkLength(nationalNumber: string, plan: Plan): LengthVerdict {
	const lengths = plan.lengths;
	if (!lengths) return 'IS_POSSIBLE';
	const length = nationalNumber.length;
	if (lengths[0] === length) return 'IS_POSSIBLE';
	if (lengths[0] > length) return 'TOO_SHORT';
	if (lengths[lengths.length - 1] < length) return 'TOO_LONG';
	return lengths.indexOf(length, 1) >= 0 ? 'IS_POSSIBLE' : 'INVALID_LENGTH';
}

/** extractNationalNumber: the number without its national prefix, when removing it is right. */
function extractNationalNumber(number: string, plan: Plan): string {
	const prefix = plan.nationalPrefix;
	if (!number || !prefix) return number;
	const match = prefix.exec(number);
	if (!match) return number;
	const groups = match.length - 1;
	const captured = groups > 0 && match[groups];
	const nationalNumber =
		plan.transformRule && captured
			? number.replace(prefix, plan.transformRule)
			: number.slice(match[0].length);
	if (nationalNumber === number) return number;
	// shouldHaveExtractedNationalPrefix
	if (plan.nationalNumber.test(number) && !plan.nationalNumber.test(nationalNumber)) return number;
	if (plan.lengths) {
		const plans = plansOf(plan.callingCode);
		const verdict = checkLength(
			nationalNumber,
			(plans && planByCallingCode(plans, nationalNumber)) ?? plan
		);
		if (verdict === 'TOO_SHORT' || verdict === 'INVALID_LENGTH') return number;
	}
	return nationalNumber;
}

/** extractCountryCallingCode after a "+": the calling code and the rest, or null. */
function splitCallingCode(digits: string): { callingCode: string; rest: string } | null {
	if (digits[0] === '0') return null;
	for (let length = 1; length <= MAX_CALLING_CODE_LENGTH && length <= digits.length; length++) {
		const callingCode = digits.slice(0, length);
		if (callingCodes[callingCode] || nonGeographic[callingCode])
			return { callingCode, rest: digits.slice(length) };
	}
	return null;
}

/** stripIddPrefix: the digits after the region's international prefix, or undefined. */
function stripIddPrefix(digits: string, plan: Plan): string | undefined {
	if (!plan.idd) return digits;
	const prefix = plan.idd.exec(digits);
	if (!prefix) return undefined;
	const rest = digits.slice(prefix[0].length);
	return rest[0] === '0' ? undefined : rest;
}

/** The E.164 form, null when the library finds no valid number, undefined when it must decide. */
function decide(digits: string, plus: boolean, defaultRegion: string): string | null | undefined {
	let callingCode: string | undefined;
	let number: string;
	/** The default region's plan, when the number is taken as national in it. */
	let regionPlan: Plan | undefined;
	if (!plus) {
		if (!defaultRegion) return null;
		const region = planOf(defaultRegion);
		const withoutIdd = stripIddPrefix(digits, region);
		if (withoutIdd && withoutIdd !== digits) {
			plus = true;
			digits = withoutIdd;
		} else if (digits.startsWith(region.callingCode)) {
			// extractCountryCallingCodeFromInternationalNumberWithoutPlusSign
			const shorter = extractNationalNumber(digits.slice(region.callingCode.length), region);
			const whole = extractNationalNumber(digits, region);
			if (
				(!region.nationalNumber.test(whole) && region.nationalNumber.test(shorter)) ||
				checkLength(whole, region) === 'TOO_LONG'
			) {
				callingCode = region.callingCode;
				number = digits.slice(region.callingCode.length);
			}
		}
	}
	if (plus) {
		const split = splitCallingCode(digits);
		if (!split) return null;
		({ callingCode, rest: number } = split);
	} else if (!callingCode) {
		regionPlan = planOf(defaultRegion);
		callingCode = regionPlan.callingCode;
		number = digits;
	}
	const main = plansOf(callingCode!);
	if (!main) return undefined;
	if (!number!) return null;
	const nationalNumber = extractNationalNumber(number, regionPlan ?? main[0]);
	const plan = planByCallingCode(main, nationalNumber) ?? regionPlan ?? main[0];
	if (nationalNumber.length < MIN_NATIONAL_LENGTH || nationalNumber.length > MAX_NATIONAL_LENGTH)
		return null;
	// isValid()
	const valid = plan.types
		? hasNumberType(nationalNumber, plan)
		: plan.nationalNumber.test(nationalNumber);
	return valid ? '+' + callingCode + nationalNumber : null;
}

const ZERO = 0x30;
const NINE = 0x39;
/** The punctuation fastNormalizePhone strips: space, hyphen, dot, parentheses. */
const PUNCTUATION = /[ \-.()]/g;

/**
 * The E.164 form of `value` as libphonenumber-js's parsePhoneNumberFromString(value,
 * { defaultCountry, extract: false })?.isValid() gives it (null: not a valid number), or undefined
 * when the value's shape is not one this path handles and the library must be asked.
 */
export function fastNormalizePhone(
	value: string,
	defaultRegion: string
): string | null | undefined {
	if (value.length > MAX_INPUT_LENGTH) return undefined;
	if (defaultRegion && !Object.hasOwn(tables.countries, defaultRegion)) return undefined;
	const plus = value.charCodeAt(0) === 0x2b;
	const from = plus ? 1 : 0;
	let punctuated = false;
	for (let at = from; at < value.length; at++) {
		const code = value.charCodeAt(at);
		if (code >= ZERO && code <= NINE) continue;
		// Punctuation the library strips (its VALID_PUNCTUATION); anything else goes to the library.
		if (code !== 0x20 && code !== 0x2d && code !== 0x2e && code !== 0x28 && code !== 0x29)
			return undefined;
		punctuated = true;
	}
	// Most numbers are digits alone: one slice, not a string grown digit by digit.
	const digits = punctuated ? value.slice(from).replace(PUNCTUATION, '') : value.slice(from);
	// Fewer than three digits: the library's viability and "too short" rules apply.
	if (digits.length < 3) return undefined;
	return decide(digits, plus, defaultRegion);
}
