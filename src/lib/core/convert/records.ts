/** What every writer does to its input first: the sample, the chosen fields, the index of each record. */
import type { Credential } from '../identity/credential';
import type { EmailAddress } from '../identity/emails';
import type { FieldName } from '../types';
import type { CanonicalRecord } from '../validate/normalize';
import type { ConvertOptions } from './types';

/** The records to write, each with its 0-based index in the input: the sample and chosen fields applied. */
export async function* chosenRecords(
	records: AsyncIterable<CanonicalRecord>,
	options: ConvertOptions
): AsyncIterable<[CanonicalRecord, number]> {
	const fields = options.fields ? new Set<FieldName>(options.fields) : null;
	let index = 0;
	for await (const record of records) {
		if (options.sample !== undefined && index >= options.sample) return;
		if (fields === null) yield [record, index];
		else {
			const chosen: CanonicalRecord = {};
			for (const [field, value] of Object.entries(record) as [FieldName, unknown][])
				if (fields.has(field)) chosen[field] = value;
			yield [chosen, index];
		}
		index++;
	}
}

/** A flat field's text ('' when absent). */
export function text(record: CanonicalRecord, field: FieldName): string {
	const value = record[field];
	return typeof value === 'string' ? value : '';
}

/** A boolean field as a boolean, undefined when absent. */
export function flag(record: CanonicalRecord, field: FieldName): boolean | undefined {
	const value = record[field];
	return value === 'true' ? true : value === 'false' ? false : undefined;
}

export function credentialOf(record: CanonicalRecord): Credential | undefined {
	return record.password as Credential | undefined;
}

/**
 * The user's addresses: `emails` when the source had a list, else the single `email` as the
 * primary one (with email_verified).
 */
export function addressesOf(record: CanonicalRecord): EmailAddress[] {
	if (Array.isArray(record.emails)) return record.emails as EmailAddress[];
	const email = text(record, 'email');
	return email
		? [{ address: email, primary: true, verified: flag(record, 'email_verified') ?? false }]
		: [];
}

/** The one primary address, or why there is not exactly one. */
export function primaryAddress(
	record: CanonicalRecord
): EmailAddress | 'no_primary_email' | 'several_primary_emails' {
	const primary = addressesOf(record).filter((address) => address.primary);
	if (primary.length === 0) return 'no_primary_email';
	return primary.length > 1 ? 'several_primary_emails' : primary[0];
}

/** An ISO date or instant as an RFC 3339 instant (a calendar date is midnight UTC). */
export function instant(iso: string): string {
	return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00.000Z` : iso;
}
