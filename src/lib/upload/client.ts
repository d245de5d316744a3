/**
 * Typed client of the import API, protocol v1 (docs/import-api.md). Every call takes an AbortSignal
 * and a timeout; a failure is a RetryableError (network, timeout, 408, 429, 5xx), a FatalError
 * (any other refusal, or an answer that breaks the protocol) or FerryError('aborted') when the
 * caller cancelled. Uses only fetch and AbortSignal, so it runs in the browser and in Node 20.
 */
import { FerryError } from '../core/errors';
import type {
	ApiSchema,
	ChunkResults,
	CreateSourceBody,
	ReceivedView,
	SourcePage,
	SourceView
} from '../core/protocol/import-api';
import { FatalError, RetryableError } from './errors';

export interface ChunkResponse extends ChunkResults {
	/** The server answered from its idempotency record: the chunk had been applied before. */
	replayed: boolean;
}

export interface CallOptions {
	signal?: AbortSignal;
	/** Overrides the client's timeout for this call (covers the whole exchange, body included). */
	timeoutMs?: number;
}

export interface ImportApiClientOptions {
	/** Ends with the protocol's base path, e.g. `https://example.org/api/v1`. */
	baseUrl: string;
	token: string;
	fetch?: typeof fetch;
	/** Default per-call timeout; 30 s. */
	timeoutMs?: number;
	/** For Retry-After HTTP dates; Date.now by default. */
	now?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Retry-After as milliseconds from `now`: delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`, which may lie in the past: 0). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
	if (value == null) return undefined;
	const text = value.trim();
	if (/^\d+$/.test(text)) return Number(text) * 1000;
	if (!/[a-z]/i.test(text)) return undefined;
	const at = Date.parse(text);
	return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The error a non-2xx answer stands for. */
export function classifyResponse(
	status: number,
	body: { code?: unknown; message?: unknown } | null,
	retryAfterMs: number | undefined
): RetryableError | FatalError {
	const code = typeof body?.code === 'string' ? body.code : `http_${status}`;
	const message = typeof body?.message === 'string' ? body.message : `HTTP ${status}`;
	if (status === 408 || status === 429 || status >= 500) {
		return new RetryableError('http', `${status} ${code}: ${message}`, {
			status,
			code,
			retryAfterMs
		});
	}
	return new FatalError(code, `${status} ${code}: ${message}`, status);
}

async function errorBody(
	response: Response
): Promise<{ code?: unknown; message?: unknown } | null> {
	try {
		const body: unknown = JSON.parse(await response.text());
		return typeof body === 'object' && body !== null ? body : null;
	} catch {
		return null;
	}
}

function isChunkResults(value: unknown): value is ChunkResults {
	if (typeof value !== 'object' || value === null) return false;
	const results = (value as { results?: unknown }).results;
	return (
		Array.isArray(results) &&
		results.every(
			(result) =>
				typeof result === 'object' &&
				result !== null &&
				typeof result.row === 'number' &&
				typeof result.status === 'string'
		)
	);
}

/** The Authorization header's value for a destination token. */
export const bearer = (token: string) => `Bearer ${token}`;

export class ImportApiClient {
	readonly #baseUrl: string;
	readonly #authorization: string;
	readonly #fetch: typeof fetch;
	readonly #timeoutMs: number;
	readonly #now: () => number;

	constructor(options: ImportApiClientOptions) {
		this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
		this.#authorization = bearer(options.token);
		// Called through a closure: a detached window.fetch throws "Illegal invocation".
		const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
		this.#fetch = fetchImpl;
		this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		this.#now = options.now ?? Date.now;
	}

	schema(options?: CallOptions): Promise<ApiSchema> {
		return this.#json('GET', '/schema', undefined, options);
	}

	/** Not idempotent: after a lost answer, look for the open source with the same file hash. */
	createSource(body: CreateSourceBody, options?: CallOptions): Promise<SourceView> {
		return this.#json(
			'POST',
			'/sources',
			{ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
			options
		);
	}

	/** Every source, newest first, page after page (a server without paging answers one page). */
	async sources(options?: CallOptions): Promise<SourceView[]> {
		const all: SourceView[] = [];
		let path = '/sources';
		for (;;) {
			const page = await this.#json<Partial<SourcePage>>('GET', path, undefined, options);
			all.push(...(page.sources ?? []));
			if (typeof page.next !== 'string') return all;
			path = `/sources?cursor=${encodeURIComponent(page.next)}`;
		}
	}

	/**
	 * Sends one stored chunk: `body` is the gzip of the JSON text whose SHA-256 is `key`. The same
	 * seq, key and body may be sent any number of times; the server applies it once.
	 */
	putChunk(
		sourceId: string,
		seq: number,
		key: string,
		body: Uint8Array<ArrayBuffer>,
		options?: CallOptions
	): Promise<ChunkResponse> {
		const path = `/sources/${encodeURIComponent(sourceId)}/chunks/${seq}`;
		const init = {
			headers: {
				'content-type': 'application/json',
				'content-encoding': 'gzip',
				'idempotency-key': key
			},
			body
		};
		return this.#call('PUT', path, init, options, async (response) => {
			const parsed: unknown = await response.json();
			if (!isChunkResults(parsed)) {
				throw new FatalError('invalid_response', `Chunk ${seq}: the answer has no results.`, 0);
			}
			return {
				results: parsed.results,
				replayed: response.headers.get('idempotent-replayed') === 'true'
			};
		});
	}

	/** Idempotent: completing again returns the same view. */
	complete(id: string, options?: CallOptions): Promise<SourceView> {
		return this.#json('POST', `/sources/${encodeURIComponent(id)}/complete`, undefined, options);
	}

	get(id: string, options?: CallOptions): Promise<SourceView> {
		return this.#json('GET', `/sources/${encodeURIComponent(id)}`, undefined, options);
	}

	/** DELETE: removes what the source created; idempotent. */
	rollback(id: string, options?: CallOptions): Promise<SourceView> {
		return this.#json('DELETE', `/sources/${encodeURIComponent(id)}`, undefined, options);
	}

	received(id: string, options?: CallOptions): Promise<ReceivedView> {
		return this.#json('GET', `/sources/${encodeURIComponent(id)}/received`, undefined, options);
	}

	#json<T>(
		method: string,
		path: string,
		init: { headers?: Record<string, string>; body?: BodyInit } | undefined,
		options: CallOptions | undefined
	): Promise<T> {
		return this.#call(
			method,
			path,
			init ?? {},
			options,
			(response) => response.json() as Promise<T>
		);
	}

	/** One exchange; the timeout also covers reading the answer, so a stalled body is caught too. */
	async #call<T>(
		method: string,
		path: string,
		init: { headers?: Record<string, string>; body?: BodyInit },
		options: CallOptions | undefined,
		read: (response: Response) => Promise<T>
	): Promise<T> {
		const callerSignal = options?.signal;
		if (callerSignal?.aborted) throw cancelled();
		const timeoutMs = options?.timeoutMs ?? this.#timeoutMs;
		const timeout = AbortSignal.timeout(timeoutMs);
		const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
		const what = `${method} ${path}`;
		try {
			const response = await this.#fetch(this.#baseUrl + path, {
				method,
				headers: {
					accept: 'application/json',
					authorization: this.#authorization,
					...init.headers
				},
				body: init.body,
				signal
			});
			if (!response.ok) {
				const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.#now());
				throw classifyResponse(response.status, await errorBody(response), retryAfter);
			}
			return await read(response);
		} catch (error) {
			if (callerSignal?.aborted) throw cancelled();
			if (error instanceof RetryableError || error instanceof FatalError) throw error;
			if (timeout.aborted) {
				throw new RetryableError('timeout', `${what}: no complete answer within ${timeoutMs} ms.`, {
					cause: error
				});
			}
			if (error instanceof SyntaxError) {
				throw new FatalError('invalid_response', `${what}: the answer is not JSON.`, 0);
			}
			throw new RetryableError('network', `${what}: ${describe(error)}`, { cause: error });
		}
	}
}

function cancelled(): FerryError {
	return new FerryError('aborted', 'The upload was cancelled.');
}

function describe(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
	return error.message + cause;
}
