import { isFerryError, type FerryErrorCode } from '../../../src/lib/core/errors';
import { readRecords } from '../../../src/lib/core/read';
import type { InspectHooks } from '../../../src/lib/core/sniff/inspect';
import type { ByteSource, Layout, RecordSpan } from '../../../src/lib/core/types';

/** A few aliases from DESIGN.md, normalised the way the real matcher does. */
const ALIASES = new Set(
	[
		'id',
		'user_id',
		'uid',
		'localId',
		'email',
		'e-mail',
		'mail',
		'name',
		'first_name',
		'last_name',
		'username',
		'phone',
		'created_at',
		'email_verified',
		'roles'
	].map(normalise)
);

function normalise(text: string): string {
	return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Hooks standing in for core/formats and core/schema: aliases, one preset, one transform. */
export const hooks: InspectHooks = {
	isKnownAlias: (cell) => ALIASES.has(normalise(cell)),
	detectPreset: ({ format, keys }) =>
		format !== 'csv' && keys.includes('emails') ? 'hanko' : null,
	transformRecord: (preset, record) => {
		if (preset !== 'hanko' || !Array.isArray(record.emails)) return record;
		const { emails, ...rest } = record;
		const primary = (
			emails as { address?: string; is_primary?: boolean; is_verified?: boolean }[]
		).find((entry) => entry?.is_primary);
		return {
			...rest,
			email: primary?.address ?? null,
			email_verified: primary?.is_verified ?? null
		};
	}
};

export const identity: InspectHooks['transformRecord'] = (_preset, record) => record;

export function bytesSource(bytes: Uint8Array): ByteSource {
	return { size: bytes.length, read: async (start, end) => bytes.slice(start, end) };
}

export const utf8 = (text: string) => new TextEncoder().encode(text);

/** Every record of a working copy, flattened out of its batches. */
export async function readAll(
	bytes: Uint8Array,
	layout: Layout,
	options: {
		chunkSize?: number;
		onExtraKey?: (key: string) => void;
		transform?: InspectHooks['transformRecord'];
	} = {}
): Promise<RecordSpan[]> {
	const records: RecordSpan[] = [];
	for await (const batch of readRecords(bytesSource(bytes), layout, {
		transform: options.transform ?? hooks.transformRecord,
		chunkSize: options.chunkSize,
		onExtraKey: options.onExtraKey
	}))
		records.push(...batch);
	return records;
}

/** The FerryError a promise or function fails with (fails the test when it does not). */
export async function ferryError(
	work: () => unknown
): Promise<{ code: FerryErrorCode; message: string; details: Record<string, unknown> }> {
	try {
		await work();
	} catch (error) {
		if (isFerryError(error))
			return { code: error.code, message: error.message, details: { ...error.details } };
		throw error;
	}
	throw new Error('expected a FerryError, nothing was thrown');
}
