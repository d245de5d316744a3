import type { Mapping } from '../types';
import type { MappedRecord } from './normalize';

/** The trimmed value of a record's field ('' when the record is shorter). */
export function trimmedField(fields: string[], column: number): string {
	return (fields[column] ?? '').trim();
}

/** The mapped, trimmed, non-empty values of one record, keyed by canonical field. */
export function canonicalRecord(fields: string[], mapping: Mapping): MappedRecord {
	const record: MappedRecord = {};
	mapping.forEach((field, column) => {
		if (!field) return;
		const value = trimmedField(fields, column);
		if (value !== '') record[field] = value;
	});
	return record;
}
