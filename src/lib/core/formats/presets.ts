import { normalizeHeader } from '../mapping/normalize';
import type { FieldName } from '../types';
import { auth0BulkImport, auth0DashboardCsv, auth0Export } from './platforms/auth0';
import { clerkCsv } from './platforms/clerk';
import { cognitoCsv } from './platforms/cognito';
import { ferryFailureReport } from './platforms/ferry';
import { firebaseCsv, firebaseJson } from './platforms/firebase';
import { hankoAdmin, hankoImport } from './platforms/hanko';
import { keycloakRealm } from './platforms/keycloak';
import { loginSignCsv } from './platforms/loginsign';
import { supabaseCsv } from './platforms/supabase';
import type { Preset, PresetInput } from './preset';

export type { Preset, PresetInput };

/** In detection order: the more specific signatures first. */
export const PRESETS: readonly Preset[] = [
	ferryFailureReport,
	firebaseJson,
	firebaseCsv,
	hankoImport,
	hankoAdmin,
	keycloakRealm,
	cognitoCsv,
	supabaseCsv,
	clerkCsv,
	auth0DashboardCsv,
	auth0Export,
	auth0BulkImport,
	loginSignCsv
];

const BY_ID = new Map(PRESETS.map((preset) => [preset.id, preset]));

export function presetById(id: string | null): Preset | null {
	return (id && BY_ID.get(id)) || null;
}

/**
 * The id of the first preset whose signature matches, or null. Each preset judges the sample as it
 * would read it: with the records it restores (Cognito's `\,`) rejoined.
 */
export function detectPreset(input: PresetInput): string | null {
	return PRESETS.find((preset) => preset.detect(restoredInput(preset, input)))?.id ?? null;
}

function restoredInput(preset: Preset, input: PresetInput): PresetInput {
	const restore = preset.restoreRecord;
	const columns = input.keys.length;
	if (!restore || input.format !== 'csv' || input.sample.every((row) => row.length <= columns))
		return input;
	const sample = input.sample.map((row) => (row.length > columns ? restore(row, columns) : row));
	return { ...input, sample };
}

/** Applies the preset's record transform; the record itself when there is none. */
export function transformRecord(
	preset: string | null,
	record: Record<string, unknown>
): Record<string, unknown> {
	const transform = presetById(preset)?.transformRecord;
	return transform ? transform(record) : record;
}

/** How a preset restores each CSV cell, or null when it reads cells as they are. */
export function cellRestorer(preset: string | null): ((cell: string) => string) | null {
	return presetById(preset)?.restoreCell ?? null;
}

/** How a preset restores a CSV record with more fields than columns, or null when it does not. */
export function recordRestorer(
	preset: string | null
): ((fields: string[], columns: number) => string[]) | null {
	return presetById(preset)?.restoreRecord ?? null;
}

/** Whether a preset's CSV writer never quotes, so a quote inside a value is data. */
export function quotesAreData(preset: string | null): boolean {
	return presetById(preset)?.quotesAreData === true;
}

/**
 * The notice after a preset restored the head: how many data values (or, for a record restorer,
 * rows) changed and why; `where` says which rows were looked at when the head is not the whole file.
 */
export function restoredNotice(
	preset: string | null,
	changed: number,
	where: string,
	unit: 'value' | 'row' = 'value'
): string {
	const found = presetById(preset);
	const note = found?.restoreNote ?? { done: 'restored', why: 'as the export wrote them' };
	const counted = `${changed.toLocaleString('en')} ${unit}${changed === 1 ? '' : 's'}`;
	return `${found?.label ?? 'Export'}: ${counted} ${note.done}${where} (${note.why}).`;
}

/** Key → field for the keys a preset imports. */
export function presetMapping(preset: string | null): ReadonlyMap<string, FieldName> {
	const mapping = presetById(preset)?.mapping ?? {};
	const entries = Object.entries(mapping).filter(
		(entry): entry is [string, FieldName] => entry[1] !== null
	);
	return new Map(entries);
}

/** Keys a preset knows and deliberately leaves unmapped, normalised. */
export function presetIgnoredKeys(preset: string | null): ReadonlySet<string> {
	const mapping = presetById(preset)?.mapping ?? {};
	return new Set(
		Object.entries(mapping)
			.filter(([, field]) => field === null)
			.map(([key]) => normalizeHeader(key))
	);
}
