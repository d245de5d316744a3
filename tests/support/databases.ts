/**
 * The database the server tests run on. SQLite by default; PostgreSQL in the `postgres` Vitest
 * project (vite.config.ts), which exists when FERRY_TEST_POSTGRES holds the URL of a database the
 * tests may create schemas in (scripts/test.sh starts a throwaway cluster and sets it). Each test
 * database is a fresh SQLite file or a fresh PostgreSQL schema, removed by `drop()`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { seedAccounts } from '../../server/accounts';
import { openSqlDatabase, type SqlParam } from '../../server/sql';

export type Backend = 'sqlite' | 'postgres';

export const TEST_BACKEND: Backend =
	process.env.FERRY_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDatabase {
	/** What the server takes: a SQLite file path or a postgres:// URL. */
	location: string;
	drop(): Promise<void>;
}

/** The server for PostgreSQL tests; a missing one fails the test rather than skipping it. */
function postgresServerUrl(): string {
	const url = process.env.FERRY_TEST_POSTGRES;
	if (!url) {
		throw new Error('FERRY_TEST_POSTGRES is not set: the PostgreSQL tests need a database URL');
	}
	return url;
}

async function onPostgresServer(sql: string): Promise<void> {
	const client = new pg.Client({ connectionString: postgresServerUrl() });
	await client.connect();
	try {
		await client.query(sql);
	} finally {
		await client.end();
	}
}

/** A new, empty database of the backend under test (the server creates the tables). */
export async function createTestDatabase(backend: Backend = TEST_BACKEND): Promise<TestDatabase> {
	if (backend === 'sqlite') {
		const dir = mkdtempSync(join(tmpdir(), 'ferry-server-'));
		return {
			location: join(dir, 'api.sqlite'),
			drop: async () => rmSync(dir, { recursive: true, force: true })
		};
	}
	const schema = `ferry_test_${randomBytes(6).toString('hex')}`;
	await onPostgresServer(`CREATE SCHEMA ${schema}`);
	const url = new URL(postgresServerUrl());
	url.searchParams.set('options', `-c search_path=${schema}`);
	return {
		location: url.toString(),
		drop: () => onPostgresServer(`DROP SCHEMA ${schema} CASCADE`)
	};
}

/** Runs one query on the database at `location` (`?` placeholders, as the server's SQL). */
export async function queryDatabase<T>(
	location: string,
	sql: string,
	params: SqlParam[] = []
): Promise<T[]> {
	const db = await openSqlDatabase(location);
	try {
		return await db.transaction((tx) => tx.all<T>(sql, params));
	} finally {
		await db.close();
	}
}

/**
 * Holds, from another connection, the lock a chunk of `sourceId` needs: SQLite's write lock, or
 * the source's row in PostgreSQL. Resolves with the function that lets go.
 */
export async function holdWriteLock(
	location: string,
	sourceId: string
): Promise<() => Promise<void>> {
	if (TEST_BACKEND === 'sqlite') {
		const other = new Database(location);
		other.exec('BEGIN IMMEDIATE');
		return async () => {
			other.exec('ROLLBACK');
			other.close();
		};
	}
	const other = new pg.Client({ connectionString: location });
	await other.connect();
	await other.query('BEGIN');
	await other.query('SELECT id FROM sources WHERE id = $1 FOR UPDATE', [sourceId]);
	return async () => {
		await other.query('ROLLBACK');
		await other.end();
	};
}

/** Runs statements that return nothing (DDL, writes) on the database, in one transaction. */
export async function executeOnDatabase(location: string, statements: string[]): Promise<void> {
	const db = await openSqlDatabase(location);
	try {
		await db.transaction(async (tx) => {
			for (const sql of statements) await tx.run(sql);
		});
	} finally {
		await db.close();
	}
}

/** Seeds accounts user1..user{count}@example.com (server/accounts.ts) into the database. */
export async function seedDatabase(location: string, count: number, now = 0): Promise<void> {
	const db = await openSqlDatabase(location);
	try {
		await seedAccounts(db, count, now);
	} finally {
		await db.close();
	}
}
