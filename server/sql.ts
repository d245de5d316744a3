/**
 * What the store needs of a database, whichever it is: SQLite (one file, one process) or
 * PostgreSQL (shared by several API instances). Statements use `?` placeholders and SQL both
 * understand; each backend keeps its own schema (db.ts, postgres.ts).
 */
import { openSqlite } from './db';
import { openPostgres } from './postgres';

export type SqlParam = string | number | null;

export interface SqlQueries {
	all<T>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
	get<T>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
	/** Runs a statement; resolves with the number of rows it changed. */
	run(sql: string, params?: readonly SqlParam[]): Promise<number>;
}

export interface SqlDatabase {
	/**
	 * Runs `work` in one write transaction: committed when it resolves, rolled back when it throws.
	 * SQLite takes the database's write lock at once (BEGIN IMMEDIATE); PostgreSQL runs READ
	 * COMMITTED, and `work` locks what it must (`rowLock`).
	 */
	transaction<T>(work: (tx: SqlQueries) => Promise<T>): Promise<T>;
	/** Runs `work` on one consistent snapshot, for views made of several queries. */
	snapshot<T>(work: (tx: SqlQueries) => Promise<T>): Promise<T>;
	/**
	 * Appended to a SELECT inside `transaction` to lock the rows it reads until the commit:
	 * ` FOR UPDATE` on PostgreSQL; empty on SQLite, whose write transactions hold the whole database.
	 */
	readonly rowLock: string;
	/** Which SQL the backend speaks, for the few statements the two spell differently (JSON). */
	readonly dialect: 'sqlite' | 'postgres';
	close(): Promise<void>;
}

/** A `postgres://` or `postgresql://` URL; anything else is a SQLite file path. */
export function isPostgresUrl(location: string): boolean {
	return /^postgres(ql)?:\/\//i.test(location);
}

/** Opens and migrates the database `location` names: a SQLite file path or a PostgreSQL URL. */
export function openSqlDatabase(
	location: string,
	options: { busyTimeoutMs?: number } = {}
): Promise<SqlDatabase> {
	return isPostgresUrl(location) ? openPostgres(location, options) : openSqlite(location, options);
}

/** Idempotency records are kept at least this long (the protocol promises 7 days). */
export const IDEMPOTENCY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** Deletes idempotency records older than the retention; returns how many went. */
export function purgeIdempotencyRecords(db: SqlDatabase, now: number): Promise<number> {
	const cutoff = now - IDEMPOTENCY_RETENTION_MS;
	return db.transaction((tx) =>
		tx.run('DELETE FROM idempotency_records WHERE created_at < ?', [cutoff])
	);
}
