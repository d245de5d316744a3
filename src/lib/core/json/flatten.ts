import { normalizeHeader } from '../mapping/normalize';
import { FIELDS, STRUCTURED_TYPES } from '../schema/fields';
import { MAX_JSON_DEPTH } from './parse';

/** Top-level keys (normalised) that name a structured field: their objects stay whole. */
const STRUCTURED_KEYS: ReadonlySet<string> = new Set(
	FIELDS.filter((field) => STRUCTURED_TYPES.has(field.type)).flatMap((field) =>
		field.aliases.map(normalizeHeader)
	)
);

function cell(value: unknown): string | null {
	if (value === null || value === undefined) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
		return String(value);
	return null;
}

/** Whether a top-level value is kept as one cell of JSON text instead of being flattened. */
function keptWhole(key: string, value: unknown): boolean {
	if (Array.isArray(value)) return value.some((item) => typeof item !== 'string');
	return typeof value === 'object' && value !== null && STRUCTURED_KEYS.has(normalizeHeader(key));
}

function flattenInto(value: unknown, path: string, out: Map<string, string>, depth: number): void {
	const primitive = cell(value);
	if (primitive !== null) {
		out.set(path, primitive);
		return;
	}
	if (typeof value !== 'object' || depth > MAX_JSON_DEPTH) return;
	if (depth === 1 && keptWhole(path, value)) {
		out.set(path, JSON.stringify(value));
		return;
	}
	if (Array.isArray(value)) {
		if (value.every((item) => typeof item === 'string')) out.set(path, value.join(', '));
		else value.forEach((item, index) => flattenInto(item, `${path}.${index}`, out, depth + 1));
		return;
	}
	const object = value as Record<string, unknown>;
	for (const key of Object.keys(object))
		flattenInto(object[key], path === '' ? key : `${path}.${key}`, out, depth + 1);
}

/**
 * One record as flat cells keyed by dot path, in first-seen key order, in a Map (never an object
 * keyed by the file's names, so `__proto__`, `constructor` and `prototype` are ordinary keys).
 *
 * - a top-level array holding anything but strings is one cell of its JSON text
 *   (`emails: [{address, is_primary}]`, `identities`, `credentials`): an address list keeps one
 *   column whatever its length, so a record with `"emails": []` cannot change the columns;
 * - a top-level object under the name of a structured field (`custom_password_hash`,
 *   `app_metadata`, `user_metadata`, `password`, …: fields.ts STRUCTURED_TYPES) is one cell of
 *   its JSON text too, mapped as a whole (a number too long for a JavaScript number is kept as
 *   its digits in a JSON string);
 * - other nested objects: `profile.plan`; an empty object yields no cell;
 * - arrays whose items are all strings: one cell joined with ', ' (`roles: ["a", "b"]` → "a, b",
 *   `[]` → '');
 * - an array of other items below the top level: one path per index (`profile.scores.1`);
 * - strings as they are, numbers and booleans as their JSON text, null → ''.
 */
export function flattenRecord(record: Record<string, unknown>): Map<string, string> {
	const out = new Map<string, string>();
	flattenInto(record, '', out, 0);
	return out;
}
