// Files read as the app reads them: sniffed, mapped by the proposed mapping, validated, and the
// valid rows normalised into canonical records.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TARGETS, convert, type ConvertOptions, type Target } from '../../../src/lib/core/convert';
import { detectPreset, transformRecord } from '../../../src/lib/core/formats/presets';
import type { FirebaseHashConfig } from '../../../src/lib/core/identity/firebase';
import { proposeMapping } from '../../../src/lib/core/mapping/automap';
import { isKnownAlias } from '../../../src/lib/core/mapping/normalize';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import type { DestinationProfile } from '../../../src/lib/core/profiles/types';
import { inspectText } from '../../../src/lib/core/sniff/inspect';
import { canonicalRecord } from '../../../src/lib/core/validate/canonical';
import { ERROR_MASK } from '../../../src/lib/core/validate/codes';
import {
	dateOrdersByField,
	normaliseRecord,
	type CanonicalRecord
} from '../../../src/lib/core/validate/normalize';
import { Validator } from '../../../src/lib/core/validate/validator';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/presets');
const HOOKS = { isKnownAlias, detectPreset, transformRecord };

export interface Read {
	preset: string | null;
	records: CanonicalRecord[];
	invalid: number;
}

/** The valid rows of a file's text as canonical records (the first 50 rows: the head's preview). */
export function readText(
	text: string,
	profile: DestinationProfile = REFERENCE_PROFILE,
	hashConfig: FirebaseHashConfig | null = null
): Read {
	const { layout, preview } = inspectText(text, true, HOOKS);
	const mapping = proposeMapping({
		columns: layout.columns,
		keys: layout.keys,
		sample: preview.map((record) => record.fields),
		preset: layout.preset,
		profile
	}).map((proposal) => proposal.field);
	const options = {
		dateOrder: 'dmy',
		defaultRegion: 'US',
		now: Date.UTC(2026, 11, 1),
		hashConfig
	} as const;
	const validator = new Validator({ profile, mapping, columns: layout.columns, options });
	for (const record of preview)
		validator.add(record.fields, record.fieldCount, record.malformedQuote);
	const summary = validator.finish();
	const normalise = {
		dateOrders: dateOrdersByField(summary.dateOrders, mapping),
		dateOrder: 'dmy' as const,
		defaultRegion: 'US',
		profile,
		hashConfig
	};
	const records = preview
		.filter((_, row) => (summary.rowIssues[row] & ERROR_MASK) === 0)
		.map((record) => normaliseRecord(canonicalRecord(record.fields, mapping), normalise));
	return { preset: layout.preset, records, invalid: summary.invalid };
}

export function readFixture(file: string, hashConfig: FirebaseHashConfig | null = null): Read {
	return readText(readFileSync(join(FIXTURES, file), 'utf8'), REFERENCE_PROFILE, hashConfig);
}

export async function* asyncOf<T>(items: Iterable<T>): AsyncIterable<T> {
	for (const item of items) yield item;
}

export interface Written {
	files: Map<string, { text: string; rows: number; bytes: number }>;
	skipped: { reason: string; record: number }[];
}

/** Every file a target writes for these records, as text. */
export async function writeAll(
	target: Target | keyof typeof TARGETS,
	records: Iterable<CanonicalRecord>,
	options: ConvertOptions = {}
): Promise<Written> {
	const chosen = typeof target === 'string' ? TARGETS[target] : target;
	const chunks = new Map<string, Uint8Array[]>();
	const written: Written = { files: new Map(), skipped: [] };
	for await (const piece of convert(chosen, asyncOf(records), options)) {
		if (piece.kind === 'skip') written.skipped.push({ reason: piece.reason, record: piece.record });
		else if (piece.kind === 'data') {
			if (written.files.has(piece.name)) throw new Error(`${piece.name}: data after its end`);
			chunks.set(piece.name, [...(chunks.get(piece.name) ?? []), piece.chunk]);
		} else {
			const text = Buffer.concat(chunks.get(piece.name) ?? []).toString('utf8');
			if (Buffer.byteLength(text) !== piece.bytes) throw new Error(`${piece.name}: byte count`);
			written.files.set(piece.name, { text, rows: piece.rows, bytes: piece.bytes });
		}
	}
	return written;
}
