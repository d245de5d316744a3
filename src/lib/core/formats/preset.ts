import { normalizeHeader } from '../mapping/normalize';
import type { FieldName, Format } from '../types';

/** What detection sees: the layout's keys (header cells or JSON keys) and the first rows. */
export interface PresetInput {
	format: Format;
	keys: string[];
	header: boolean;
	/** Rows aligned to keys. */
	sample: string[][];
}

/** A recognised export: how to spot it and how its keys map to canonical fields. */
export interface Preset {
	id: string;
	label: string;
	detect(input: PresetInput): boolean;
	/** Key → field; null marks a key that is known and deliberately not imported. */
	mapping: Readonly<Record<string, FieldName | null>>;
	/** Reshapes one raw JSON record before it is flattened into columns. */
	transformRecord?(record: Record<string, unknown>): Record<string, unknown>;
	/** CSV: gives back a cell's value as the export's writer had it before it encoded it. */
	restoreCell?(cell: string): string;
	/**
	 * CSV: gives back the values of a record read as more than `columns` fields, for a writer that
	 * escapes the delimiter inside a value instead of quoting it (Cognito's `\,`). Only records
	 * that overflow are handed to it; fields still beyond `columns` after it make a ragged row.
	 */
	restoreRecord?(fields: string[], columns: number): string[];
	/**
	 * CSV: the writer never quotes a value, so a quote inside one is part of it (Cognito's
	 * `O"Brien`), not misplaced quoting: no `malformed_quotes` for it.
	 */
	quotesAreData?: boolean;
	/**
	 * How the notice names what restoreCell did ("N values {done}{where} ({why}).") or
	 * restoreRecord did ("N rows …").
	 */
	restoreNote?: { done: string; why: string };
}

export const keySet = (input: PresetInput) => new Set(input.keys.map(normalizeHeader));

export const hasAll = (keys: Set<string>, names: string[]) =>
	names.every((name) => keys.has(normalizeHeader(name)));

export const hasAny = (keys: Set<string>, names: string[]) =>
	names.some((name) => keys.has(normalizeHeader(name)));

/** Share of sample rows whose value in `column` passes `test` (empty values count as passing). */
export function share(
	sample: string[][],
	column: number,
	test: (value: string) => boolean
): number {
	if (sample.length === 0 || column < 0) return 0;
	const passing = sample.filter((row) => {
		const value = (row[column] ?? '').trim();
		return value === '' || test(value);
	});
	return passing.length / sample.length;
}

/** Whether every non-empty sample value of the key `name` passes `test`, and one value exists. */
export function everyValue(
	input: PresetInput,
	name: string,
	test: (value: string) => boolean
): boolean {
	const column = input.keys.findIndex((key) => normalizeHeader(key) === normalizeHeader(name));
	if (column < 0) return false;
	const values = input.sample.map((row) => (row[column] ?? '').trim()).filter(Boolean);
	return values.length > 0 && values.every(test);
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Sets a key. Keys are defined, not assigned, so an own `__proto__` key (JSON.parse creates those)
 * stays an inert data property instead of replacing the prototype.
 */
export function define(target: Record<string, unknown>, key: string, value: unknown): void {
	Object.defineProperty(target, key, {
		value,
		enumerable: true,
		writable: true,
		configurable: true
	});
}

/** A copy of a record with some keys replaced (in place) or, for `undefined`, left out. */
export function reshaped(
	record: Record<string, unknown>,
	changes: Record<string, unknown>
): Record<string, unknown> {
	const copy: Record<string, unknown> = {};
	for (const key of Object.keys(record)) {
		const value = Object.hasOwn(changes, key) ? changes[key] : record[key];
		if (value !== undefined) define(copy, key, value);
	}
	for (const key of Object.keys(changes))
		if (!Object.hasOwn(record, key) && changes[key] !== undefined) define(copy, key, changes[key]);
	return copy;
}

/** An object value as one cell of JSON text, so it maps as a whole instead of as dot paths. */
export const asJsonText = (value: unknown): unknown =>
	isObject(value) ? JSON.stringify(value) : value;
