/**
 * The import operations on the database: sources, chunk application (with idempotency), completion,
 * rollback and the views the API returns. Every chunk is applied in one transaction together with
 * its idempotency record, so a crash never leaves half a chunk behind; the transaction first locks
 * the source's row, so chunks of one source are applied one after the other even when several API
 * instances share a PostgreSQL database (docs/import-api.md, "Several instances").
 */
import { randomUUID } from 'node:crypto';
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
import { recordAudit, recordRollback } from './audit';
import { ApiError } from './errors';
import type { SqlDatabase, SqlParam, SqlQueries } from './sql';
import type { ServerRules } from './profile';
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
	dry_run: number;
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

/**
 * Columns are named, never `*`: PostgreSQL keeps each connection's prepared statements, and one
 * with `*` fails once a migration adds a column to its table.
 */
const SOURCE_COLUMNS = `id, name, mode, upsert, file_name, file_size, file_sha256, expected_rows,
	status, created_at, completed_at, rolled_back_at, rollback_json, dry_run`;
const CONNECTION_COLUMNS = 'account_id, user_id, source_id, kind';

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
	readonly #db: SqlDatabase;
	readonly #limits: ImportLimits;
	readonly #now: () => number;
	readonly #rules: ServerRules;

	constructor(db: SqlDatabase, limits: ImportLimits, now: () => number, rules: ServerRules) {
		this.#db = db;
		this.#limits = limits;
		this.#now = now;
		this.#rules = rules;
	}

	async createSource(input: CreateSourceBody): Promise<SourceView> {
		if (input.rows > this.#limits.rowsPerSource) {
			throw new ApiError(
				413,
				'too_many_rows',
				`A source may have at most ${this.#limits.rowsPerSource} rows.`
			);
		}
		const id = randomUUID();
		return this.#db.transaction(async (tx) => {
			await tx.run(
				`INSERT INTO sources (id, name, mode, upsert, dry_run, file_name, file_size, file_sha256,
					  expected_rows, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
				[
					id,
					input.name,
					input.mode,
					input.upsert ? 1 : 0,
					input.dry_run ? 1 : 0,
					input.file.name,
					input.file.size,
					input.file.sha256.toLowerCase(),
					input.rows,
					this.#now()
				]
			);
			return this.#view(tx, id);
		});
	}

	/**
	 * Up to `limit` sources, newest first, after the one `cursor` names. The cursor is the last
	 * source's (created_at, rowid): sources created meanwhile neither shift nor repeat a page.
	 * (`rowid` is SQLite's implicit row number, and a column of the same name in PostgreSQL.)
	 */
	listSources(limit: number, cursor: string | null): Promise<SourcePage> {
		const after = cursor === null ? null : parseCursor(cursor);
		const order = 'ORDER BY created_at DESC, rowid DESC LIMIT ?';
		return this.#db.snapshot(async (tx) => {
			const rows = await tx.all<{ id: string; createdAt: number; rowid: number }>(
				after === null
					? `SELECT id, created_at AS "createdAt", rowid FROM sources ${order}`
					: `SELECT id, created_at AS "createdAt", rowid FROM sources
						  WHERE created_at < ? OR (created_at = ? AND rowid < ?) ${order}`,
				after === null ? [limit + 1] : [after.createdAt, after.createdAt, after.rowid, limit + 1]
			);
			const page = rows.slice(0, limit);
			const last = page[page.length - 1];
			const sources: SourceView[] = [];
			for (const { id } of page) sources.push(await this.#view(tx, id));
			return {
				sources,
				next: rows.length > limit ? formatCursor(last.createdAt, last.rowid) : null
			};
		});
	}

	view(id: string): Promise<SourceView> {
		return this.#db.snapshot((tx) => this.#view(tx, id));
	}

	async #view(tx: SqlQueries, id: string): Promise<SourceView> {
		const source = await this.#source(tx, id);
		const counts = Object.fromEntries(ROW_STATUSES.map((status) => [status, 0])) as Record<
			RowStatus,
			number
		>;
		const grouped = await tx.all<{ status: RowStatus; n: number }>(
			'SELECT status, count(*) AS n FROM row_results WHERE source_id = ? GROUP BY status',
			[id]
		);
		let rows = 0;
		for (const { status, n } of grouped) {
			counts[status] = n;
			rows += n;
		}
		const { chunks } = (await tx.get<{ chunks: number }>(
			'SELECT count(*) AS chunks FROM chunks WHERE source_id = ?',
			[id]
		))!;
		return {
			id: source.id,
			name: source.name,
			mode: source.mode,
			upsert: source.upsert === 1,
			dryRun: source.dry_run === 1,
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
	 * nothing; another body for a seq already applied is refused (409). Everything below runs after
	 * the source's row is locked, so it sees every chunk of this source committed before.
	 */
	applyChunk(
		sourceId: string,
		seq: number,
		key: string,
		rows: UploadedRow[]
	): Promise<ChunkOutcome> {
		return this.#db.transaction(async (tx): Promise<ChunkOutcome> => {
			const source = await this.#source(tx, sourceId, this.#db.rowLock);
			const record = await tx.get<{ seq: number; status_code: number; response: string }>(
				`SELECT seq, status_code, response FROM idempotency_records
						 WHERE source_id = ? AND idempotency_key = ?`,
				[sourceId, key]
			);
			if (record && record.seq === seq) {
				await tx.run('UPDATE chunks SET replays = replays + 1 WHERE source_id = ? AND seq = ?', [
					sourceId,
					seq
				]);
				return { statusCode: record.status_code, body: record.response, replayed: true };
			}
			if (record) {
				throw new ApiError(
					409,
					'idempotency_key_reused',
					`This Idempotency-Key was already used for chunk ${record.seq} of this source.`
				);
			}
			const applied = (
				await tx.get<{ idempotency_key: string }>(
					'SELECT idempotency_key FROM chunks WHERE source_id = ? AND seq = ?',
					[sourceId, seq]
				)
			)?.idempotency_key;
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
			const { received } = (await tx.get<{ received: number }>(
				'SELECT count(*) AS received FROM row_results WHERE source_id = ?',
				[sourceId]
			))!;
			if (received + rows.length > this.#limits.rowsPerSource) {
				throw new ApiError(
					413,
					'too_many_rows',
					`A source may have at most ${this.#limits.rowsPerSource} rows.`
				);
			}

			const now = this.#now();
			const results =
				source.dry_run === 1
					? await this.#judgeRows(tx, source, seq, rows, now)
					: await this.#applyRows(tx, source, seq, rows, now);
			const body = JSON.stringify({ results });
			const invalidRows = results
				.filter((result) => result.status === 'invalid_row')
				.map((result) => result.row);
			await tx.run(
				`INSERT INTO chunks (source_id, seq, idempotency_key, rows_json, invalid_rows_json,
						  created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				[
					sourceId,
					seq,
					key,
					JSON.stringify(rows.map((entry) => entry.row)),
					JSON.stringify(invalidRows),
					now
				]
			);
			for (const name of new Set(rows.flatMap((entry) => Object.keys(entry.fields)))) {
				await tx.run(
					'INSERT INTO source_fields (source_id, field) VALUES (?, ?) ON CONFLICT DO NOTHING',
					[sourceId, name]
				);
			}
			await tx.run(
				`INSERT INTO idempotency_records (source_id, idempotency_key, seq, status_code,
						  response, created_at) VALUES (?, ?, ?, 200, ?, ?)`,
				[sourceId, key, seq, body, now]
			);
			return { statusCode: 200, body, replayed: false, results };
		});
	}

	/** Marks the source complete (again: no change) and returns its summary. */
	complete(id: string): Promise<SourceView> {
		return this.#db.transaction(async (tx) => {
			const source = await this.#source(tx, id, this.#db.rowLock);
			if (source.status === 'rolled_back') {
				throw new ApiError(409, 'source_not_open', 'This source was rolled back.');
			}
			if (source.status === 'open') {
				await tx.run("UPDATE sources SET status = 'complete', completed_at = ? WHERE id = ?", [
					this.#now(),
					id
				]);
			}
			return this.#view(tx, id);
		});
	}

	/**
	 * Undoes what the source did: deletes the accounts it created (their connections go with them)
	 * and the connections it made; accounts it updated keep their new values and a note. Idempotent.
	 */
	rollback(id: string): Promise<SourceView> {
		return this.#db.transaction(async (tx) => {
			const source = await this.#source(tx, id, this.#db.rowLock);
			if (source.status !== 'rolled_back') {
				const now = this.#now();
				await recordRollback(tx, id, now);
				const removedLinks = await tx.run(
					"DELETE FROM connections WHERE source_id = ? AND kind = 'linked'",
					[id]
				);
				const removedAccounts = await tx.run('DELETE FROM accounts WHERE created_by_source = ?', [
					id
				]);
				const keptUpdates = await tx.run(
					'UPDATE account_updates SET kept_after_rollback_at = ? WHERE source_id = ?',
					[now, id]
				);
				const report: RollbackSummary = { removedAccounts, removedLinks, keptUpdates };
				await tx.run(
					`UPDATE sources SET status = 'rolled_back', rolled_back_at = ?, rollback_json = ?
						 WHERE id = ?`,
					[now, JSON.stringify(report), id]
				);
			}
			return this.#view(tx, id);
		});
	}

	received(id: string): Promise<ReceivedView> {
		return this.#db.snapshot(async (tx) => this.#received(tx, id));
	}

	async #received(tx: SqlQueries, id: string): Promise<ReceivedView> {
		await this.#source(tx, id);
		const chunks = await tx.all<{
			seq: number;
			idempotency_key: string;
			rows_json: string;
			invalid_rows_json: string;
			replays: number;
			created_at: number;
		}>(
			`SELECT seq, idempotency_key, rows_json, invalid_rows_json, replays, created_at
				 FROM chunks WHERE source_id = ? ORDER BY seq`,
			[id]
		);
		const fields = await tx.all<{ field: string }>(
			'SELECT field FROM source_fields WHERE source_id = ? ORDER BY field',
			[id]
		);
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
			fields: fields.map((entry) => entry.field)
		};
	}

	/** The source's row; `lock` (the backend's row lock) holds it until the transaction ends. */
	async #source(tx: SqlQueries, id: string, lock = ''): Promise<SourceRow> {
		const source = await tx.get<SourceRow>(
			`SELECT ${SOURCE_COLUMNS} FROM sources WHERE id = ?${lock}`,
			[id]
		);
		if (!source) throw new ApiError(404, 'source_not_found', 'No source has this id.');
		return source;
	}

	/** A real chunk: every row received is applied and its result written at once. */
	#applyRows(
		tx: SqlQueries,
		source: SourceRow,
		seq: number,
		rows: UploadedRow[],
		now: number
	): Promise<RowResult[]> {
		return this.#judgeEach(tx, source, rows, now, (outcome) =>
			this.#recordResult(tx, source.id, seq, outcome, outcome.accountId ?? null)
		);
	}

	/**
	 * A dry-run chunk: its rows are applied exactly as a real chunk's (so a later row sees an
	 * earlier row's effect), then everything but their results is undone, inside the chunk's own
	 * transaction. Each chunk is judged against the accounts as they are: a dry run's earlier
	 * chunks have left nothing behind. The results keep no account id: the accounts are not there.
	 */
	async #judgeRows(
		tx: SqlQueries,
		source: SourceRow,
		seq: number,
		rows: UploadedRow[],
		now: number
	): Promise<RowResult[]> {
		const received: RowResult[] = [];
		await tx.run('SAVEPOINT dry_run');
		const results = await this.#judgeEach(tx, source, rows, now, async (outcome) => {
			received.push(outcome);
		});
		await tx.run('ROLLBACK TO SAVEPOINT dry_run');
		await tx.run('RELEASE SAVEPOINT dry_run');
		for (const outcome of received) await this.#recordResult(tx, source.id, seq, outcome, null);
		return results;
	}

	async #recordResult(
		tx: SqlQueries,
		sourceId: string,
		seq: number,
		outcome: RowResult,
		accountId: number | null
	): Promise<void> {
		await tx.run(
			`INSERT INTO row_results (source_id, row, seq, status, reason, account_id)
			 VALUES (?, ?, ?, ?, ?, ?)`,
			[sourceId, outcome.row, seq, outcome.status, outcome.reason ?? null, accountId]
		);
	}

	/** Applies the rows in order; `receive` is called for each row received for the first time. */
	async #judgeEach(
		tx: SqlQueries,
		source: SourceRow,
		rows: UploadedRow[],
		now: number,
		receive: (outcome: RowResult & { accountId?: number }) => Promise<void>
	): Promise<RowResult[]> {
		const seenRows = new Set<number>();
		const results: RowResult[] = [];
		for (const { row, fields } of rows) {
			const alreadyReceived =
				seenRows.has(row) ||
				(await tx.get('SELECT 1 FROM row_results WHERE source_id = ? AND row = ?', [
					source.id,
					row
				])) !== undefined;
			if (alreadyReceived) {
				results.push({ row, status: 'invalid_row', reason: `row ${row} was already received` });
				continue;
			}
			seenRows.add(row);
			const check = checkRow(fields, this.#rules.profile);
			const outcome: RowResult & { accountId?: number } = check.ok
				? source.mode === 'link'
					? await this.#link(tx, source.id, row, check.values, now)
					: await this.#create(tx, source, row, check.values, now)
				: { row, status: 'invalid_row', reason: check.reason };
			await receive(outcome);
			const result: RowResult = { row, status: outcome.status };
			if (outcome.reason !== undefined) result.reason = outcome.reason;
			results.push(result);
		}
		return results;
	}

	#accountByEmail(tx: SqlQueries, email: string): Promise<AccountRow | undefined> {
		return tx.get<AccountRow>(
			`SELECT id, ${NAME_FIELDS.join(', ')} FROM accounts WHERE email_key = ?`,
			[emailKey(email)]
		);
	}

	#connectionOfAccount(tx: SqlQueries, accountId: number): Promise<ConnectionRow | undefined> {
		return tx.get<ConnectionRow>(
			`SELECT ${CONNECTION_COLUMNS} FROM connections WHERE account_id = ?`,
			[accountId]
		);
	}

	#connectionOfUserId(tx: SqlQueries, userId: string): Promise<ConnectionRow | undefined> {
		return tx.get<ConnectionRow>(
			`SELECT ${CONNECTION_COLUMNS} FROM connections WHERE user_id = ?`,
			[userId]
		);
	}

	#connect(
		tx: SqlQueries,
		accountId: number,
		userId: string,
		sourceId: string,
		kind: 'created' | 'linked',
		row: number,
		now: number
	): Promise<number> {
		return tx.run(
			`INSERT INTO connections (account_id, user_id, source_id, kind, row, created_at)
				 VALUES (?, ?, ?, ?, ?, ?)`,
			[accountId, userId, sourceId, kind, row, now]
		);
	}

	/** Link mode: connect the row's user_id to the existing account with the same email. */
	async #link(
		tx: SqlQueries,
		sourceId: string,
		row: number,
		values: RowValues,
		now: number
	): Promise<RowResult & { accountId?: number }> {
		const account = await this.#accountByEmail(tx, values.email!);
		if (!account) return { row, status: 'not_found', reason: 'no account has this email' };
		const connection = await this.#connectionOfAccount(tx, account.id);
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
		if (await this.#connectionOfUserId(tx, values.user_id!)) {
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
		await this.#connect(tx, account.id, values.user_id!, sourceId, 'linked', row, now);
		const userId = values.user_id!;
		await recordAudit(tx, { accountId: account.id, userId, sourceId, row, action: 'linked' }, now);
		return { row, status: 'imported', accountId: account.id };
	}

	/** Create mode: a new account, or (upsert) an update of the one the lookup key finds. */
	async #create(
		tx: SqlQueries,
		source: SourceRow,
		row: number,
		values: RowValues,
		now: number
	): Promise<RowResult & { accountId?: number }> {
		const byEmail = await this.#accountByEmail(tx, values.email!);
		const byUserId = await this.#connectionOfUserId(tx, values.user_id!);
		const columns = ACCOUNT_FIELDS.filter((name) => values[name] !== undefined);
		const columnValues: SqlParam[] = columns.map((name) => values[name]!);
		if (!byEmail && !byUserId) {
			const created = await tx.get<{ id: number }>(
				`INSERT INTO accounts (${columns.join(', ')}, email_key, created_by_source,
					  created_at, updated_at) VALUES (${columns.map(() => '?').join(', ')}, ?, ?, ?, ?)
				 RETURNING id`,
				[...columnValues, emailKey(values.email!), source.id, now, now]
			);
			const accountId = created!.id;
			await this.#connect(tx, accountId, values.user_id!, source.id, 'created', row, now);
			await recordAudit(
				tx,
				{
					accountId,
					userId: values.user_id!,
					sourceId: source.id,
					row,
					action: 'created',
					fields: columns
				},
				now
			);
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
		const target = await this.#upsertTarget(tx, values, byUserId, byEmail);
		if ('reason' in target) {
			return { row, status: 'already_exists', reason: target.reason, accountId: target.accountId };
		}
		const { accountId, connection } = target;
		await tx.run(
			`UPDATE accounts SET ${columns.map((name) => `${name} = ?`).join(', ')}, email_key = ?,
				  updated_at = ? WHERE id = ?`,
			[...columnValues, emailKey(values.email!), now, accountId]
		);
		if (!connection) {
			await this.#connect(tx, accountId, values.user_id!, source.id, 'linked', row, now);
		}
		await tx.run(
			`INSERT INTO account_updates (source_id, account_id, row, fields_json, created_at)
				 VALUES (?, ?, ?, ?, ?)`,
			[source.id, accountId, row, JSON.stringify(columns), now]
		);
		await recordAudit(
			tx,
			{
				accountId,
				// Looked up by email, the account keeps the user_id it is connected to.
				userId: connection?.user_id ?? values.user_id!,
				sourceId: source.id,
				row,
				action: 'updated',
				fields: columns
			},
			now
		);
		return connection && connection.user_id !== values.user_id
			? { row, status: 'updated', reason: 'the account keeps its own user_id', accountId }
			: { row, status: 'updated', accountId };
	}

	/**
	 * The account an upsert updates, found by the lookup key (`user_id` and `email` are both unique,
	 * and one account holding the other key was refused before): by `user_id`, the account connected
	 * to it, else the unconnected one with the row's email; by `email` (Auth0's bulk update), the
	 * account with the row's email, which keeps the user_id it is connected to.
	 */
	async #upsertTarget(
		tx: SqlQueries,
		values: RowValues,
		byUserId: ConnectionRow | undefined,
		byEmail: AccountRow | undefined
	): Promise<
		| { accountId: number; connection: ConnectionRow | undefined }
		| { reason: string; accountId: number }
	> {
		if (this.#rules.lookupKey === 'email') {
			if (!byEmail) {
				return {
					reason: 'no account has this email, and this user_id is connected to another account',
					accountId: byUserId!.account_id
				};
			}
			return { accountId: byEmail.id, connection: await this.#connectionOfAccount(tx, byEmail.id) };
		}
		const accountId = byUserId?.account_id ?? byEmail!.id;
		const connection = byUserId ?? (await this.#connectionOfAccount(tx, accountId));
		if (connection && connection.user_id !== values.user_id) {
			return { reason: 'the account with this email is connected to another user_id', accountId };
		}
		return { accountId, connection };
	}
}
