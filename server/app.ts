/**
 * Ferry's reference import API (protocol v1) as a Fastify application. `buildApp` returns at once;
 * the database is opened (and migrated) while the app gets ready, which `inject()` and `listen()`
 * wait for. `main.ts` makes it listen.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import cors from '@fastify/cors';
import Fastify, {
	type FastifyInstance,
	type FastifySchemaValidationError,
	type FastifyReply,
	type FastifyRequest,
	type FastifyServerOptions
} from 'fastify';
import {
	DEFAULT_AUTH_THROTTLE,
	DEFAULT_CONNECTION_LIMITS,
	DEFAULT_PROFILE_OPTIONS,
	type ConnectionLimits,
	type ProfileOptions
} from './config';
import { ApiError, isApiError, isDatabaseBusy } from './errors';
import {
	DEFAULT_LIMITS,
	IMPORT_MODES,
	SOURCE_PAGE_SIZE,
	type ApiSchema,
	type CreateSourceBody,
	type ImportLimits,
	type SourcePage
} from '../src/lib/core/protocol/import-api';
import {
	FailureThrottle,
	TokenBuckets,
	type FailureThrottleOptions,
	type RateLimitOptions
} from './rate-limit';
import { openSqlDatabase, purgeIdempotencyRecords, type SqlDatabase } from './sql';
import { ImportStore, type UploadedRow } from './store';
import { announcedSchema, serverRules } from './profile';
import { UserDirectory, registerUserRoutes } from './users';

declare module 'fastify' {
	interface FastifyRequest {
		/** Lowercase hex SHA-256 of the decoded (uncompressed) body bytes. */
		bodySha256: string;
	}
	interface FastifyContextConfig {
		/** Largest decoded JSON body this route accepts. */
		maxJsonBytes?: number;
	}
}

export interface AppOptions {
	/** A SQLite database file path, or a `postgres://` URL (several instances may share it). */
	database: string;
	token: string;
	/** Origins allowed to call the API from a browser (exact matches). */
	corsOrigins: string[];
	/** Per bearer token; no limit when absent. */
	rateLimit?: RateLimitOptions;
	/** Failed authentications per client address; DEFAULT_AUTH_THROTTLE when absent, off if false. */
	authThrottle?: FailureThrottleOptions | false;
	/** Timeouts and the connection cap of the HTTP server; DEFAULT_CONNECTION_LIMITS fill the rest. */
	connections?: Partial<ConnectionLimits>;
	limits?: Partial<ImportLimits>;
	/** The destination it stands in for: UUID ids, accepted hash algorithms, upsert lookup key. */
	profile?: Partial<ProfileOptions>;
	logger?: FastifyServerOptions['logger'];
	/** Wait for a locked database (SQLite) or row (PostgreSQL) this long before answering 503. */
	busyTimeoutMs?: number;
	/** Epoch milliseconds; tests pin it. */
	now?: () => number;
}

const API = '/api/v1';
const SMALL_BODY_BYTES = 64 * 1024;
// gzip can grow incompressible input a little; the decoded size is what the limit is about.
const COMPRESSED_SLACK_BYTES = 64 * 1024;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const BUSY_RETRY_AFTER_SECONDS = 1;
const IDEMPOTENCY_KEY = /^[0-9a-f]{64}$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const gunzipAsync = promisify(gunzip);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function sha256(bytes: Uint8Array | string): Buffer {
	return createHash('sha256').update(bytes).digest();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Decodes the body (gzip or identity) within the route's size limit and remembers its hash. */
async function decodeBody(request: FastifyRequest, raw: Buffer): Promise<string> {
	const maxBytes = request.routeOptions.config.maxJsonBytes ?? SMALL_BODY_BYTES;
	const encoding = String(request.headers['content-encoding'] ?? 'identity')
		.trim()
		.toLowerCase();
	let bytes: Buffer;
	if (encoding === 'gzip') {
		try {
			bytes = await gunzipAsync(raw, { maxOutputLength: maxBytes });
		} catch (error) {
			if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
				throw new ApiError(413, 'payload_too_large', `The decoded body exceeds ${maxBytes} bytes.`);
			}
			throw new ApiError(400, 'invalid_gzip', 'The body is not valid gzip.');
		}
	} else if (encoding === 'identity') {
		bytes = raw;
	} else {
		throw new ApiError(415, 'unsupported_content_encoding', 'Use gzip or no Content-Encoding.');
	}
	if (bytes.length > maxBytes) {
		throw new ApiError(413, 'payload_too_large', `The body exceeds ${maxBytes} bytes.`);
	}
	request.bodySha256 = sha256(bytes).toString('hex');
	try {
		return strictUtf8.decode(bytes);
	} catch {
		throw new ApiError(400, 'invalid_json', 'The body is not UTF-8.');
	}
}

/** `{rows: [{row, ...fields}]}` with positive integer row numbers; the fields are checked later. */
function chunkRows(body: unknown, limits: ImportLimits): UploadedRow[] {
	if (!isPlainObject(body) || !Array.isArray(body.rows)) {
		throw new ApiError(400, 'invalid_chunk', 'The body must be {"rows": [...]}.');
	}
	if (body.rows.length > limits.rowsPerChunk) {
		throw new ApiError(
			413,
			'too_many_rows',
			`A chunk may have at most ${limits.rowsPerChunk} rows.`
		);
	}
	return body.rows.map((entry: unknown, index: number): UploadedRow => {
		if (!isPlainObject(entry)) {
			throw new ApiError(400, 'invalid_chunk', `rows[${index}] must be an object.`);
		}
		const { row, ...fields } = entry;
		if (typeof row !== 'number' || !Number.isSafeInteger(row) || row < 1) {
			throw new ApiError(400, 'invalid_chunk', `rows[${index}].row must be a positive integer.`);
		}
		return { row, fields };
	});
}

const sourceBodySchema = {
	type: 'object',
	additionalProperties: false,
	required: ['name', 'mode', 'file', 'rows'],
	properties: {
		name: { type: 'string', minLength: 1, maxLength: 200 },
		mode: { type: 'string', enum: IMPORT_MODES },
		upsert: { type: 'boolean', default: false },
		file: {
			type: 'object',
			additionalProperties: false,
			required: ['name', 'size', 'sha256'],
			properties: {
				name: { type: 'string', maxLength: 1024 },
				size: { type: 'integer', minimum: 0 },
				sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' }
			}
		},
		rows: { type: 'integer', minimum: 0 },
		dry_run: { type: 'boolean', default: false }
	}
} as const;

const sourcePageQuery = {
	type: 'object',
	properties: {
		limit: {
			type: 'integer',
			minimum: 1,
			maximum: SOURCE_PAGE_SIZE.max,
			default: SOURCE_PAGE_SIZE.default
		},
		cursor: { type: 'string', minLength: 1, maxLength: 200 }
	}
} as const;

const idParams = {
	type: 'object',
	required: ['id'],
	properties: { id: { type: 'string', maxLength: 64 } }
} as const;

const chunkParams = {
	type: 'object',
	required: ['id', 'seq'],
	properties: {
		id: { type: 'string', maxLength: 64 },
		seq: { type: 'integer', minimum: 0, maximum: 1_000_000_000 }
	}
} as const;

/** Names the property a strict schema refused, which Ajv's own message leaves out. */
function describeSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
	const text = errors.map(({ keyword, instancePath, params, message }) => {
		const where = `${dataVar}${instancePath}`;
		if (keyword === 'additionalProperties') {
			return `${where} has an unknown property ${JSON.stringify(params.additionalProperty)}`;
		}
		return `${where} ${message}`;
	});
	return new Error(text.join(', '));
}

/**
 * What a request log line says of the request: the path without its query string, where a client
 * may have put a token (`?access_token=`), so no secret reaches the logs.
 */
function requestForLog(request: FastifyRequest) {
	return {
		method: request.method,
		url: request.url.split('?', 1)[0],
		host: request.host,
		remoteAddress: request.ip,
		remotePort: request.socket?.remotePort
	};
}

function loggerOptions(logger: AppOptions['logger']): FastifyServerOptions['logger'] {
	if (!logger) return false;
	const base = logger === true ? {} : logger;
	return { ...base, serializers: { ...base.serializers, req: requestForLog } };
}

function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
	for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
	return reply
		.code(error.statusCode)
		.send({ statusCode: error.statusCode, code: error.code, message: error.message });
}

/** Maps anything thrown to the API's error shape; nothing from a request body reaches the log. */
function toApiError(error: unknown): ApiError | null {
	if (isApiError(error)) return error;
	if (isDatabaseBusy(error)) {
		return new ApiError(503, 'busy', 'The database is busy; retry later.', {
			'Retry-After': String(BUSY_RETRY_AFTER_SECONDS)
		});
	}
	const fastifyError = error as { statusCode?: number; code?: string; validation?: unknown };
	if (fastifyError.validation) {
		return new ApiError(400, 'invalid_request', (error as Error).message);
	}
	switch (fastifyError.code) {
		case 'FST_ERR_CTP_BODY_TOO_LARGE':
			return new ApiError(413, 'payload_too_large', 'The body is too large.');
		case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
			return new ApiError(415, 'unsupported_media_type', 'Send application/json.');
		case 'FST_ERR_CTP_EMPTY_JSON_BODY':
		case 'FST_ERR_CTP_INVALID_JSON_BODY':
			return new ApiError(400, 'invalid_json', 'The body is not valid JSON.');
	}
	const status = fastifyError.statusCode;
	if (status && status >= 400 && status < 500) {
		return new ApiError(status, 'bad_request', (error as Error).message);
	}
	return null;
}

export function buildApp(options: AppOptions): FastifyInstance {
	const now = options.now ?? Date.now;
	const limits: ImportLimits = { ...DEFAULT_LIMITS, ...options.limits };
	const schema = announcedSchema(limits, { ...DEFAULT_PROFILE_OPTIONS, ...options.profile });
	const tokenDigest = sha256(options.token);
	const buckets = options.rateLimit ? new TokenBuckets(options.rateLimit) : null;
	const authThrottle =
		options.authThrottle === false
			? null
			: new FailureThrottle(options.authThrottle ?? DEFAULT_AUTH_THROTTLE);
	const connections: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connections };
	const allowedOrigins = new Set(options.corsOrigins);

	const app = Fastify({
		logger: loggerOptions(options.logger),
		connectionTimeout: connections.idleTimeoutMs,
		keepAliveTimeout: connections.keepAliveTimeoutMs,
		requestTimeout: connections.requestTimeoutMs,
		http: {
			headersTimeout: connections.headersTimeoutMs,
			requestTimeout: connections.requestTimeoutMs,
			connectionsCheckingInterval: connections.timeoutCheckIntervalMs
		},
		// Unknown properties are refused (additionalProperties: false), not silently dropped.
		ajv: { customOptions: { removeAdditional: false } },
		schemaErrorFormatter: describeSchemaErrors,
		requestIdHeader: false,
		genReqId: (raw) => {
			const given = raw.headers['x-request-id'];
			return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
		},
		bodyLimit: SMALL_BODY_BYTES
	});

	app.server.maxConnections = connections.maxConnections;

	let db: SqlDatabase | undefined;
	let store: ImportStore;
	let users: UserDirectory;
	let purgeTimer: NodeJS.Timeout | undefined;
	const purge = async (database: SqlDatabase) => {
		const purged = await purgeIdempotencyRecords(database, now());
		if (purged > 0) app.log.info({ purged }, 'purged old idempotency records');
	};
	app.addHook('onReady', async () => {
		db = await openSqlDatabase(options.database, { busyTimeoutMs: options.busyTimeoutMs });
		store = new ImportStore(db, limits, now, serverRules(schema));
		users = new UserDirectory(db, now);
		await purge(db);
		const opened = db;
		purgeTimer = setInterval(() => {
			purge(opened).catch((error: unknown) =>
				app.log.warn({ err: error }, 'purging idempotency records failed')
			);
		}, PURGE_INTERVAL_MS);
		purgeTimer.unref();
	});
	app.addHook('onClose', async () => {
		clearInterval(purgeTimer);
		await db?.close();
	});

	app.register(cors, {
		origin: (origin, callback) =>
			callback(null, origin !== undefined && allowedOrigins.has(origin)),
		methods: ['GET', 'POST', 'PUT', 'DELETE'],
		allowedHeaders: ['Authorization', 'Content-Type', 'Content-Encoding', 'Idempotency-Key'],
		exposedHeaders: ['Retry-After', 'X-Request-Id', 'Idempotent-Replayed'],
		maxAge: 600
	});

	// Registered after cors, so even refusals carry the CORS headers a browser needs to read them.
	app.addHook('onRequest', async (request, reply) => {
		reply.header('X-Request-Id', request.id);
		if (request.method === 'OPTIONS') {
			// An allowed preflight was answered by the cors plugin already.
			throw new ApiError(403, 'origin_not_allowed', 'This origin may not call the API.');
		}
		// A throttled address is refused before its token is looked at, so guessing gains nothing.
		const throttled = authThrottle?.check(request.ip, now());
		if (throttled && !throttled.allowed) {
			throw new ApiError(
				429,
				'too_many_failed_attempts',
				'Too many failed authentications from this address; retry later.',
				{ 'Retry-After': String(throttled.retryAfterSeconds) }
			);
		}
		const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '');
		if (!match || !timingSafeEqual(sha256(match[1]), tokenDigest)) {
			if (authThrottle?.fail(request.ip, now())) {
				request.log.warn({ address: request.ip }, 'failed authentications throttled');
			}
			throw new ApiError(401, 'unauthorized', 'A valid bearer token is required.', {
				'WWW-Authenticate': 'Bearer'
			});
		}
		if (buckets) {
			const decision = buckets.take(tokenDigest.toString('hex'), now());
			if (!decision.allowed) {
				throw new ApiError(429, 'rate_limited', 'Too many requests; slow down.', {
					'Retry-After': String(decision.retryAfterSeconds)
				});
			}
		}
	});

	app.decorateRequest('bodySha256', '');
	// JSON only: Fastify's text/plain parser would let a text body reach the schema as a string.
	app.removeAllContentTypeParsers();
	const parseJson = app.getDefaultJsonParser('error', 'error');
	app.addContentTypeParser(
		'application/json',
		{ parseAs: 'buffer' },
		async (request: FastifyRequest, raw: Buffer) => {
			const text = await decodeBody(request, raw);
			// Bodiless POST/DELETE calls often still say application/json.
			if (text === '') return undefined;
			return new Promise((resolve, reject) => {
				parseJson(request, text, (error, value) => (error ? reject(error) : resolve(value)));
			});
		}
	);

	app.setErrorHandler((error, request, reply) => {
		const apiError = toApiError(error);
		if (apiError) {
			if (apiError.statusCode === 503) request.log.warn({ code: apiError.code }, 'database busy');
			return sendError(reply, apiError);
		}
		request.log.error({ err: error }, 'request failed');
		return sendError(reply, new ApiError(500, 'internal_error', 'The server failed.'));
	});

	app.setNotFoundHandler((_request, reply) =>
		sendError(reply, new ApiError(404, 'not_found', 'No such endpoint.'))
	);

	app.get(`${API}/schema`, async (): Promise<ApiSchema> => schema);

	app.post<{ Body: CreateSourceBody }>(
		`${API}/sources`,
		{ schema: { body: sourceBodySchema } },
		async (request, reply) => {
			const source = await store.createSource(request.body);
			request.log.info({ sourceId: source.id, mode: source.mode }, 'source created');
			return reply.code(201).send(source);
		}
	);

	app.get<{ Querystring: { limit: number; cursor?: string } }>(
		`${API}/sources`,
		{ schema: { querystring: sourcePageQuery } },
		async (request): Promise<SourcePage> =>
			store.listSources(request.query.limit, request.query.cursor ?? null)
	);

	app.get<{ Params: { id: string } }>(
		`${API}/sources/:id`,
		{ schema: { params: idParams } },
		async (request) => store.view(request.params.id)
	);

	app.put<{ Params: { id: string; seq: number } }>(
		`${API}/sources/:id/chunks/:seq`,
		{
			schema: { params: chunkParams },
			bodyLimit: limits.bytesPerChunk + COMPRESSED_SLACK_BYTES,
			config: { maxJsonBytes: limits.bytesPerChunk }
		},
		async (request, reply) => {
			const given = request.headers['idempotency-key'];
			const key = typeof given === 'string' ? given.trim().toLowerCase() : '';
			if (!IDEMPOTENCY_KEY.test(key)) {
				throw new ApiError(
					400,
					'idempotency_key_required',
					'Send Idempotency-Key: the lowercase hex SHA-256 of the uncompressed body.'
				);
			}
			if (key !== request.bodySha256) {
				throw new ApiError(
					400,
					'idempotency_key_mismatch',
					'Idempotency-Key is not the SHA-256 of the uncompressed body.'
				);
			}
			const { id, seq } = request.params;
			const outcome = await store.applyChunk(id, seq, key, chunkRows(request.body, limits));
			if (outcome.replayed) {
				reply.header('Idempotent-Replayed', 'true');
				request.log.info({ sourceId: id, seq }, 'chunk replayed');
			} else {
				const counts: Record<string, number> = {};
				for (const { status } of outcome.results ?? []) counts[status] = (counts[status] ?? 0) + 1;
				request.log.info({ sourceId: id, seq, counts }, 'chunk applied');
			}
			return reply
				.code(outcome.statusCode)
				.type('application/json; charset=utf-8')
				.send(outcome.body);
		}
	);

	app.post<{ Params: { id: string } }>(
		`${API}/sources/:id/complete`,
		{ schema: { params: idParams } },
		async (request) => {
			const summary = await store.complete(request.params.id);
			request.log.info({ sourceId: summary.id, counts: summary.counts }, 'source complete');
			return summary;
		}
	);

	app.delete<{ Params: { id: string } }>(
		`${API}/sources/:id`,
		{ schema: { params: idParams } },
		async (request) => {
			const view = await store.rollback(request.params.id);
			request.log.info({ sourceId: view.id, rollback: view.rollback }, 'source rolled back');
			return view;
		}
	);

	app.get<{ Params: { id: string } }>(
		`${API}/sources/:id/received`,
		{ schema: { params: idParams } },
		async (request) => store.received(request.params.id)
	);

	registerUserRoutes(app, API, () => users);

	return app;
}
