/**
 * Test data for the upload tests: an export with valid and invalid rows and unmapped columns, run
 * through the core's Validator, so the uploader is fed exactly what the app would feed it.
 */
import { FerryError } from '../../../src/lib/core/errors';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import type { FieldName, Mapping } from '../../../src/lib/core/types';
import { ERROR_MASK } from '../../../src/lib/core/validate/codes';
import { canonicalRecord } from '../../../src/lib/core/validate/canonical';
import { Validator } from '../../../src/lib/core/validate/validator';
import type { UploadRow } from '../../../src/lib/upload/chunks';

export const COLUMNS = ['id', 'email', 'name', 'signup', 'internal_note', 'plan'];
/** internal_note and plan are not mapped: they must never reach the server. */
export const MAPPING: Mapping = ['user_id', 'email', 'name', 'registration_date', null, null];
export const MAPPED_FIELDS: FieldName[] = MAPPING.filter((field): field is FieldName => !!field);

/** Every `INVALID_EVERY`-th record gets one of these defects (each an error in DESIGN.md). */
const INVALID_EVERY = 26;
const DEFECTS: ((fields: string[], previous: string[]) => void)[] = [
	(fields) => (fields[1] = 'not-an-email'),
	(fields) => (fields[1] = ''),
	(fields, previous) => (fields[0] = previous[0]),
	(fields) => (fields[3] = '2023-13-45'),
	(fields, previous) => (fields[1] = previous[1].toUpperCase())
];

export interface ExportData {
	records: string[][];
	/** 1-based row numbers the generator made invalid. */
	invalidRows: number[];
}

/** `valid` good records with one bad record after every 25 good ones. */
export function makeExport(valid: number): ExportData {
	const records: string[][] = [];
	const invalidRows: number[] = [];
	let good = 0;
	while (good < valid) {
		const row = records.length + 1;
		const fields = [
			`u${row}`,
			`user${row}@example.com`,
			`User ${row}`,
			`2023-${String((row % 12) + 1).padStart(2, '0')}-${String((row % 28) + 1).padStart(2, '0')}`,
			`private note ${row}`,
			row % 2 ? 'pro' : 'free'
		];
		if (row % INVALID_EVERY === 0) {
			DEFECTS[(row / INVALID_EVERY) % DEFECTS.length](fields, records[records.length - 1]);
			invalidRows.push(row);
		} else good++;
		records.push(fields);
	}
	return { records, invalidRows };
}

export interface ValidatedExport {
	/** What the uploader is given: rows without errors, mapped fields only. */
	rows: UploadRow[];
	/** 1-based row numbers the validator rejected. */
	rejected: number[];
}

export function validate(data: ExportData): ValidatedExport {
	const validator = new Validator({
		profile: REFERENCE_PROFILE,
		mapping: MAPPING,
		columns: COLUMNS,
		options: { dateOrder: 'dmy', defaultRegion: 'US', now: Date.UTC(2025, 0, 1) }
	});
	for (const fields of data.records) validator.add(fields, fields.length);
	const { rowIssues } = validator.finish();
	const rows: UploadRow[] = [];
	const rejected: number[] = [];
	data.records.forEach((fields, index) => {
		if ((rowIssues[index] & ERROR_MASK) === 0) {
			rows.push({ row: index + 1, record: canonicalRecord(fields, MAPPING) });
		} else rejected.push(index + 1);
	});
	return { rows, rejected };
}

/** Yields the rows and records what was handed out, to prove what the builder was given. */
export function recording(rows: UploadRow[], seen: UploadRow[]): AsyncIterable<UploadRow> {
	return (async function* () {
		for (const row of rows) {
			seen.push(row);
			yield row;
		}
	})();
}

/** A clock whose sleeps are recorded and end at once (time moves forward by what was asked). */
export function fakeClock(start = 0) {
	const sleeps: number[] = [];
	let now = start;
	return {
		sleeps,
		now: () => now,
		advance: (ms: number) => (now += ms),
		sleep: async (ms: number, signal?: AbortSignal) => {
			if (signal?.aborted) throw new FerryError('aborted', 'cancelled');
			sleeps.push(ms);
			now += ms;
		}
	};
}
