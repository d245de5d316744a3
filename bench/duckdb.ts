// DuckDB-WASM as two contenders: its bare count(*) of the file, and an SQL version of Ferry's rules
// (docs/benchmark.md says where its rules differ). The WebAssembly and worker files come from the
// npm package, emitted by the bench's Vite build and served with the page: no CDN.
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import type { Counts } from './protocol';

const BUNDLES: duckdb.DuckDBBundles = {
	mvp: { mainModule: mvpWasm, mainWorker: mvpWorker },
	eh: { mainModule: ehWasm, mainWorker: ehWorker }
};

/** The CSV as text columns, as Ferry reads it; its sniffer still finds the delimiter and quotes. */
const READ = `read_csv('users.csv', header = true, all_varchar = true)`;

/** Bare reading: every record parsed, nothing checked. */
export const COUNT_SQL = `SELECT count(*) AS rows FROM ${READ}`;

/**
 * Ferry's rules for the bench file's mapping, in DuckDB's SQL: required user_id and email, the
 * email's shape, booleans, phones in E.164 shape, ISO dates, and duplicate user_ids and emails
 * (the first occurrence valid, later ones invalid, as Ferry counts them).
 */
export const RULES_SQL = `
WITH source AS (
	SELECT row_number() OVER () AS n, trim(user_id) AS id, lower(trim(email)) AS mail,
		trim(email_verified) AS verified, trim(phone_number) AS phone,
		trim(created_at) AS created, trim(last_login) AS login
	FROM ${READ}
),
checked AS (
	SELECT
		coalesce(id, '') = ''
		OR coalesce(mail, '') = ''
		OR NOT regexp_full_match(mail, '[^@\\s]+@[^@\\s]+\\.[^@\\s]+')
		OR coalesce(verified, '') NOT IN ('', 'true', 'false', '1', '0', 'yes', 'no')
		OR (coalesce(phone, '') <> '' AND NOT regexp_full_match(phone, '\\+[1-9][0-9]{6,14}'))
		OR (coalesce(created, '') <> '' AND try_cast(created AS TIMESTAMP) IS NULL)
		OR (coalesce(login, '') <> '' AND try_cast(login AS TIMESTAMPTZ) IS NULL)
		OR row_number() OVER (PARTITION BY id ORDER BY n) > 1
		OR row_number() OVER (PARTITION BY mail ORDER BY n) > 1 AS invalid
	FROM source
)
SELECT count(*) AS rows, count(*) FILTER (WHERE invalid) AS invalid FROM checked`;

let db: duckdb.AsyncDuckDB | null = null;

/** Starts DuckDB's worker and instantiates its WebAssembly (before the clock starts). */
export async function startDuckDb(): Promise<void> {
	const bundle = await duckdb.selectBundle(BUNDLES);
	const worker = new Worker(bundle.mainWorker!);
	db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
	await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
}

/** Runs `sql` on the chosen file, registered as users.csv (read by DuckDB's worker in slices). */
export async function queryFile(file: File, sql: string): Promise<Counts> {
	if (!db) throw new Error('prepare the DuckDB contender first');
	await db.registerFileHandle(
		'users.csv',
		file,
		duckdb.DuckDBDataProtocol.BROWSER_FILEREADER,
		true
	);
	const connection = await db.connect();
	try {
		const row = (await connection.query(sql)).toArray()[0].toJSON();
		const rows = Number(row.rows);
		const invalid = row.invalid === undefined ? Number.NaN : Number(row.invalid);
		return { rows, valid: rows - invalid, invalid, warnings: Number.NaN };
	} finally {
		await connection.close();
	}
}
