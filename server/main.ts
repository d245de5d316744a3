/**
 * Runs the reference import API:
 *   node server/dist/main.js [--port P] [--host H] [--data DIR | --database URL] [--token T]
 *                            [--cors ORIGINS] [--rate-limit N] [--require-uuid]
 *                            [--rows-per-source N] [--accept-hashes LIST] [--lookup user_id|email]
 * Environment alternatives: FERRY_API_PORT, FERRY_API_HOST, FERRY_API_DATA, FERRY_API_DATABASE,
 * FERRY_API_TOKEN, FERRY_API_CORS, FERRY_API_RATE_LIMIT, FERRY_API_REQUIRE_UUID (1),
 * FERRY_API_ROWS_PER_SOURCE, FERRY_API_ACCEPT_HASHES, FERRY_API_LOOKUP. Flags win over the environment.
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildApp } from './app';
import {
	DEFAULT_CORS_ORIGINS,
	DEFAULT_DATA_DIR,
	DEFAULT_DRAIN_TIMEOUT_MS,
	DEFAULT_PORT,
	DEFAULT_TOKEN,
	databasePath,
	defaultTokenWarning,
	describeDatabase,
	DEFAULT_PROFILE_OPTIONS,
	parseAlgorithms,
	parseInteger,
	parseLookupKey
} from './config';
import { isPostgresUrl } from './sql';
import { DEFAULT_LIMITS } from '../src/lib/core/protocol/import-api';
import { closeOnSignals } from './shutdown';

const DEFAULT_RATE_LIMIT = 50;

const HELP = `Ferry reference import API (protocol v1)

Usage: node server/dist/main.js [options]   (npm run api -- [options]; built by npm run build:api)
  --port P          TCP port (0 picks a free one)        env FERRY_API_PORT   default ${DEFAULT_PORT}
  --host H          interface to listen on              env FERRY_API_HOST   default 127.0.0.1
  --data DIR        directory of the SQLite database    env FERRY_API_DATA   default ${DEFAULT_DATA_DIR}
  --database URL    a postgres:// URL instead of SQLite; several instances may share it
                                                        env FERRY_API_DATABASE
  --token T         bearer token clients must send      env FERRY_API_TOKEN  default ${DEFAULT_TOKEN}
  --cors ORIGINS    comma-separated allowed origins     env FERRY_API_CORS   default ${DEFAULT_CORS_ORIGINS.join(',')}
  --rate-limit N    requests per second per token, 0 = off  env FERRY_API_RATE_LIMIT  default ${DEFAULT_RATE_LIMIT}
  --quiet           no request logs
To stand in for a destination (announced in GET /schema; the app validates against it):
  --require-uuid    user_id must be a UUID                 env FERRY_API_REQUIRE_UUID=1
  --rows-per-source N  rows one source may have            env FERRY_API_ROWS_PER_SOURCE  default ${DEFAULT_LIMITS.rowsPerSource}
  --accept-hashes LIST  password hash algorithms stored, e.g. bcrypt,argon2
                                                        env FERRY_API_ACCEPT_HASHES  default ${DEFAULT_PROFILE_OPTIONS.acceptedAlgorithms.join(',')}
  --lookup KEY      what an upsert finds accounts by: user_id or email (as Auth0)
                                                        env FERRY_API_LOOKUP  default ${DEFAULT_PROFILE_OPTIONS.lookupKey}
`;

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			port: { type: 'string' },
			host: { type: 'string' },
			data: { type: 'string' },
			database: { type: 'string' },
			token: { type: 'string' },
			cors: { type: 'string' },
			'rate-limit': { type: 'string' },
			'require-uuid': { type: 'boolean', default: false },
			'rows-per-source': { type: 'string' },
			'accept-hashes': { type: 'string' },
			lookup: { type: 'string' },
			quiet: { type: 'boolean', default: false },
			help: { type: 'boolean', short: 'h', default: false }
		},
		strict: true
	});
	if (values.help) {
		process.stdout.write(HELP);
		return;
	}
	const env = process.env;
	const port = parseInteger(
		values.port ?? env.FERRY_API_PORT ?? String(DEFAULT_PORT),
		'port',
		0,
		65535
	);
	const host = values.host ?? env.FERRY_API_HOST ?? '127.0.0.1';
	const dataDir = values.data ?? env.FERRY_API_DATA ?? DEFAULT_DATA_DIR;
	const databaseUrl = values.database ?? env.FERRY_API_DATABASE;
	if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
		throw new Error(`--database takes a postgres:// URL, not "${databaseUrl}"`);
	}
	const token = values.token ?? env.FERRY_API_TOKEN ?? DEFAULT_TOKEN;
	const corsList = values.cors ?? env.FERRY_API_CORS;
	const corsOrigins =
		corsList === undefined
			? DEFAULT_CORS_ORIGINS
			: corsList
					.split(',')
					.map((origin) => origin.trim())
					.filter(Boolean);
	const perSecond = parseInteger(
		values['rate-limit'] ?? env.FERRY_API_RATE_LIMIT ?? String(DEFAULT_RATE_LIMIT),
		'rate-limit',
		0,
		1_000_000
	);
	const rowsPerSource = parseInteger(
		values['rows-per-source'] ??
			env.FERRY_API_ROWS_PER_SOURCE ??
			String(DEFAULT_LIMITS.rowsPerSource),
		'rows-per-source',
		1,
		Number.MAX_SAFE_INTEGER
	);
	const acceptHashes = values['accept-hashes'] ?? env.FERRY_API_ACCEPT_HASHES;
	const lookup = values.lookup ?? env.FERRY_API_LOOKUP;
	const profile = {
		requireUuidUserId: values['require-uuid'] || env.FERRY_API_REQUIRE_UUID === '1',
		acceptedAlgorithms:
			acceptHashes === undefined
				? DEFAULT_PROFILE_OPTIONS.acceptedAlgorithms
				: parseAlgorithms(acceptHashes),
		lookupKey: lookup === undefined ? DEFAULT_PROFILE_OPTIONS.lookupKey : parseLookupKey(lookup)
	};
	if (token.trim() === '') throw new Error('the token must not be empty');
	const tokenWarning = defaultTokenWarning(host, token);
	if (tokenWarning) process.stderr.write(`ferry-api: ${tokenWarning}\n`);

	if (databaseUrl === undefined) mkdirSync(dataDir, { recursive: true });
	const database = databaseUrl ?? databasePath(dataDir);
	const app = buildApp({
		database,
		token,
		corsOrigins,
		rateLimit: perSecond > 0 ? { perSecond, burst: perSecond * 2 } : undefined,
		limits: { rowsPerSource },
		profile,
		logger: values.quiet ? false : { level: 'info' }
	});
	const address = await app.listen({ port, host });
	// A custom token is a secret: only the well-known development token is echoed.
	const tokenNote = token === DEFAULT_TOKEN ? `token: ${token}` : 'token: (as configured)';
	process.stdout.write(
		`Ferry import API listening on ${address}/api/v1 (${tokenNote}; data: ${describeDatabase(database)}; CORS: ${corsOrigins.join(', ') || 'none'})\n`
	);
	closeOnSignals(app, DEFAULT_DRAIN_TIMEOUT_MS);
}

main().catch((error: unknown) => {
	process.stderr.write(`ferry-api: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
