/**
 * A BCP 47 language tag (`fr`, `en-US`, `zh-Hant-TW`); exports often write `en_US`, so underscores
 * count as hyphens. Intl knows the tag grammar in every runtime Ferry runs in.
 */
export function isValidLocale(value: string): boolean {
	try {
		return Intl.getCanonicalLocales(value.replace(/_/g, '-')).length === 1;
	} catch {
		return false;
	}
}
