/**
 * The import API's wire types, protocol v1 (docs/import-api.md): what the reference server
 * (`server/`) answers and what the app's client (`src/lib/upload`) sends and reads. Types and
 * constants only, no I/O, so the server, the browser and the CLI import the one definition.
 */
import type { Algorithm } from '../identity/credential';
import type { FieldName, FieldType } from '../types';
import { FIELDS, SECRET_TYPES } from '../schema/fields';

export const PROTOCOL_VERSION = 1;

export const IMPORT_MODES = ['link', 'create'] as const;

/** `link` connects rows to accounts that exist (by email); `create` creates accounts. */
export type ImportMode = (typeof IMPORT_MODES)[number];

/** Per-row answers; the last two occur in create mode only. */
export const ROW_STATUSES = [
	'imported',
	'already_connected',
	'not_found',
	'name_mismatch',
	'invalid_row',
	'already_exists',
	'updated'
] as const;

export type RowStatus = (typeof ROW_STATUSES)[number];

/** Statuses whose rows the destination applied; every other status is a rejected row. */
export const APPLIED_STATUSES = ['imported', 'updated'] as const satisfies readonly RowStatus[];

export function isApplied(status: string): boolean {
	return (APPLIED_STATUSES as readonly string[]).includes(status);
}

/** A source's state on the server (not the app's own lifecycle of a local source). */
export type RemoteSourceStatus = 'open' | 'complete' | 'rolled_back';

/** One row's answer in a chunk's results. */
export interface RowResult {
	row: number;
	status: RowStatus;
	reason?: string;
}

/** The body of a chunk's answer (PUT …/chunks/:seq): one result per row sent, in the same order. */
export interface ChunkResults {
	results: RowResult[];
}

export interface ImportLimits {
	/** Rows in one chunk request. */
	rowsPerChunk: number;
	/** Bytes of one chunk request's JSON body, uncompressed. */
	bytesPerChunk: number;
	/** Rows received for one source, over all its chunks. */
	rowsPerSource: number;
}

/** The reference server's limits unless it is started with others. */
export const DEFAULT_LIMITS: Readonly<ImportLimits> = {
	rowsPerChunk: 1000,
	bytesPerChunk: 1_048_576,
	rowsPerSource: 1_000_000
};

/**
 * What create mode's upsert looks an existing account up by: `user_id` (an account connected to
 * it, else an unconnected one with the row's email) or `email` (as Auth0's bulk update does; the
 * account keeps the user_id it has).
 */
export const LOOKUP_KEYS = ['user_id', 'email'] as const;

export type LookupKey = (typeof LOOKUP_KEYS)[number];

/** A field as `GET /schema` announces it. */
export interface SchemaField {
	name: FieldName;
	type: FieldType;
	required: boolean;
	/** Characters (Unicode code points) of the value as stored. */
	maxLength: number;
}

/** The answer of `GET /schema`: what the destination accepts. */
export interface ApiSchema {
	protocol: number;
	name: string;
	fields: SchemaField[];
	requireUuidUserId: boolean;
	limits: ImportLimits;
	/** The password hash algorithms the destination takes; absent: every known one. */
	acceptedAlgorithms?: Algorithm[];
	/** What create mode's upsert looks accounts up by; absent: `user_id`. */
	lookupKey?: LookupKey;
}

/** The original file a source came from; the server never receives the file itself. */
export interface SourceFile {
	name: string;
	size: number;
	/** Lowercase hex SHA-256 of the original bytes. */
	sha256: string;
}

/** The body of `POST /sources`. */
export interface CreateSourceBody {
	name: string;
	mode: ImportMode;
	/** Create mode: update an existing account instead of answering already_exists (default false). */
	upsert?: boolean;
	file: SourceFile;
	/** Rows the client intends to send. */
	rows: number;
	/**
	 * A dry run (default false): every chunk is judged as it would be applied and answered with the
	 * statuses it would get, but nothing in the accounts changes.
	 */
	dry_run?: boolean;
}

/** What a rollback (`DELETE /sources/:id`) removed. */
export interface RollbackSummary {
	/** Accounts this source created, deleted with their connections. */
	removedAccounts: number;
	/** Connections this source made to accounts that existed before (link mode, upsert). */
	removedLinks: number;
	/** Accounts this source updated (upsert): the new values stay, a note is kept. */
	keptUpdates: number;
}

/** A source as every `/sources` endpoint returns it. */
export interface SourceView {
	id: string;
	name: string;
	mode: ImportMode;
	upsert: boolean;
	/** Created with `dry_run: true`: its statuses say what would happen; nothing was applied. */
	dryRun: boolean;
	file: SourceFile;
	status: RemoteSourceStatus;
	/** Rows the client announced when it created the source. */
	expectedRows: number;
	/** Distinct rows received so far. */
	rows: number;
	chunks: number;
	counts: Record<RowStatus, number>;
	createdAt: string;
	completedAt: string | null;
	rolledBackAt: string | null;
	rollback: RollbackSummary | null;
}

/** `GET /sources?limit=&cursor=`: sources a page holds unless `limit` says otherwise, and at most. */
export const SOURCE_PAGE_SIZE = { default: 100, max: 1000 } as const;

/** The answer of `GET /sources`: newest first; `next` is the cursor of the following page, if any. */
export interface SourcePage {
	sources: SourceView[];
	next: string | null;
}

/** One applied chunk in `GET /sources/:id/received`. */
export interface ReceivedChunk {
	seq: number;
	idempotencyKey: string;
	/** Row numbers in the order the chunk carried them. */
	rows: number[];
	/** Those of them answered invalid_row. */
	invalidRows: number[];
	/** Times the same chunk was sent again and answered from its idempotency record. */
	replays: number;
	receivedAt: string;
}

/** The answer of `GET /sources/:id/received`: what the server received, for tests and audits. */
export interface ReceivedView {
	id: string;
	chunks: ReceivedChunk[];
	/** Every field name (other than `row`) that ever arrived for this source, sorted. */
	fields: string[];
}

/** `GET /users?limit=`: users a page holds unless `limit` says otherwise, and at most. */
export const USER_PAGE_SIZE = { default: 100, max: 1000 } as const;

/** How long a `GET /users` cursor stays valid: a resumed export older than this starts over. */
export const USER_CURSOR_TTL_MS = 24 * 60 * 60 * 1000;

/** The filters of `GET /users`, as query parameters (all optional, combined with AND). */
export interface UserFilters {
	/** Exact organization. */
	organization?: string;
	/** Users that have this role among their roles. */
	role?: string;
	/** Accounts created in the destination at or after this instant (ISO 8601). */
	created_after?: string;
	/** Accounts created in the destination before this instant (ISO 8601). */
	created_before?: string;
	blocked?: boolean;
}

export const USER_FILTER_NAMES = [
	'organization',
	'role',
	'created_after',
	'created_before',
	'blocked'
] as const satisfies readonly (keyof UserFilters)[];

/**
 * Fields a user export carries: every canonical field but the secrets (password hashes, salts,
 * credentials), plus when the destination created and last changed the account.
 */
export const EXPORTED_USER_FIELDS: readonly string[] = [
	...FIELDS.filter((field) => !SECRET_TYPES.includes(field.type)).map((field) => field.name),
	'created_at',
	'updated_at'
];

/**
 * One user as `GET /users` returns it: the canonical record (flat fields as text, booleans as
 * 'true'/'false', roles, emails and metadata as JSON), absent fields left out, never a secret.
 * `user_id` is the connected external id; an account nobody imported has none.
 */
export type ExportedUser = Record<string, unknown> & {
	user_id: string | null;
	created_at: string;
	updated_at: string;
};

/** The answer of `GET /users`: ordered by account; `next` is the cursor of the following page. */
export interface UserPage {
	users: ExportedUser[];
	next: string | null;
}

/** An import row that touched the user (GDPR package). */
export interface UserImportRow {
	sourceId: string;
	sourceName: string;
	fileName: string;
	row: number;
	status: RowStatus;
	reason: string | null;
	/** When the chunk carrying the row was applied. */
	at: string;
}

export const AUDIT_ACTIONS = ['created', 'updated', 'linked', 'removed', 'unlinked'] as const;

/**
 * created/updated/linked: an import made or changed the account, or connected it; removed/unlinked:
 * a rollback deleted the account the source created, or the connection it made.
 */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
	action: AuditAction;
	userId: string | null;
	sourceId: string;
	row: number | null;
	/** The fields an update wrote (names only, never values). */
	fields: string[] | null;
	at: string;
}

/** `GET /users/:user_id/export`: everything the destination holds about one user. */
export interface UserPackage {
	/** Protocol version of the package's shape. */
	protocol: typeof PROTOCOL_VERSION;
	exportedAt: string;
	user: ExportedUser;
	account: { createdBySource: string | null };
	connections: {
		userId: string;
		sourceId: string;
		kind: 'created' | 'linked';
		row: number;
		at: string;
	}[];
	imports: UserImportRow[];
	audit: AuditEntry[];
}
