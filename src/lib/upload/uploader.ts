/**
 * Drains one source's outbox into the import API: every stored chunk is sent (with its stored key
 * and body, retried as retry.ts says) until the server has answered it, then the source is
 * completed. A new Uploader over the same outbox — after a reload or a closed tab — sends only
 * what was not acknowledged; the server's idempotency records make a chunk that was applied but
 * not acknowledged come back as a replay, never as a second application.
 */
import { FerryError } from '../core/errors';
import { APPLIED_STATUSES, type SourceView } from '../core/protocol/import-api';
import type { ChunkToSend } from './chunks';
import type { CallOptions, ChunkResponse } from './client';
import { FatalError } from './errors';
import {
	OutboxError,
	type NewOutboxChunk,
	type OutboxChunk,
	type OutboxStore,
	type UploadRowResult,
	type UploadRowStatus
} from './outbox';
import {
	DEFAULT_RETRY_POLICY,
	alwaysOnline,
	realClock,
	withRetry,
	type Clock,
	type Connectivity,
	type RetryPolicy
} from './retry';

/** The part of ImportApiClient the uploader needs. */
export interface ChunkSender {
	putChunk(
		sourceId: string,
		seq: number,
		key: string,
		body: Uint8Array<ArrayBuffer>,
		options?: CallOptions
	): Promise<ChunkResponse>;
	complete(id: string, options?: CallOptions): Promise<SourceView>;
}

export type ConnectionState = 'online' | 'offline' | 'retrying' | 'paused';

export interface UploadProgress {
	totalChunks: number;
	totalRows: number;
	ackedChunks: number;
	/** Rows of the chunks the server has answered (this run and earlier ones). */
	sentRows: number;
	/** Rows applied: imported or updated. */
	acceptedRows: number;
	/** Rows answered with any other status (not applied). */
	rejectedRows: number;
	counts: Record<UploadRowStatus, number>;
	/** Rows answered per second during this run. */
	rowsPerSecond: number;
	/** Time left at the current rate; null before the first answer. */
	etaMs: number | null;
	connection: ConnectionState;
	/** Attempts repeated after a retryable failure, this run. */
	retries: number;
	/** Chunks the server answered from its idempotency record (sent before, answer lost). */
	replays: number;
	inFlight: number;
}

export interface UploaderOptions {
	client: ChunkSender;
	outbox: OutboxStore;
	sourceId: string;
	/**
	 * The source's chunks, to store in the outbox before anything is sent. Leave out when resuming:
	 * a sealed outbox is never rebuilt (given chunks are then ignored).
	 */
	chunks?: AsyncIterable<ChunkToSend> | Iterable<ChunkToSend>;
	/**
	 * Chunks in flight, 1 or 2 (default 2): a second request hides one round trip behind the
	 * server's work on the first; more would only queue behind the server's single database
	 * writer, draw 429s, and leave more chunks to replay after a reload.
	 */
	concurrency?: 1 | 2;
	/** Per request (a stalled one is abandoned and retried); default 60 s. */
	requestTimeoutMs?: number;
	retry?: Partial<RetryPolicy>;
	clock?: Clock;
	random?: () => number;
	connectivity?: Connectivity;
	onProgress?: (progress: UploadProgress) => void;
}

export interface UploadResult {
	/** The server's view after completion. */
	source: SourceView;
	progress: UploadProgress;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/**
 * Chunks are stored in batches before the first send: each write commits to disk (strict
 * durability), so one write a chunk kept a 20,000-row file at 100 rows a chunk "preparing" for
 * 1.1 s of its 2.8 s. A batch holds at most 8 MiB of bodies, and at most two are held at once.
 */
const STAGE_BATCH = { chunks: 32, bytes: 8 << 20 };

function emptyCounts(): Record<UploadRowStatus, number> {
	return {
		imported: 0,
		updated: 0,
		already_connected: 0,
		not_found: 0,
		name_mismatch: 0,
		already_exists: 0,
		invalid_row: 0,
		unknown: 0
	};
}

function cancelled(): FerryError {
	return new FerryError('aborted', 'The upload was cancelled.');
}

/** The answer must carry one result per row sent, in order. */
function checkResults(chunk: OutboxChunk, response: ChunkResponse): UploadRowResult[] {
	const { results } = response;
	const matches =
		results.length === chunk.rows.length &&
		results.every((result, index) => result.row === chunk.rows[index]);
	if (!matches) {
		throw new FatalError(
			'invalid_response',
			`Chunk ${chunk.seq}: the server answered for other rows than were sent.`,
			0
		);
	}
	return results;
}

export class Uploader {
	readonly #options: UploaderOptions;
	readonly #policy: RetryPolicy;
	readonly #clock: Clock;
	readonly #connectivity: Connectivity;
	readonly #controller = new AbortController();
	#running = false;

	#paused = false;
	#resumeWaiters: (() => void)[] = [];
	#offlineWaits = 0;
	#failing = false;

	#totalChunks = 0;
	#totalRows = 0;
	#ackedChunks = 0;
	#sentRows = 0;
	#counts = emptyCounts();
	#retries = 0;
	#replays = 0;
	#inFlight = 0;
	#startedAt = 0;
	#rowsThisRun = 0;

	constructor(options: UploaderOptions) {
		this.#options = options;
		this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
		this.#clock = options.clock ?? realClock;
		const connectivity = options.connectivity ?? alwaysOnline;
		// Counted so the progress can say 'offline' while a send waits for the connection.
		this.#connectivity = {
			online: () => connectivity.online(),
			waitOnline: async (signal) => {
				this.#offlineWaits++;
				this.#emit();
				try {
					await connectivity.waitOnline(signal);
				} finally {
					this.#offlineWaits--;
					this.#emit();
				}
			}
		};
	}

	get progress(): UploadProgress {
		const accepted = APPLIED_STATUSES.reduce((sum, status) => sum + this.#counts[status], 0);
		const elapsedSeconds = (this.#clock.now() - this.#startedAt) / 1000;
		const rowsPerSecond = elapsedSeconds > 0 ? this.#rowsThisRun / elapsedSeconds : 0;
		const remaining = this.#totalRows - this.#sentRows;
		return {
			totalChunks: this.#totalChunks,
			totalRows: this.#totalRows,
			ackedChunks: this.#ackedChunks,
			sentRows: this.#sentRows,
			acceptedRows: accepted,
			rejectedRows: this.#sentRows - accepted,
			counts: { ...this.#counts },
			rowsPerSecond,
			etaMs: remaining === 0 ? 0 : rowsPerSecond > 0 ? (remaining / rowsPerSecond) * 1000 : null,
			connection: this.#paused
				? 'paused'
				: this.#offlineWaits > 0
					? 'offline'
					: this.#failing
						? 'retrying'
						: 'online',
			retries: this.#retries,
			replays: this.#replays,
			inFlight: this.#inFlight
		};
	}

	/** No new request starts until resume(); requests already in flight finish. */
	pause(): void {
		if (this.#paused) return;
		this.#paused = true;
		this.#emit();
	}

	resume(): void {
		if (!this.#paused) return;
		this.#paused = false;
		for (const wake of this.#resumeWaiters.splice(0)) wake();
		this.#emit();
	}

	/** Aborts requests in flight and makes run() reject with FerryError('aborted'). The outbox keeps
	 * everything: a new Uploader resumes. */
	cancel(): void {
		this.#controller.abort();
	}

	/** Stores the chunks (if given), sends every unacknowledged one, then completes the source. */
	async run(signal?: AbortSignal): Promise<UploadResult> {
		if (this.#running) throw new Error('This Uploader is already running.');
		this.#running = true;
		const runSignal = signal
			? AbortSignal.any([signal, this.#controller.signal])
			: this.#controller.signal;
		const { outbox, sourceId } = this.#options;
		try {
			await this.#stage(runSignal);
			if (!(await outbox.isSealed(sourceId))) {
				throw new OutboxError(
					`The outbox of source ${sourceId} is not complete: pass its chunks to the Uploader.`
				);
			}
			await this.#loadTotals();
			this.#startedAt = this.#clock.now();
			this.#emit();
			await this.#drain(await outbox.pending(sourceId), runSignal);
			const source = await withRetry(
				(attemptSignal) =>
					this.#options.client.complete(sourceId, {
						signal: attemptSignal,
						timeoutMs: this.#options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
					}),
				this.#retryOptions(runSignal)
			);
			return { source, progress: this.progress };
		} catch (error) {
			throw runSignal.aborted ? cancelled() : error;
		} finally {
			this.#running = false;
		}
	}

	async #stage(signal: AbortSignal): Promise<void> {
		const { outbox, sourceId, chunks } = this.#options;
		if (!chunks || (await outbox.isSealed(sourceId))) return;
		let count = 0;
		let batch: NewOutboxChunk[] = [];
		let batchBytes = 0;
		// One batch is written while the next is built; a failed write surfaces at the next await.
		let writing: Promise<void> = Promise.resolve();
		const write = async () => {
			const written = batch;
			batch = [];
			batchBytes = 0;
			await writing;
			writing = outbox.add(sourceId, written);
			writing.catch(() => undefined);
		};
		for await (const { seq, rows, key, body } of chunks) {
			if (signal.aborted) throw cancelled();
			if (seq !== count) throw new OutboxError(`Chunk ${seq} came where ${count} was expected.`);
			batch.push({ seq, rows, key, body });
			batchBytes += body.byteLength;
			count++;
			if (batch.length >= STAGE_BATCH.chunks || batchBytes >= STAGE_BATCH.bytes) await write();
		}
		if (batch.length > 0) await write();
		await writing;
		await outbox.seal(sourceId, count);
	}

	async #loadTotals(): Promise<void> {
		const { outbox, sourceId } = this.#options;
		const [acked, pending] = await Promise.all([outbox.acked(sourceId), outbox.pending(sourceId)]);
		this.#totalChunks = acked.length + pending.length;
		this.#totalRows = [...acked, ...pending].reduce((sum, chunk) => sum + chunk.rows.length, 0);
		this.#ackedChunks = acked.length;
		this.#counts = emptyCounts();
		this.#sentRows = 0;
		for (const chunk of acked) this.#count(chunk.results);
	}

	/** Workers share one queue; the first failure that is not retryable stops them all. */
	async #drain(queue: OutboxChunk[], signal: AbortSignal): Promise<void> {
		const stop = new AbortController();
		const workerSignal = AbortSignal.any([signal, stop.signal]);
		let failure: unknown = null;
		const worker = async () => {
			for (let chunk = queue.shift(); chunk; chunk = queue.shift()) {
				try {
					await this.#send(chunk, workerSignal);
				} catch (error) {
					failure ??= error;
					stop.abort();
					return;
				}
			}
		};
		const count = Math.min(this.#options.concurrency ?? 2, queue.length);
		await Promise.all(Array.from({ length: count }, worker));
		if (failure !== null) throw failure;
	}

	async #send(chunk: OutboxChunk, signal: AbortSignal): Promise<void> {
		const { client, outbox, sourceId } = this.#options;
		let results: UploadRowResult[];
		try {
			const response = await withRetry(async (attemptSignal) => {
				await outbox.markSent(sourceId, chunk.seq);
				this.#inFlight++;
				this.#emit();
				try {
					return await client.putChunk(sourceId, chunk.seq, chunk.key, chunk.body, {
						signal: attemptSignal,
						timeoutMs: this.#options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
					});
				} finally {
					this.#inFlight--;
				}
			}, this.#retryOptions(signal));
			results = checkResults(chunk, response);
			if (response.replayed) this.#replays++;
		} catch (error) {
			// Applied so long ago that the server dropped its answer: done, outcome per row unknown.
			if (!(error instanceof FatalError) || error.code !== 'idempotency_record_expired')
				throw error;
			results = chunk.rows.map((row) => ({
				row,
				status: 'unknown',
				reason: 'applied earlier; the server no longer has its answer'
			}));
		}
		await outbox.ack(sourceId, chunk.seq, results);
		this.#failing = false;
		this.#ackedChunks++;
		this.#rowsThisRun += results.length;
		this.#count(results);
		this.#emit();
	}

	#retryOptions(signal: AbortSignal) {
		return {
			policy: this.#policy,
			clock: this.#clock,
			random: this.#options.random,
			connectivity: this.#connectivity,
			signal,
			beforeAttempt: (attemptSignal?: AbortSignal) => this.#whileResumed(attemptSignal),
			onRetry: () => {
				this.#retries++;
				this.#failing = true;
				this.#emit();
			}
		};
	}

	#whileResumed(signal?: AbortSignal): Promise<void> {
		if (!this.#paused) return Promise.resolve();
		return new Promise((resolve, reject) => {
			const abort = () => reject(cancelled());
			if (signal?.aborted) return abort();
			signal?.addEventListener('abort', abort, { once: true });
			this.#resumeWaiters.push(() => {
				signal?.removeEventListener('abort', abort);
				resolve();
			});
		});
	}

	#count(results: UploadRowResult[]): void {
		for (const { status } of results) this.#counts[status] = (this.#counts[status] ?? 0) + 1;
		this.#sentRows += results.length;
	}

	#emit(): void {
		this.#options.onProgress?.(this.progress);
	}
}
