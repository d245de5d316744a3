/**
 * The `sample` of `ferry validate --json`: the first rows as the destination would receive them
 * (normaliseRecord, the upload's own function), secrets masked, long values cut.
 */
import type { Credential } from '../src/lib/core/identity/credential';
import { maskCredential, maskSecret } from '../src/lib/core/identity/mask';
import { capValue } from '../src/lib/core/limits';
import { acceptedField } from '../src/lib/core/profiles/rules';
import { SECRET_TYPES, fieldByName } from '../src/lib/core/schema/fields';
import { canonicalRecord } from '../src/lib/core/validate/canonical';
import {
	NormaliseError,
	dateOrdersByField,
	normaliseRecord,
	type CanonicalRecord,
	type MappedRecord,
	type NormaliseOptions
} from '../src/lib/core/validate/normalize';
import type { ImportSession, ScanCall, ScanSummary } from '../src/lib/pipeline/session';

export const SAMPLE_ROWS = 5;

/** Strings cut to SHOWN_VALUE_CHARS, inside the JSON of metadata and identities too. */
function capped(value: unknown): unknown {
	if (typeof value === 'string') return capValue(value);
	if (Array.isArray(value)) return value.map(capped);
	if (typeof value === 'object' && value !== null)
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, capped(item)]));
	return value;
}

/**
 * One row as it would be sent. A row with an error is never sent; its values that cannot be
 * written canonically are shown as read instead (a credential that does not parse as `invalid`),
 * so the sample still shows what is wrong. Secrets are masked either way.
 */
export function sampleRecord(mapped: MappedRecord, options: NormaliseOptions): CanonicalRecord {
	const sendable = { ...mapped };
	const unsent: CanonicalRecord = {};
	for (;;) {
		try {
			const sent = normaliseRecord(sendable, options);
			const { password, ...rest } = { ...sent, ...unsent };
			const shown = capped(rest) as CanonicalRecord;
			if (password)
				shown.password = sent.password ? maskCredential(password as Credential) : password;
			return shown;
		} catch (error) {
			if (!(error instanceof NormaliseError)) throw error;
			const { field } = error;
			const text = sendable[field]!;
			delete sendable[field];
			if (!acceptedField(options.profile, field)) continue;
			if (SECRET_TYPES.includes(fieldByName(field).type))
				unsent.password = { algorithm: 'invalid', hash: maskSecret(text) };
			else unsent[field] = text;
		}
	}
}

/** The first SAMPLE_ROWS rows of the latest scan as `sampleRecord`s, read as the scan read them. */
export async function sampleRecords(
	session: ImportSession,
	summary: ScanSummary,
	call: Pick<ScanCall, 'mapping' | 'profile' | 'options'>
): Promise<CanonicalRecord[]> {
	const options: NormaliseOptions = {
		dateOrders: dateOrdersByField(summary.dateOrders, call.mapping),
		dateOrder: call.options.dateOrder,
		defaultRegion: call.options.defaultRegion,
		profile: call.profile,
		hashConfig: call.options.hashConfig
	};
	return (await session.rows(0, SAMPLE_ROWS)).map((row) =>
		sampleRecord(canonicalRecord(row.fields, call.mapping), options)
	);
}
