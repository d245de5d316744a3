/**
 * Convert targets (DESIGN.md "Convert targets"): the valid rows of any source written in a target's
 * own import format. Writers are pure: records in, pieces of files out, so the CLI streams them to
 * disk and the app's worker into a ZIP, neither holding the whole output.
 */
import type { Credential } from '../identity/credential';
import type { DestinationProfile } from '../profiles/types';
import type { FieldName } from '../types';
import type { CanonicalRecord } from '../validate/normalize';

export const TARGET_NAMES = [
	'auth0',
	'hanko',
	'cognito',
	'firebase',
	'loginsign',
	'csv',
	'json',
	'ndjson'
] as const;

export type TargetName = (typeof TARGET_NAMES)[number];

/** Why a record is left out of a target's files (each counted, each listed by the pre-flight). */
export type SkipReason =
	| 'no_email'
	| 'no_primary_email'
	| 'several_primary_emails'
	| 'no_username'
	| 'username_with_whitespace'
	| 'no_user_id'
	| 'too_large';

/** How big one file of a target may grow; null where the target documents no limit. */
export interface FileLimits {
	bytesPerFile: number | null;
	rowsPerFile: number | null;
}

export interface ConvertOptions {
	/** Canonical fields to write (Auth0's "add default fields" unticked); absent: all the target holds. */
	fields?: readonly FieldName[];
	/** Output names of fields (csv, json and ndjson only: a platform's names are its format). */
	rename?: Readonly<Partial<Record<FieldName, string>>>;
	/** Only the first N records are written. */
	sample?: number;
	/** Smaller limits than the target's own (tests of the split). */
	limits?: Partial<FileLimits>;
}

/**
 * What a writer yields, in order: bytes of a file, a file complete (nothing more follows for that
 * name), or a record left out. Pieces of different files may interleave (Firebase writes one file
 * per hash configuration); a file is complete only at its `file` piece.
 */
export type ConvertPiece =
	| { kind: 'data'; name: string; chunk: Uint8Array }
	| { kind: 'file'; name: string; rows: number; bytes: number }
	| { kind: 'skip'; reason: SkipReason; record: number };

export interface Target {
	name: TargetName;
	label: string;
	/** The destination profile whose accepted hash algorithms decide the passwords (null: any). */
	profile: DestinationProfile | null;
	/** The canonical fields this target's files can carry. */
	holds: readonly FieldName[];
	limits: FileLimits;
	/** Why this record cannot be written at all, or null. */
	skipReason(record: CanonicalRecord): SkipReason | null;
	/** Whether the record's password credential is written (else the user resets the password). */
	keepsPassword(credential: Credential): boolean;
	/**
	 * Why the files cannot hold this credential although the profile takes its algorithm (a salt
	 * the format has no place for, too many rounds), or null; the pre-flight says it.
	 */
	passwordProblem?(credential: Credential): string | null;
	/** The files of these records; `records` are what normaliseRecord gives. */
	write(
		records: AsyncIterable<CanonicalRecord>,
		options: ConvertOptions
	): AsyncIterable<ConvertPiece>;
}
