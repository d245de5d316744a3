import { FIELDS } from '../schema/fields';
import type { FieldName } from '../types';

/** Lower-case letters and digits only: "E-Mail Address" → "emailaddress". */
export function normalizeHeader(text: string): string {
	return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Normalised alias → field; an alias belongs to exactly one field in the DESIGN table. */
export const ALIAS_INDEX: ReadonlyMap<string, FieldName> = new Map(
	FIELDS.flatMap((field) => field.aliases.map((alias) => [normalizeHeader(alias), field.name]))
);

/** Whether a header cell names a canonical field exactly (used to recognise header rows). */
export function isKnownAlias(cell: string): boolean {
	return ALIAS_INDEX.has(normalizeHeader(cell));
}
