/**
 * The shared vocabulary of the core. Reading (sniff/, csv/, json/), mapping (schema/, mapping/,
 * formats/) and validation (validate/) meet here; the scan engines (engine/) join them.
 */
import type { FirebaseHashConfig } from './identity/firebase';

export type Format = 'csv' | 'json' | 'ndjson';
export type Compression = 'gzip' | null;

/** Random access to bytes: a Blob in the browser, a file or a buffer in Node. */
export interface ByteSource {
	readonly size: number;
	/** Bytes [start, end), clamped to the size. */
	read(start: number, end: number): Promise<Uint8Array>;
}

/** What the first bytes of the original file say about how to decode it. */
export interface EncodingInfo {
	compression: Compression;
	/** TextDecoder's name of the encoding: 'utf-8', 'utf-16le', 'utf-16be', 'windows-1252', … */
	encoding: string;
	bom: boolean;
	/** Chosen by the user instead of detected. */
	overridden: boolean;
}

/**
 * How records are read from the UTF-8 working copy (the decompressed, transcoded file without BOM).
 * Every byte offset in the core refers to that working copy.
 */
export interface Layout {
	format: Format;
	/** CSV only: the field delimiter. */
	delimiter: string | null;
	/** CSV only: the file began with an Excel `sep=X` line (skipped). */
	sepLine: boolean;
	/** CSV only: the first record is a header row. JSON always has keys. */
	header: boolean;
	/** Display names, unique: a repeated header gets " (2)", " (3)" appended. */
	columns: string[];
	/** Per column, the key in the file: the header cell as written (CSV) or the dot path (JSON). */
	keys: string[];
	/** Header cells that occur more than once, as written. */
	duplicateHeaders: string[];
	/** Byte offset of the first data record (after BOM, sep= line and header). */
	dataStart: number;
	/** A recognised export (formats/presets.ts), or null. */
	preset: string | null;
	/** JSON only: the array of records sits under this top-level key (`users` for Firebase). */
	jsonRoot: string | null;
}

/** One data record as read: field values aligned to Layout.columns (missing ones are ''). */
export interface RecordSpan {
	fields: string[];
	/** Number of fields the record really had (CSV; may exceed columns: ragged). */
	fieldCount: number;
	/** Byte range [start, end) of the record in the working copy, including its line break. */
	start: number;
	end: number;
	/** 1-based physical line where the record starts in the working copy. */
	line: number;
	/** CSV: the record's first misplaced quote, when it has one (issue malformed_quotes). */
	malformedQuote?: MalformedQuote;
	/**
	 * Longer than the record limit (MAX_RECORD_BYTES): skipped unread, so `fields` are all empty
	 * (issue record_too_large).
	 */
	tooLarge?: boolean;
}

/**
 * A quote papaparse reads as data: one followed by text after it closes a quoted field (`"b"x`;
 * the field then runs on to the next quote that can close it), or one inside an unquoted field.
 */
export interface MalformedQuote {
	/** 0-based field of the record that holds the quote. */
	field: number;
	/** 1-based physical line and byte offset of the quote in the working copy. */
	line: number;
	offset: number;
	/** Inside a quoted field (text after a closing quote), else in an unquoted field. */
	quoted: boolean;
}

export type FieldName =
	| 'user_id'
	| 'email'
	| 'name'
	| 'given_name'
	| 'family_name'
	| 'username'
	| 'nickname'
	| 'email_verified'
	| 'phone_number'
	| 'registration_date'
	| 'last_login_date'
	| 'locale'
	| 'roles'
	| 'organization'
	| 'blocked'
	| 'password_hash'
	| 'password_salt'
	| 'phone_verified'
	| 'picture'
	| 'emails'
	| 'password'
	| 'identities'
	| 'app_metadata'
	| 'user_metadata';

/**
 * How a field's value is read and checked. `hash` is a password hash or salt as a string (a
 * secret); the structured types hold JSON text when the source has structure (json/flatten.ts keeps
 * such values whole): `emails` an address list, `credential` a password credential object,
 * `json` any JSON passed through (metadata, identities).
 */
export type FieldType =
	| 'id'
	| 'email'
	| 'text'
	| 'boolean'
	| 'phone'
	| 'date'
	| 'list'
	| 'hash'
	| 'emails'
	| 'credential'
	| 'json';

/** What a json field's value must be. */
export type JsonShape = 'object' | 'array';

/** Per column index: the canonical field it maps to, or null for "don't import". */
export type Mapping = (FieldName | null)[];

export type MappingMethod = 'alias' | 'preset' | 'fuzzy' | 'values' | 'user' | 'none';

export interface ColumnProposal {
	column: number;
	field: FieldName | null;
	/** 0..1: 1 for an exact alias or preset hit, lower for fuzzy and value sniffing. */
	confidence: number;
	method: MappingMethod;
}

export interface DestinationField {
	name: FieldName;
	required: boolean;
	/** Characters. */
	maxLength: number;
}

export type IssueCode =
	| 'missing_required'
	| 'invalid_email'
	| 'invalid_date'
	| 'invalid_boolean'
	| 'invalid_phone'
	| 'invalid_uuid'
	| 'duplicate_user_id'
	| 'duplicate_email'
	| 'ragged_row'
	| 'value_too_long'
	| 'future_date'
	| 'login_before_registration'
	| 'malformed_quotes'
	| 'invalid_characters'
	| 'invalid_locale'
	| 'no_primary_email'
	| 'several_primary_emails'
	| 'invalid_password_hash'
	| 'unsupported_password_hash'
	| 'reserved_metadata_key'
	| 'invalid_json'
	| 'record_too_large';

export type DateOrder = 'dmy' | 'mdy';

export interface ValidationOptions {
	/** For slash dates whose column gives no evidence either way. */
	dateOrder: DateOrder;
	/** ISO 3166 region for phone numbers without a country code, e.g. 'US'. */
	defaultRegion: string;
	/** Epoch ms treated as "now" for future_date (tests pin it). */
	now: number;
	/**
	 * The Firebase hash config: bare password hashes are then of its algorithm (its own SCRYPT or
	 * any auth:import --hash-algo), read with the row's salt (identity/firebase.ts). Absent or
	 * null: recognised by shape.
	 */
	hashConfig?: FirebaseHashConfig | null;
}

/** One problem of one row, as shown to the admin. */
export interface RowIssue {
	code: IssueCode;
	/** Column index, or null for row-level issues (ragged_row; malformed_quotes past the header). */
	column: number | null;
	field: FieldName | null;
	message: string;
	/** duplicate_*: 0-based index of the first row with the same value. */
	firstRow?: number;
}

/** What a slash-date column turned out to be. */
export interface DateColumnOrder {
	column: number;
	/** 'ambiguous' when no value decided it (the option's order was used). */
	evidence: 'dmy' | 'mdy' | 'mixed' | 'ambiguous';
	used: DateOrder;
}
