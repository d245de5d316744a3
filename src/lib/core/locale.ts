import type { DateOrder } from './types';

/** Day-first or month-first, as the locale writes a short numeric date. */
export function dateOrderOfLocale(locale: string | undefined): DateOrder {
	try {
		const parts = new Intl.DateTimeFormat(locale, {
			day: 'numeric',
			month: 'numeric'
		}).formatToParts(new Date(Date.UTC(2000, 0, 31)));
		const day = parts.findIndex((part) => part.type === 'day');
		const month = parts.findIndex((part) => part.type === 'month');
		return month >= 0 && month < day ? 'mdy' : 'dmy';
	} catch {
		return 'dmy';
	}
}

/** The region subtag of a locale ('en-GB' → 'GB'), the default region for phone numbers. */
export function regionOfLocale(locale: string | undefined, fallback = 'US'): string {
	try {
		const region = locale ? new Intl.Locale(locale).maximize().region : undefined;
		return region && /^[A-Z]{2}$/.test(region) ? region : fallback;
	} catch {
		return fallback;
	}
}
