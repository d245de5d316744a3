/**
 * The reference import API as a child process on a fixed loopback port, so it can be killed with
 * SIGKILL and restarted on the same address while a client keeps talking to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 20_000;

/** A port the kernel just handed out on 127.0.0.1 (free now; the server binds it next). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.on('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => resolve(port));
		});
	});
}

export interface ServerOptions {
	token: string;
	/** Fixed for the life of the object; a free one by default. */
	port?: number;
	/** Database directory; a fresh temporary one by default (removed by stop()). */
	dataDir?: string;
}

export class ServerProcess {
	readonly port: number;
	readonly dataDir: string;
	readonly token: string;
	readonly #ownsDataDir: boolean;
	#child: ChildProcess | null = null;
	/** Times the process was started. */
	starts = 0;

	private constructor(port: number, dataDir: string, token: string, ownsDataDir: boolean) {
		this.port = port;
		this.dataDir = dataDir;
		this.token = token;
		this.#ownsDataDir = ownsDataDir;
	}

	static async start(options: ServerOptions): Promise<ServerProcess> {
		const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ferry-fault-'));
		const port = options.port ?? (await freePort());
		const server = new ServerProcess(port, dataDir, options.token, options.dataDir === undefined);
		await server.#spawn();
		return server;
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}/api/v1`;
	}

	get databasePath(): string {
		return join(this.dataDir, 'ferry-api.sqlite');
	}

	/** Resolves once the server prints its "listening" line. */
	#spawn(): Promise<void> {
		const child = spawn(
			process.execPath,
			[
				'--import',
				'tsx',
				'server/main.ts',
				'--port',
				String(this.port),
				'--data',
				this.dataDir,
				'--token',
				this.token,
				'--rate-limit',
				'0',
				'--quiet'
			],
			{ cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }
		);
		this.#child = child;
		this.starts++;
		return new Promise((resolve, reject) => {
			let output = '';
			const timer = setTimeout(() => {
				child.kill('SIGKILL');
				reject(new Error(`server did not start in ${START_TIMEOUT_MS} ms: ${output}`));
			}, START_TIMEOUT_MS);
			const onData = (data: Buffer) => {
				output += data.toString();
				if (output.includes('Ferry import API listening on')) {
					clearTimeout(timer);
					resolve();
				}
			};
			child.stdout!.on('data', onData);
			child.stderr!.on('data', onData);
			child.once('exit', (code, signal) => {
				clearTimeout(timer);
				reject(new Error(`server exited (${code ?? signal}) before listening: ${output}`));
			});
		});
	}

	#exit(signal: NodeJS.Signals): Promise<void> {
		const child = this.#child;
		this.#child = null;
		if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
		return new Promise((resolve) => {
			child.once('exit', () => resolve());
			child.kill(signal);
		});
	}

	/** SIGKILL: no shutdown hooks, whatever transaction was open is lost. */
	kill(): Promise<void> {
		return this.#exit('SIGKILL');
	}

	async restart(): Promise<void> {
		await this.#exit('SIGKILL');
		await this.#spawn();
	}

	/** Stops the process and removes a temporary data directory. */
	async stop(): Promise<void> {
		await this.#exit('SIGKILL');
		if (this.#ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
	}

	/** Runs a read-only query on the server's database (WAL: safe while it runs). */
	query<T>(sql: string, ...params: unknown[]): T[] {
		const db = new Database(this.databasePath, { readonly: true, fileMustExist: true });
		try {
			return db.prepare(sql).all(...params) as T[];
		} finally {
			db.close();
		}
	}
}
