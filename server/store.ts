/**
 * The import operations on the database: sources, chunk application (with idempotency), completion,
 * rollback and the views the API returns. Every chunk is applied in one IMMEDIATE transaction
 * together with its idempotency record, so a crash never leaves half a chunk behind.
 */
import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import {
	ROW_STATUSES,
	type CreateSourceBody,
	type ImportLimits,
	type ImportMode,
	type ReceivedView,
	type RemoteSourceStatus,
	type RollbackSummary,
	type RowResult,
	type RowStatus,
	type SourcePage,
	type SourceView
} from '../src/lib/core/protocol/import-api';
import { FIELDS } from '../src/lib/core/schema/fields';
import type { FieldName } from '../src/lib/core/types';
import type { Db } from './db';
import { ApiError } from './errors';
import { checkRow, emailKey, sameName, type RowValues } from './validate';

/** A page cursor: opaque to clients, `<created_at>.<rowid>` in base64url. */
function formatCursor(createdAt: number, rowid: number): string {
	return Buffer.from(`${createdAt}.${rowid}`).toString('base64url');
}

function parseCursor(cursor: string): { createdAt: number; rowid: number } {
	const match = /^(\d{1,15})\.(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
	if (!match) throw new ApiError(400, 'invalid_cursor', 'The cursor is not one this server gave.');
	return { createdAt: Number(match[1]), rowid: Number(match[2]) };
}

/** One uploaded row: its 1-based data-row number and the canonical fields (not yet checked). */
export interface UploadedRow {
	row: number;
	fields: Record<string, unknown>;
}

export interface ChunkOutcome {
	statusCode: number;
	/** The exact JSON text of the response; replays return these bytes again. */
	body: string;
	replayed: boolean;
	results?: RowResult[];
}

interface SourceRow {
	id: string;
	name: string;
	mode: ImportMode;
	upsert: number;
	file_name: string;
	file_size: number;
	file_sha256: string;
	expected_rows: number;
	status: RemoteSourceStatus;
	created_at: number;
	completed_at: number | null;
	rolled_back_at: number | null;
	rollback_json: string | null;
}

type AccountRow = { id: number } & Partial<Record<FieldName, string | null>>;

interface ConnectionRow {
	account_id: number;
	user_id: string;
	source_id: string;
	kind: 'created' | 'linked';
}

/** Account columns are the canonical fields except user_id, which lives on the connection. */
const ACCOUNT_FIELDS = FIELDS.map((field) => field.name).filter((name) => name !== 'user_id');
const NAME_FIELDS: readonly FieldName[] = ['name', 'given_name', 'family_name'];

function iso(ms: number | null): string | null {
	return ms === null ? null : new Date(ms).toISOString();
}

export class ImportStore {
	readonly #db: Db;
	readonly #limits: ImportLimits;
	readonly #now: () => number;
	readonly #statements = new Map<string, Statement>();

	constructor(db: Db, limits: ImportLimits, now: () => number) {
		this.#db = db;
		this.#limits = limits;
		this.#now = now;
	}

	createSource(input: CreateSourceBody): SourceView {
		if (input.rows > this.#limits.rowsPerSource) {
			throw new ApiError(
				413,
				'too_many_rows',
				`A source may have at most ${this.#limits.rowsPerSource} rows.`
			);
		}
		const id = randomUUID();
		this.#sql(
			`INSERT INTO sources (id, name, mode, upsert, file_name, file_size, file_sha256,
				  expected_rows, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)`
		).run(
			id,
			input.name,
			input.mode,
			input.upsert ? 1 : 0,
			input.file.name,
			input.file.size,
			input.file.sha256.toLowerCase(),
			input.rows,
			this.#now()
		);
		return this.view(id);
	}

	/**
	 * Up to `limit` sources, newest first, after the one `cursor` names. The cursor is the last
	 * source's (created_at, rowid): sources created meanwhile neither shift nor repeat a page.
	 */
	listSources(limit: number, cursor: string | null): SourcePage {
		const after = cursor === null ? null : parseCursor(cursor);
		const rows = this.#sql(
			`SELECT id, created_at AS createdAt, rowid FROM sources
			  WHERE ? IS NULL OR created_at < ? OR (created_at = ? AND rowid < ?)
			  ORDER BY created_at DESC, rowid DESC LIMIT ?`
		).all(
			after?.createdAt ?? null,
			after?.createdAt ?? null,
			after?.createdAt ?? null,
			after?.rowid ?? null,
			limit + 1
		) as { id: string; createdAt: number; rowid: number }[];
		const page = rows.slice(0, limit);
		const last = page[page.length - 1];
		return {
			sources: page.map(({ id }) => this.view(id)),
			next: rows.length > limit ? formatCursor(last.createdAt, last.rowid) : null
		};
	}

	view(id: string): SourceView {
		const source = this.#source(id);
		const counts = Object.fromEntries(ROW_STATUSES.map((status) => [status, 0])) as Record<
			RowStatus,
			number
		>;
		const grouped = this.#sql(
			'SELECT status, count(*) AS n FROM row_results WHERE source_id = ? GROUP BY status'
		).all(id) as { status: RowStatus; n: number }[];
		let rows = 0;
		for (const { status, n } of grouped) {
			counts[status] = n;
			rows += n;
		}
		const chunks = this.#sql('SELECT count(*) FROM chunks WHERE source_id = ?')
			.pluck()
			.get(id) as number;
		return {
			id: source.id,
			name: source.name,
			mode: source.mode,
			upsert: source.upsert === 1,
			file: { name: source.file_name, size: source.file_size, sha256: source.file_sha256 },
			status: source.status,
			expectedRows: source.expected_rows,
			rows,
			chunks,
			counts,
			createdAt: iso(source.created_at)!,
			completedAt: iso(source.completed_at),
			rolledBackAt: iso(source.rolled_back_at),
			rollback: source.rollback_json ? (JSON.parse(source.rollback_json) as RollbackSummary) : null
		};
	}

	/**
	 * Applies a chunk once. The same key for the same seq replays the stored response and applies
	 * nothing; another body for a seq already applied is refused (409).
	 */
	applyChunk(sourceId: string, seq: number, key: string, rows: UploadedRow[]): ChunkOutcome {
		return this.#db
			.transaction((): ChunkOutcome => {
				const source = this.#source(sourceId);
				const record = this.#sql(
					`SELECT seq, status_code, response FROM idempotency_records
						 WHERE source_id = ? AND idempotency_key = ?`
				).get(sourceId, key) as { seq: number; status_code: number; response: string } | undefined;
				if (record && record.seq === seq) {
					this.#sql('UPDATE chunks SET replays = replays + 1 WHERE source_id = ? AND seq = ?').run(
						sourceId,
						seq
					);
					return { statusCode: record.status_code, body: record.response, replayed: true };
				}
				if (record) {
					throw new ApiError(
						409,
						'idempotency_key_reused',
						`This Idempotency-Key was already used for chunk ${record.seq} of this source.`
					);
				}
				const applied = this.#sql(
					'SELECT idempotency_key FROM chunks WHERE source_id = ? AND seq = ?'
				)
					.pluck()
					.get(sourceId, seq) as string | undefined;
				if (applied === key) {
					throw new ApiError(
						409,
						'idempotency_record_expired',
						`Chunk ${seq} was applied long ago and its stored response has been purged; nothing was applied again.`
					);
				}
				if (applied !== undefined) {
					throw new ApiError(
						409,
						'chunk_conflict',
						`Chunk ${seq} of this source was already applied with a different body.`
					);
				}
				if (source.status !== 'open') {
					throw new ApiError(409, 'source_not_open', `This source is ${source.status}.`);
				}
				const received = this.#sql('SELECT count(*) FROM row_results WHERE source_id = ?')
					.pluck()
					.get(sourceId) as number;
				if (received + rows.length > this.#limits.rowsPerSource) {
					throw new ApiError(
						413,
						'too_many_rows',
						`A source may have at most ${this.#limits.rowsPerSource} rows.`
					);
				}

				const now = this.#now();
				const results = this.#applyRows(source, seq, rows, now);
				const body = JSON.stringify({ results });
				const invalidRows = results
					.filter((result) => result.status === 'invalid_row')
					.map((result) => result.row);
				this.#sql(
					`INSERT INTO chunks (source_id, seq, idempotency_key, rows_json, invalid_rows_json,
						  created_at) VALUES (?, ?, ?, ?, ?, ?)`
				).run(
					sourceId,
					seq,
					key,
					JSON.stringify(rows.map((entry) => entry.row)),
					JSON.stringify(invalidRows),
					now
				);
				const addField = this.#sql(
					'INSERT OR IGNORE INTO source_fields (source_id, field) VALUES (?, ?)'
				);
				for (const name of new Set(rows.flatMap((entry) => Object.keys(entry.fields)))) {
					addField.run(sourceId, name);
				}
				this.#sql(
					`INSERT INTO idempotency_records (source_id, idempotency_key, seq, status_code,
						  response, created_at) VALUES (?, ?, ?, 200, ?, ?)`
				).run(sourceId, key, seq, body, now);
				return { statusCode: 200, body, replayed: false, results };
			})
			.immediate();
	}

	/** Marks the source complete (again: no change) and returns its summary. */
	complete(id: string): SourceView {
		this.#db
			.transaction(() => {
				const source = this.#source(id);
				if (source.status === 'rolled_back') {
					throw new ApiError(409, 'source_not_open', 'This source was rolled back.');
				}
				if (source.status === 'open') {
					this.#sql("UPDATE sources SET status = 'complete', completed_at = ? WHERE id = ?").run(
						this.#now(),
						id
					);
				}
			})
			.immediate();
		return this.view(id);
	}

	/**
	 * Undoes what the source did: deletes the accounts it created (their connections go with them)
	 * and the connections it made; accounts it updated keep their new values and a note. Idempotent.
	 */
	rollback(id: string): SourceView {
		this.#db
			.transaction(() => {
				const source = this.#source(id);
				if (source.status === 'rolled_back') return;
				const removedLinks = this.#sql(
					"DELETE FROM connections WHERE source_id = ? AND kind = 'linked'"
				).run(id).changes;
				const removedAccounts = this.#sql('DELETE FROM accounts WHERE created_by_source = ?').run(
					id
				).changes;
				const now = this.#now();
				const keptUpdates = this.#sql(
					'UPDATE account_updates SET kept_after_rollback_at = ? WHERE source_id = ?'
				).run(now, id).changes;
				const report: RollbackSummary = {
					removedAccounts,
					removedLinks,
					keptUpdates
				};
				this.#sql(
					`UPDATE sources SET status = 'rolled_back', rolled_back_at = ?, rollback_json = ?
						 WHERE id = ?`
				).run(now, JSON.stringify(report), id);
			})
			.immediate();
		return this.view(id);
	}

	received(id: string): ReceivedView {
		this.#source(id);
		const chunks = this.#sql(
			`SELECT seq, idempotency_key, rows_json, invalid_rows_json, replays, created_at
				 FROM chunks WHERE source_id = ? ORDER BY seq`
		).all(id) as {
			seq: number;
			idempotency_key: string;
			rows_json: string;
			invalid_rows_json: string;
			replays: number;
			created_at: number;
		}[];
		const fields = this.#sql('SELECT field FROM source_fields WHERE source_id = ? ORDER BY field')
			.pluck()
			.all(id) as string[];
		return {
			id,
			chunks: chunks.map((chunk) => ({
				seq: chunk.seq,
				idempotencyKey: chunk.idempotency_key,
				rows: JSON.parse(chunk.rows_json) as number[],
				invalidRows: JSON.parse(chunk.invalid_rows_json) as number[],
				replays: chunk.replays,
				receivedAt: iso(chunk.created_at)!
			})),
			fields
		};
	}

	/** Prepared statements are cached by their text: a chunk runs the same few thousands of times. */
	#sql(source: string): Statement {
		let statement = this.#statements.get(source);
		if (!statement) {
			statement = this.#db.prepare(source);
			this.#statements.set(source, statement);
		}
		return statement;
	}

	#source(id: string): SourceRow {
		const source = this.#sql('SELECT * FROM sources WHERE id = ?').get(id) as SourceRow | undefined;
		if (!source) throw new ApiError(404, 'source_not_found', 'No source has this id.');
		return source;
	}

	#applyRows(source: SourceRow, seq: number, rows: UploadedRow[], now: number): RowResult[] {
		const seenRows = new Set<number>();
		const alreadyReceived = this.#sql(
			'SELECT 1 FROM row_results WHERE source_id = ? AND row = ?'
		).pluck();
		const saveResult = this.#sql(
			`INSERT INTO row_results (source_id, row, seq, status, reason, account_id)
			 VALUES (?, ?, ?, ?, ?, ?)`
		);
		return rows.map(({ row, fields }): RowResult => {
			if (seenRows.has(row) || alreadyReceived.get(source.id, row) !== undefined) {
				return { row, status: 'invalid_row', reason: `row ${row} was already received` };
			}
			seenRows.add(row);
			const check = checkRow(fields);
			const outcome: RowResult & { accountId?: number } = check.ok
				? source.mode === 'link'
					? this.#link(source.id, row, check.values, now)
					: this.#create(source, row, check.values, now)
				: { row, status: 'invalid_row', reason: check.reason };
			saveResult.run(
				source.id,
				row,
				seq,
				outcome.status,
				outcome.reason ?? null,
				outcome.accountId ?? null
			);
			const result: RowResult = { row, status: outcome.status };
			if (outcome.reason !== undefined) result.reason = outcome.reason;
			return result;
		});
	}

	#accountByEmail(email: string): AccountRow | undefined {
		return this.#sql('SELECT * FROM accounts WHERE email_key = ?').get(emailKey(email)) as
			AccountRow | undefined;
	}

	#connectionOfAccount(accountId: number): ConnectionRow | undefined {
		return this.#sql('SELECT * FROM connections WHERE account_id = ?').get(accountId) as
			ConnectionRow | undefined;
	}

	#connectionOfUserId(userId: string): ConnectionRow | undefined {
		return this.#sql('SELECT * FROM connections WHERE user_id = ?').get(userId) as
			ConnectionRow | undefined;
	}

	#connect(
		accountId: number,
		userId: string,
		sourceId: string,
		kind: 'created' | 'linked',
		row: number,
		now: number
	): void {
		this.#sql(
			`INSERT INTO connections (account_id, user_id, source_id, kind, row, created_at)
				 VALUES (?, ?, ?, ?, ?, ?)`
		).run(accountId, userId, sourceId, kind, row, now);
	}

	/** Link mode: connect the row's user_id to the existing account with the same email. */
	#link(
		sourceId: string,
		row: number,
		values: RowValues,
		now: number
	): RowResult & { accountId?: number } {
		const account = this.#accountByEmail(values.email!);
		if (!account) return { row, status: 'not_found', reason: 'no account has this email' };
		const connection = this.#connectionOfAccount(account.id);
		if (connection) {
			return connection.user_id === values.user_id
				? { row, status: 'already_connected', accountId: account.id }
				: {
						row,
						status: 'already_connected',
						reason: 'the account is connected to another user_id',
						accountId: account.id
					};
		}
		if (this.#connectionOfUserId(values.user_id!)) {
			return {
				row,
				status: 'already_connected',
				reason: 'this user_id is connected to another account',
				accountId: account.id
			};
		}
		const differing = NAME_FIELDS.filter((name) => {
			const given = values[name];
			const known = account[name];
			return given !== undefined && known && !sameName(given, known);
		});
		if (differing.length > 0) {
			return {
				row,
				status: 'name_mismatch',
				reason: `${differing.join(', ')} differs from the account's`,
				accountId: account.id
			};
		}
		this.#connect(account.id, values.user_id!, sourceId, 'linked', row, now);
		return { row, status: 'imported', accountId: account.id };
	}

	/** Create mode: a new account, or (upsert) an update of the one with this user_id or email. */
	#create(
		source: SourceRow,
		row: number,
		values: RowValues,
		now: number
	): RowResult & { accountId?: number } {
		const byEmail = this.#accountByEmail(values.email!);
		const byUserId = this.#connectionOfUserId(values.user_id!);
		if (!byEmail && !byUserId) {
			const columns = ACCOUNT_FIELDS.filter((name) => values[name] !== undefined);
			const accountId = Number(
				this.#sql(
					`INSERT INTO accounts (${columns.join(', ')}, email_key, created_by_source,
						  created_at, updated_at) VALUES (${columns.map(() => '?').join(', ')}, ?, ?, ?, ?)`
				).run(...columns.map((name) => values[name]), emailKey(values.email!), source.id, now, now)
					.lastInsertRowid
			);
			this.#connect(accountId, values.user_id!, source.id, 'created', row, now);
			return { row, status: 'imported', accountId };
		}
		const clashes = [byUserId && 'user_id', byEmail && 'email'].filter(Boolean).join(' and ');
		if (source.upsert !== 1) {
			return {
				row,
				status: 'already_exists',
				reason: `an account with this ${clashes} exists`,
				accountId: byUserId?.account_id ?? byEmail!.id
			};
		}
		if (byUserId && byEmail && byUserId.account_id !== byEmail.id) {
			return {
				row,
				status: 'already_exists',
				reason: 'the user_id and the email belong to different accounts',
				accountId: byUserId.account_id
			};
		}
		const accountId = byUserId?.account_id ?? byEmail!.id;
		const connection = byUserId ?? this.#connectionOfAccount(accountId);
		if (connection && connection.user_id !== values.user_id) {
			return {
				row,
				status: 'already_exists',
				reason: 'the account with this email is connected to another user_id',
				accountId
			};
		}
		const columns = ACCOUNT_FIELDS.filter((name) => values[name] !== undefined);
		this.#sql(
			`UPDATE accounts SET ${columns.map((name) => `${name} = ?`).join(', ')}, email_key = ?,
				  updated_at = ? WHERE id = ?`
		).run(...columns.map((name) => values[name]), emailKey(values.email!), now, accountId);
		if (!connection) this.#connect(accountId, values.user_id!, source.id, 'linked', row, now);
		this.#sql(
			`INSERT INTO account_updates (source_id, account_id, row, fields_json, created_at)
				 VALUES (?, ?, ?, ?, ?)`
		).run(source.id, accountId, row, JSON.stringify(columns), now);
		return { row, status: 'updated', accountId };
	}
}
