/**
 * The reference server's SQLite database: schema, migrations (PRAGMA user_version), connection
 * settings, and the SqlDatabase the store uses. One process owns the file's writes: PostgreSQL
 * (postgres.ts) is the backend for several instances.
 */
import Database, { type Statement } from 'better-sqlite3';
import type { SqlDatabase, SqlParam, SqlQueries } from './sql';

export type Db = Database.Database;

export interface OpenOptions {
	/** How long a write waits for another connection's lock before SQLITE_BUSY (→ 503). */
	busyTimeoutMs?: number;
}

/**
 * Each entry moves the schema one version forward; never edit a released entry, append a new one.
 * Timestamps are epoch milliseconds.
 */
export const MIGRATIONS: readonly string[] = [
	`
	CREATE TABLE accounts (
		id INTEGER PRIMARY KEY,
		email TEXT NOT NULL,
		email_key TEXT NOT NULL UNIQUE,
		name TEXT,
		given_name TEXT,
		family_name TEXT,
		username TEXT,
		nickname TEXT,
		email_verified TEXT,
		phone_number TEXT,
		registration_date TEXT,
		last_login_date TEXT,
		locale TEXT,
		roles TEXT,
		organization TEXT,
		blocked TEXT,
		password_hash TEXT,
		created_by_source TEXT REFERENCES sources(id),
		created_at INTEGER NOT NULL,
		updated_at INTEGER NOT NULL
	);
	CREATE INDEX accounts_created_by_source ON accounts(created_by_source);

	-- An external user id connected to an account: made by create mode (kind 'created') or by link
	-- mode (kind 'linked'). An account has at most one connection.
	CREATE TABLE connections (
		account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
		user_id TEXT NOT NULL UNIQUE,
		source_id TEXT NOT NULL REFERENCES sources(id),
		kind TEXT NOT NULL CHECK (kind IN ('created', 'linked')),
		row INTEGER NOT NULL,
		created_at INTEGER NOT NULL
	);
	CREATE INDEX connections_source ON connections(source_id);

	CREATE TABLE sources (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		mode TEXT NOT NULL CHECK (mode IN ('link', 'create')),
		upsert INTEGER NOT NULL,
		file_name TEXT NOT NULL,
		file_size INTEGER NOT NULL,
		file_sha256 TEXT NOT NULL,
		expected_rows INTEGER NOT NULL,
		status TEXT NOT NULL CHECK (status IN ('open', 'complete', 'rolled_back')),
		created_at INTEGER NOT NULL,
		completed_at INTEGER,
		rolled_back_at INTEGER,
		rollback_json TEXT
	);

	-- Every chunk applied, kept for the life of the source (unlike its idempotency record).
	CREATE TABLE chunks (
		source_id TEXT NOT NULL REFERENCES sources(id),
		seq INTEGER NOT NULL,
		idempotency_key TEXT NOT NULL,
		rows_json TEXT NOT NULL,
		invalid_rows_json TEXT NOT NULL,
		replays INTEGER NOT NULL DEFAULT 0,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (source_id, seq)
	);

	-- One verdict per distinct row number of a source.
	CREATE TABLE row_results (
		source_id TEXT NOT NULL REFERENCES sources(id),
		row INTEGER NOT NULL,
		seq INTEGER NOT NULL,
		status TEXT NOT NULL,
		reason TEXT,
		account_id INTEGER,
		PRIMARY KEY (source_id, row)
	) WITHOUT ROWID;

	-- Field names ever received for a source (a verification aid: nothing unmapped was sent).
	CREATE TABLE source_fields (
		source_id TEXT NOT NULL REFERENCES sources(id),
		field TEXT NOT NULL,
		PRIMARY KEY (source_id, field)
	) WITHOUT ROWID;

	-- Accounts a source changed in upsert mode; rollback keeps the change and notes it here.
	CREATE TABLE account_updates (
		source_id TEXT NOT NULL REFERENCES sources(id),
		account_id INTEGER NOT NULL,
		row INTEGER NOT NULL,
		fields_json TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		kept_after_rollback_at INTEGER,
		PRIMARY KEY (source_id, row)
	) WITHOUT ROWID;

	-- The exact response of each applied chunk, replayed for the same Idempotency-Key.
	CREATE TABLE idempotency_records (
		source_id TEXT NOT NULL REFERENCES sources(id),
		idempotency_key TEXT NOT NULL,
		seq INTEGER NOT NULL,
		status_code INTEGER NOT NULL,
		response TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (source_id, idempotency_key)
	) WITHOUT ROWID;
	CREATE INDEX idempotency_records_created_at ON idempotency_records(created_at);
	`,
	// 2: dry-run sources (POST /sources {dry_run: true}): their chunks are judged, never applied.
	`ALTER TABLE sources ADD COLUMN dry_run INTEGER NOT NULL DEFAULT 0`,
	// 3: the faithful user. JSON text: emails [{address, primary, verified}], password (the
	// credential {algorithm, hash, …}), identities, app_metadata, user_metadata; roles was already
	// a JSON array. password_hash is kept for rows older versions stored, and no longer written.
	`
	ALTER TABLE accounts ADD COLUMN picture TEXT;
	ALTER TABLE accounts ADD COLUMN phone_verified TEXT;
	ALTER TABLE accounts ADD COLUMN emails TEXT;
	ALTER TABLE accounts ADD COLUMN password TEXT;
	ALTER TABLE accounts ADD COLUMN identities TEXT;
	ALTER TABLE accounts ADD COLUMN app_metadata TEXT;
	ALTER TABLE accounts ADD COLUMN user_metadata TEXT;
	`,
	// 4: the audit trail of accounts (server/audit.ts): kept after a rollback deletes the account.
	`
	CREATE TABLE audit_entries (
		id INTEGER PRIMARY KEY,
		account_id INTEGER NOT NULL,
		user_id TEXT,
		source_id TEXT NOT NULL REFERENCES sources(id),
		row INTEGER,
		action TEXT NOT NULL CHECK (action IN ('created', 'updated', 'linked', 'removed', 'unlinked')),
		fields_json TEXT,
		created_at INTEGER NOT NULL
	);
	CREATE INDEX audit_entries_user ON audit_entries(user_id);
	`
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to SCHEMA_VERSION; each step runs in its own transaction. */
export function migrate(db: Db): void {
	const current = db.pragma('user_version', { simple: true }) as number;
	if (current > MIGRATIONS.length) {
		throw new Error(
			`database schema version ${current} is newer than this server (${MIGRATIONS.length})`
		);
	}
	for (let version = current; version < MIGRATIONS.length; version++) {
		db.transaction(() => {
			db.exec(MIGRATIONS[version]);
			db.pragma(`user_version = ${version + 1}`);
		}).immediate();
	}
}

/** Opens (creating if needed) the database file in WAL mode and migrates it. */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
	const db = new Database(path);
	try {
		db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 2000))}`);
		db.pragma('journal_mode = WAL');
		// FULL: a committed chunk survives a power loss, not only a process crash.
		db.pragma('synchronous = FULL');
		db.pragma('foreign_keys = ON');
		migrate(db);
		return db;
	} catch (error) {
		db.close();
		throw error;
	}
}

/**
 * better-sqlite3 behind the asynchronous SqlDatabase. Its one connection is shared by every request
 * of the process, so transactions take turns: one runs (and commits or rolls back) before the next
 * begins, and no request ever sees another's uncommitted rows.
 */
class SqliteDatabase implements SqlDatabase {
	readonly dialect = 'sqlite';
	readonly rowLock = '';
	readonly #db: Db;
	/** Prepared statements by their text: a chunk runs the same few thousands of times. */
	readonly #statements = new Map<string, Statement>();
	#turn: Promise<unknown> = Promise.resolve();
	readonly #queries: SqlQueries = {
		all: async <T>(sql: string, params: readonly SqlParam[] = []) =>
			this.#statement(sql).all(...params) as T[],
		get: async <T>(sql: string, params: readonly SqlParam[] = []) =>
			this.#statement(sql).get(...params) as T | undefined,
		run: async (sql: string, params: readonly SqlParam[] = []) =>
			this.#statement(sql).run(...params).changes
	};

	constructor(db: Db) {
		this.#db = db;
	}

	transaction<T>(work: (tx: SqlQueries) => Promise<T>): Promise<T> {
		// IMMEDIATE: the write lock is taken at BEGIN, so another process's writer makes this one
		// wait (busy_timeout) or fail with SQLITE_BUSY before anything is done.
		return this.#inTurn(() => this.#inTransaction('BEGIN IMMEDIATE', work));
	}

	snapshot<T>(work: (tx: SqlQueries) => Promise<T>): Promise<T> {
		return this.#inTurn(() => this.#inTransaction('BEGIN', work));
	}

	close(): Promise<void> {
		return this.#inTurn(async () => {
			this.#db.close();
		});
	}

	#inTurn<T>(work: () => Promise<T>): Promise<T> {
		const result = this.#turn.then(work);
		this.#turn = result.catch(() => undefined);
		return result;
	}

	async #inTransaction<T>(begin: string, work: (tx: SqlQueries) => Promise<T>): Promise<T> {
		this.#db.exec(begin);
		try {
			const result = await work(this.#queries);
			this.#db.exec('COMMIT');
			return result;
		} catch (error) {
			if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
			throw error;
		}
	}

	#statement(sql: string): Statement {
		let statement = this.#statements.get(sql);
		if (!statement) {
			statement = this.#db.prepare(sql);
			this.#statements.set(sql, statement);
		}
		return statement;
	}
}

/** Opens (creating if needed) and migrates the SQLite database file at `path`. */
export async function openSqlite(path: string, options: OpenOptions = {}): Promise<SqlDatabase> {
	return new SqliteDatabase(openDatabase(path, options));
}
