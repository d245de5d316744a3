import type { DateOrder } from '../../types';

/**
 * A parsed date value. `exact` values mean one instant (NaN when invalid); `slash` values
 * (`NN/NN/YYYY`) mean one of two instants until the column's order is known — either may be NaN.
 */
export type ParsedDate =
	| { kind: 'exact'; ms: number }
	| { kind: 'slash'; dmy: number; mdy: number; first: number; second: number };

const INVALID: ParsedDate = { kind: 'exact', ms: NaN };
const MIN_YEAR = 1900;
const MAX_YEAR = 2100;
const MIN_MS = Date.UTC(MIN_YEAR, 0, 1);
const END_MS = Date.UTC(MAX_YEAR + 1, 0, 1);

const ISO =
	/^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;
const EPOCH = /^(?:\d{10}|\d{13})$/;
// Day and month may be written with one digit ("3/4/2021"), as spreadsheets write them.
const SLASH = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const YEAR_FIRST = /^(\d{4})\/(\d{2})\/(\d{2})$/;

function daysInMonth(year: number, month: number): number {
	if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
	return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Epoch ms of a calendar date (UTC), NaN unless it is real and within 1900–2100. */
export function calendarDate(year: number, month: number, day: number): number {
	if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) return NaN;
	if (day < 1 || day > daysInMonth(year, month)) return NaN;
	return Date.UTC(year, month - 1, day);
}

function offsetMinutes(zone: string | undefined): number {
	if (!zone || zone === 'Z' || zone === 'z') return 0;
	const hours = Number(zone.slice(1, 3));
	const minutes = Number(zone.slice(-2));
	if (hours > 23 || minutes > 59) return NaN;
	return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function parseIso(match: RegExpExecArray): number {
	const [, year, month, day, hour, minute, second, fraction, zone] = match;
	const date = calendarDate(Number(year), Number(month), Number(day));
	if (hour === undefined || Number.isNaN(date)) return date;
	const h = Number(hour);
	const m = Number(minute);
	const s = second === undefined ? 0 : Number(second);
	if (h > 23 || m > 59 || s > 59) return NaN;
	const offset = offsetMinutes(zone);
	// Fractions beyond milliseconds are truncated: the destination stores milliseconds.
	const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
	return date + ((h * 60 + m - offset) * 60 + s) * 1000 + ms;
}

function parseEpoch(digits: string): number {
	const ms = digits.length === 10 ? Number(digits) * 1000 : Number(digits);
	return ms >= MIN_MS && ms < END_MS ? ms : NaN;
}

/** Parses one trimmed value in any of DESIGN.md's date formats. */
export function parseDate(value: string): ParsedDate {
	let match = ISO.exec(value);
	if (match) return { kind: 'exact', ms: parseIso(match) };
	if (EPOCH.test(value)) return { kind: 'exact', ms: parseEpoch(value) };
	if ((match = SLASH.exec(value))) {
		const first = Number(match[1]);
		const second = Number(match[2]);
		const year = Number(match[3]);
		return {
			kind: 'slash',
			dmy: calendarDate(year, second, first),
			mdy: calendarDate(year, first, second),
			first,
			second
		};
	}
	if ((match = DOTTED.exec(value)))
		return {
			kind: 'exact',
			ms: calendarDate(Number(match[3]), Number(match[2]), Number(match[1]))
		};
	if ((match = YEAR_FIRST.exec(value)))
		return {
			kind: 'exact',
			ms: calendarDate(Number(match[1]), Number(match[2]), Number(match[3]))
		};
	return INVALID;
}

/** What a slash date says about its column's order: a part above 12 can only be the day. */
export function slashEvidence(parsed: ParsedDate): DateOrder | null {
	if (parsed.kind !== 'slash') return null;
	if (parsed.first > 12 && parsed.first <= 31) return 'dmy';
	if (parsed.second > 12 && parsed.second <= 31) return 'mdy';
	return null;
}

/** The instant of a parsed date once the column's order is known; NaN when invalid. */
export function resolveDate(parsed: ParsedDate, order: DateOrder): number {
	if (parsed.kind === 'exact') return parsed.ms;
	return order === 'dmy' ? parsed.dmy : parsed.mdy;
}

/** Convenience for single values: epoch ms, or NaN when not a valid date under `order`. */
export function dateValue(value: string, order: DateOrder): number {
	return resolveDate(parseDate(value), order);
}
