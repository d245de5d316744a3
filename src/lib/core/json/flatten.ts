import { MAX_JSON_DEPTH } from './parse';

function cell(value: unknown): string | null {
	if (value === null || value === undefined) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
		return String(value);
	return null;
}

function flattenInto(value: unknown, path: string, out: Map<string, string>, depth: number): void {
	const primitive = cell(value);
	if (primitive !== null) {
		out.set(path, primitive);
		return;
	}
	if (typeof value !== 'object' || depth > MAX_JSON_DEPTH) return;
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
 * - nested objects: `app_metadata.plan`; an empty object yields no cell;
 * - arrays whose items are all strings: one cell joined with ', ' (`roles: ["a", "b"]` → "a, b",
 *   `[]` → ''), so a list keeps one column whatever its length;
 * - any other array: one path per index (`emails.0.address`, `scores.1`);
 * - strings as they are, numbers and booleans as their JSON text, null → ''.
 */
export function flattenRecord(record: Record<string, unknown>): Map<string, string> {
	const out = new Map<string, string>();
	flattenInto(record, '', out, 0);
	return out;
}
