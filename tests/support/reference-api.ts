/**
 * The reference import API as tests and benches run it: its built JavaScript (server/dist, as
 * `npm start` runs it) in a child process on a loopback port, with its own database: a SQLite
 * directory, or in the `postgres` test project a PostgreSQL schema (tests/support/databases.ts).
 * The bundle is rebuilt from the sources once per process, so a test always runs the current code.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REFERENCE_API_DIR, bundleReferenceApi } from '../../scripts/bundle.mjs';
import { DEFAULT_TOKEN, databasePath } from '../../server/config';
import type { SqlParam } from '../../server/sql';
import { TEST_BACKEND, createTestDatabase, queryDatabase, type TestDatabase } from './databases';

const START_TIMEOUT_MS = 20_000;

let bundled: Promise<void> | undefined;
const ensureBundled = () => (bundled ??= bundleReferenceApi());

export interface ReferenceApiOptions {
	/** A fixed port; by default the server takes a free one (and keeps it across restart()). */
	port?: number;
	/** SQLite database directory; by default a fresh temporary one, removed by stop(). */
	dataDir?: string;
	/**
	 * A postgres:// URL (several servers may share it). By default, in the `postgres` test project
	 * and without a dataDir, a fresh PostgreSQL schema, dropped by stop().
	 */
	database?: string;
	/** The bearer token; the server's development token by default. */
	token?: string;
	/** More flags for server/main.ts, e.g. ['--cors', origin]; they win over the defaults. */
	args?: string[];
}

export class ReferenceApi {
	readonly token: string;
	readonly dataDir: string;
	/** The API's base URL, e.g. http://127.0.0.1:41234/api/v1. */
	url = '';
	port: number;
	/** Times the process was started. */
	starts = 0;
	/** Everything the current process wrote so far, stdout and stderr. */
	output = '';
	readonly #ownsDataDir: boolean;
	readonly #options: ReferenceApiOptions;
	#child: ChildProcess | null = null;
	/** The PostgreSQL database this server made for itself, if it did. */
	#ownDatabase: TestDatabase | null = null;

	constructor(options: ReferenceApiOptions) {
		this.#options = options;
		this.token = options.token ?? DEFAULT_TOKEN;
		this.port = options.port ?? 0;
		this.#ownsDataDir = options.dataDir === undefined;
		this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ferry-api-'));
	}

	/** The database the server runs on: a postgres:// URL, or the SQLite file in dataDir. */
	get database(): string {
		return this.#options.database ?? this.#ownDatabase?.location ?? databasePath(this.dataDir);
	}

	/** Starts the server; resolves once it prints the address it listens on. */
	async start(): Promise<void> {
		await ensureBundled();
		const wantsOwnPostgres =
			TEST_BACKEND === 'postgres' && !this.#options.database && !this.#options.dataDir;
		if (wantsOwnPostgres && !this.#ownDatabase) this.#ownDatabase = await createTestDatabase();
		const storage =
			this.database === databasePath(this.dataDir)
				? ['--data', this.dataDir]
				: ['--database', this.database];
		const args = [
			join(REFERENCE_API_DIR, 'main.js'),
			...['--port', String(this.port), ...storage, '--token', this.token],
			...['--rate-limit', '0', '--quiet', ...(this.#options.args ?? [])]
		];
		const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		this.#child = child;
		this.starts++;
		this.output = '';
		const url = await new Promise<string>((resolve, reject) => {
			const timer = setTimeout(() => {
				child.kill('SIGKILL');
				reject(
					new Error(`the reference API did not start in ${START_TIMEOUT_MS} ms: ${this.output}`)
				);
			}, START_TIMEOUT_MS);
			const read = (data: Buffer) => {
				this.output += data.toString();
				const match = /listening on (http:\/\/\S+\/api\/v1)/.exec(this.output);
				if (match) {
					clearTimeout(timer);
					resolve(match[1]);
				}
			};
			child.stdout!.on('data', read);
			child.stderr!.on('data', read);
			child.once('exit', (code, signal) => {
				clearTimeout(timer);
				reject(new Error(`the reference API exited (${code ?? signal}): ${this.output}`));
			});
		});
		this.url = url;
		this.port = Number(new URL(url).port);
	}

	/** Sends a signal without waiting; `exited()` tells when and how the process ended. */
	signal(signal: NodeJS.Signals): void {
		this.#child?.kill(signal);
	}

	/** The current process's exit code once it has exited (null if none was running). */
	exited(): Promise<number | null> {
		const child = this.#child;
		if (!child) return Promise.resolve(null);
		if (child.exitCode !== null || child.signalCode !== null)
			return Promise.resolve(child.exitCode);
		return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
	}

	async #exit(signal: NodeJS.Signals): Promise<number | null> {
		const exited = this.exited();
		this.signal(signal);
		const code = await exited;
		this.#child = null;
		return code;
	}

	/** SIGKILL: no shutdown hooks, whatever transaction was open is lost. */
	kill(): Promise<number | null> {
		return this.#exit('SIGKILL');
	}

	/** SIGTERM, as a service manager stops it; resolves with its exit code. */
	terminate(): Promise<number | null> {
		return this.#exit('SIGTERM');
	}

	/** Killed and started again on the same port and database. */
	async restart(): Promise<void> {
		await this.kill();
		await this.start();
	}

	/** Stops the process and removes a temporary data directory or PostgreSQL schema. */
	async stop(): Promise<void> {
		await this.kill();
		if (this.#ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
		await this.#ownDatabase?.drop();
		this.#ownDatabase = null;
	}

	/** Runs a query on the server's database (`?` placeholders) while it runs. */
	query<T>(sql: string, params: SqlParam[] = []): Promise<T[]> {
		return queryDatabase<T>(this.database, sql, params);
	}
}

export async function startReferenceApi(options: ReferenceApiOptions = {}): Promise<ReferenceApi> {
	const api = new ReferenceApi(options);
	try {
		await api.start();
	} catch (error) {
		await api.stop();
		throw error;
	}
	return api;
}

/** Runs server/seed.ts (built) with these flags, e.g. ['--accounts', '3', '--data', dir]. */
export async function seedReferenceApi(args: string[]) {
	await ensureBundled();
	return spawnSync(process.execPath, [join(REFERENCE_API_DIR, 'seed.js'), ...args], {
		encoding: 'utf8'
	});
}
