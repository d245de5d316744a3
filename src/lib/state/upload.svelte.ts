import { liveQuery, type Subscription } from 'dexie';
import { profileFromApiSchema } from '../core/profiles/catalogue';
import { unmetRequiredFields } from '../core/profiles/rules';
import { isFerryError } from '../core/errors';
import { getDatabase } from '../storage/db';
import { refusedRows, startFollowUp } from '../storage/follow-ups';
import {
	DexieOutbox,
	cancelUpload,
	finishUpload,
	followUpSnapshots,
	markRolledBack,
	setPartRemoteId,
	setRemoteId,
	startUpload,
	uploadSnapshot,
	type UploadSnapshot
} from '../storage/outbox-store';
import type { DestinationProfile } from '../core/profiles/types';
import type { ApiSchema, RollbackSummary } from '../core/protocol/import-api';
import type { FollowUpKind, SourceRecord, SourceStatus, UploadPart } from '../storage/schema';
import { getSource } from '../storage/sources';
import type { ChunkLimits, ChunkToSend } from '../upload/chunks';
import type { ImportApiClient } from '../upload/client';
import { RowsChangedError } from '../upload/errors';
import { sourceOutcome, uploadStatusText, type RunOutcome } from '../upload/outcome';
import { RateSampler } from '../upload/rate';
import { partOfRow, partSizes } from '../upload/parts';
import { openRemoteSource } from '../upload/remote-source';
import { browserConnectivity, realClock } from '../upload/retry';
import { ALL_ROWS, selectedCount, type RowSelection } from '../upload/selection';
import { effectiveLimits } from '../upload/settings';
import { TabChannel, withTabLease, type TabMessage } from '../upload/tab-lease';
import {
	Uploader,
	type ChunkSender,
	type ConnectionState,
	type UploadProgress
} from '../upload/uploader';
import { parseClient } from '../workers/parse-client';
import { importer, sameProfile } from './importer.svelte';
import { notifier, uploadMessage } from './notify.svelte';
import { describe, settings } from './settings.svelte';
import type { ImportMode, ImportLimits } from '../core/protocol/import-api';

/** The source's own upload and its follow-up runs (dry run, sample, retries), as stored. */
interface Runs {
	main: UploadSnapshot | null;
	followUps: UploadSnapshot[];
}

async function readRuns(id: string): Promise<Runs> {
	const [main, followUps] = await Promise.all([uploadSnapshot(id), followUpSnapshots(id)]);
	return { main, followUps };
}

/**
 * What the rows a retry would send depend on: each run's status and answers so far; null while a
 * run is under way (nothing to retry then).
 */
function answersKey({ main, followUps }: Runs): string | null {
	const runs = [main, ...followUps];
	if (runs.some((run) => run?.source.status === 'uploading')) return null;
	return runs
		.map((run) => (run ? `${run.source.id}:${run.source.status}:${run.answeredRows}` : ''))
		.join('|');
}

/** A follow-up's name at the destination and on this device: "users.csv — first 100". */
function followUpName(name: string, kind: FollowUpKind, detail: string): string {
	return `${name} — ${kind === 'dry_run' ? 'dry run' : detail}`;
}

/** What this tab does for the open source's upload. */
export type UploadRole =
	/** Nothing (no upload, finished, failed, or another tab is not known to run it). */
	| 'none'
	/** Creating the source at the destination, building and storing the chunks. */
	| 'preparing'
	/** This tab holds the source's Web Lock and sends. */
	| 'running'
	/** Another tab holds the lock and sends; this tab shows the progress and waits to take over. */
	| 'waiting';

function isAbort(error: unknown): boolean {
	return (
		(isFerryError(error) && error.code === 'aborted') ||
		(error instanceof DOMException && error.name === 'AbortError')
	);
}

/** What "Roll back" undoes: a finished or cancelled upload the destination knows; else null. */
function rollbackTarget(source: SourceRecord): { url: string; remoteIds: string[] } | null {
	const destination = source.destination;
	if (!destination?.remoteId) return null;
	if (source.status !== 'imported' && source.status !== 'cancelled') return null;
	return { url: destination.url, remoteIds: remoteIdsOf(source) };
}

/** Whether the source's upload can be rolled back at the destination. */
export function canRollBack(source: SourceRecord): boolean {
	return rollbackTarget(source) !== null;
}

async function rollBackAtDestination(source: SourceRecord): Promise<void> {
	const target = rollbackTarget(source);
	if (!target) throw new Error('This source has nothing to roll back at the destination.');
	const client = await settings.client(target.url);
	const removed: RollbackSummary[] = [];
	for (const remoteId of target.remoteIds) {
		const view = await client.rollback(remoteId, { timeoutMs: 60_000 });
		if (view.rollback) removed.push(view.rollback);
	}
	await markRolledBack(source.id, sumRollbacks(removed));
}

/* ── Imports over the destination's rows-per-import limit ─────────────────────────────────────
 * A file with more valid rows than the destination takes in one import is sent as N imports: N
 * destination sources, each created once (its id stored before any chunk), fed the chunks whose
 * first row falls in it, and completed. The outbox stays one sequence of chunks, so pausing,
 * resuming, another tab taking over and cancelling work as for one import.
 */

/** Rows one import may have: the chosen profile's limit, never more than the API takes per source. */
export function rowsPerImport(
	profile: DestinationProfile,
	schema: ApiSchema | null
): number | null {
	const limits = [profile.limits.rowsPerImport, schema?.limits.rowsPerSource ?? null].filter(
		(limit): limit is number => limit !== null
	);
	return limits.length > 0 ? Math.min(...limits) : null;
}

/** The imports `valid` rows are sent as, or undefined when one import takes them all. */
async function planParts(
	valid: number,
	perImport: number | null
): Promise<UploadPart[] | undefined> {
	const sizes = partSizes(valid, perImport);
	if (sizes.length === 1) return undefined;
	const starts = await parseClient.partStarts(perImport!);
	if (starts.length !== sizes.length) throw new RowsChangedError();
	return sizes.map((rows, i) => ({ firstRow: starts[i], rows, remoteId: null }));
}

/** Every destination source the upload created (one per import). */
function remoteIdsOf(source: SourceRecord): string[] {
	const parts = source.upload?.parts;
	if (!parts) return source.destination?.remoteId ? [source.destination.remoteId] : [];
	return parts.flatMap((part) => (part.remoteId ? [part.remoteId] : []));
}

function sumRollbacks(removed: RollbackSummary[]): RollbackSummary | null {
	if (removed.length === 0) return null;
	return removed.reduce((sum, one) => ({
		removedAccounts: sum.removedAccounts + one.removedAccounts,
		removedLinks: sum.removedLinks + one.removedLinks,
		keptUpdates: sum.keptUpdates + one.keptUpdates
	}));
}

/**
 * Creates the destination source of every import that has none yet (a resumed upload keeps the
 * ids it stored), then sends each chunk to its import's source and completes them all.
 */
async function partsSender(
	id: string,
	parts: UploadPart[],
	client: ImportApiClient,
	create: (part: UploadPart, index: number) => Promise<string>
): Promise<ChunkSender> {
	const remoteIds: string[] = [];
	for (const [index, part] of parts.entries()) {
		const remoteId = part.remoteId ?? (await create(part, index));
		if (!part.remoteId) await setPartRemoteId(id, index, remoteId);
		remoteIds.push(remoteId);
	}
	const starts = parts.map((part) => part.firstRow);
	const remoteOf = async (seq: number) => {
		const chunk = await getDatabase().outbox.get([id, seq]);
		if (!chunk) throw new RowsChangedError();
		return remoteIds[partOfRow(starts, chunk.rows[0])];
	};
	return {
		putChunk: async (_id, seq, key, body, options) =>
			client.putChunk(await remoteOf(seq), seq, key, body, options),
		complete: async (_id, options) => {
			let last = null;
			for (const remoteId of remoteIds) last = await client.complete(remoteId, options);
			return last!;
		}
	};
}

/** The upload panel's state: the open source's upload, whichever tab sends it. */
class UploadState {
	/** The source the import page shows. */
	sourceId = $state<string | null>(null);
	/** The upload as stored (every tab sees the same), or null when the source has none. */
	snapshot = $state.raw<UploadSnapshot | null>(null);
	/** The Uploader's own progress, in the tab that sends. */
	progress = $state.raw<UploadProgress | null>(null);
	role = $state<UploadRole>('none');
	/** The sending tab's connection state, as it announced it (for the other tabs). */
	remoteConnection = $state<ConnectionState | null>(null);
	/** Why the upload stopped or could not start; the admin can retry or cancel. */
	error = $state<string | null>(null);
	rollingBack = $state(false);
	/** Rows per second seen from the stored progress, for tabs that do not send. */
	observedRate = $state(0);
	/** The source's follow-up runs (dry run, sample, retries), oldest first. */
	followUps = $state.raw<UploadSnapshot[]>([]);
	/** Rows a retry would send again (refused by their latest answer); 0 while a run is under way. */
	refused = $state(0);
	/** The answersKey `refused` was (or is being) counted for; undefined: not yet. */
	#refusedKey: string | null | undefined = undefined;

	/** The follow-up run under way, if any: the panel shows its progress. */
	activeFollowUp: UploadSnapshot | null = $derived(
		this.followUps.find((run) => run.source.status === 'uploading') ?? null
	);
	/** A sample sent first and not rolled back: the source's own upload sends the rest. */
	sample: UploadSnapshot | null = $derived(
		this.followUps.findLast(
			(run) =>
				run.source.followUp?.kind === 'sample' &&
				(run.source.status === 'imported' || run.source.status === 'uploading')
		) ?? null
	);

	status: SourceStatus | null = $derived(this.snapshot?.source.status ?? null);
	/** What the stored run did: counts per status, the badge's colour, the no-accounts hint. */
	outcome: RunOutcome | null = $derived(this.snapshot ? sourceOutcome(this.snapshot.source) : null);
	/** The badge's text: "Complete: 0 imported, 296 not found". */
	statusText: string | null = $derived(
		this.status && this.outcome ? uploadStatusText(this.status, this.outcome) : null
	);

	#subscription: Subscription | null = null;
	/** Aborts this tab's part (lock requests, the run) when the page turns to another source. */
	#leave: AbortController | null = null;
	#uploader: Uploader | null = null;
	/** The run (the source or a follow-up) this tab's uploader sends. */
	#uploaderRun: string | null = null;
	#driving = false;
	#channel: TabChannel | null = null;
	#rate = new RateSampler();

	/**
	 * Follows the import page's source (meant for an $effect): its stored upload via a live query,
	 * and, when it is uploading, takes part: sends if no other tab does, else waits to take over.
	 */
	follow(id: string | null): void {
		if (id === this.sourceId) return;
		this.#leave?.abort();
		this.#subscription?.unsubscribe();
		this.#subscription = null;
		this.sourceId = id;
		this.snapshot = null;
		this.followUps = [];
		this.refused = 0;
		this.#refusedKey = undefined;
		this.progress = null;
		this.error = null;
		this.remoteConnection = null;
		this.#rate.reset();
		this.observedRate = 0;
		if (!id) return;
		this.#leave = new AbortController();
		this.#listen();
		this.#subscription = liveQuery(() => readRuns(id)).subscribe({
			next: (runs) => this.#observe(id, runs),
			error: (error: unknown) => {
				this.error = `The upload state could not be read: ${describe(error)}`;
			}
		});
	}

	/**
	 * "Upload N valid rows": checks the destination, records the upload, then sends. After a sample
	 * it sends the rest: every valid row but the sample's.
	 */
	async start(): Promise<void> {
		const id = this.#readyToStart();
		if (!id) return;
		const selection = this.#uploadSelection();
		await this.#begin(id, selection, async (rows, limits) => {
			const { url, mode, upsert } = settings.value;
			const started = await startUpload(id, {
				destination: { url, mode, upsert },
				rows,
				...limits,
				...(selection.kind === 'all' ? {} : { selection })
			});
			return started ? id : null;
		});
	}

	/**
	 * "Dry run": the rows the upload would send (every valid row, or the rest after a sample) to a
	 * dry-run source; its answers say what would happen.
	 */
	async dryRun(): Promise<void> {
		await this.#startFollowUp('dry_run', this.#uploadSelection(), '', settings.value.mode);
	}

	/** The rows the source's own upload sends: all valid rows, or those after a sample. */
	#uploadSelection(): RowSelection {
		const sampled = this.sample?.source.upload?.selection;
		return sampled?.kind === 'first' ? { kind: 'after', count: sampled.count } : ALL_ROWS;
	}

	/** "Try the first N rows": a sample sent as its own source; the source's upload sends the rest. */
	async tryFirst(count: number): Promise<void> {
		const rows = Math.max(1, Math.floor(count));
		await this.#startFollowUp(
			'sample',
			{ kind: 'first', count: rows },
			`first ${rows}`,
			settings.value.mode
		);
	}

	/**
	 * "Send the refused rows again": only the rows whose latest answer was a refusal, as a new
	 * source at the destination (new chunks, new keys), in `mode` (create is the usual fix for
	 * not_found).
	 */
	async retryRefused(mode: ImportMode): Promise<void> {
		const id = this.sourceId;
		if (!id) return;
		const rows = await refusedRows(id);
		if (rows.length === 0) return;
		const retries = this.followUps.filter((run) => run.source.followUp?.kind === 'retry').length;
		await this.#startFollowUp('retry', { kind: 'rows', rows }, `retry ${retries + 1}`, mode);
	}

	/** The source's id when a run may start now (a file validated, nothing under way), else null. */
	#readyToStart(): string | null {
		const id = importer.sourceId;
		if (!id || id !== this.sourceId || !importer.summary || importer.phase !== 'done') return null;
		if (this.role !== 'none' || this.status === 'uploading' || this.activeFollowUp) return null;
		return id;
	}

	async #startFollowUp(
		kind: FollowUpKind,
		selection: RowSelection,
		detail: string,
		mode: ImportMode
	): Promise<void> {
		const id = this.#readyToStart();
		if (!id) return;
		const name = followUpName(
			this.snapshot?.source.name ?? importer.file?.name ?? 'import',
			kind,
			detail
		);
		await this.#begin(id, selection, (rows, limits) => {
			const { url } = settings.value;
			// Upsert belongs to create mode; a retry switched to create starts without it.
			const upsert = mode === 'create' && settings.value.mode === 'create' && settings.value.upsert;
			return startFollowUp(id, {
				kind,
				name,
				destination: { url, mode, upsert },
				selection,
				rows,
				...limits
			});
		});
	}

	/**
	 * Checks the destination (required fields mapped, the run within its limits), records the run
	 * with `record`, then sends it. `record` answers the id of the run to drive, or null when the
	 * source is gone.
	 */
	async #begin(
		id: string,
		selection: RowSelection,
		record: (
			rows: number,
			limits: Pick<ImportLimits, 'rowsPerChunk' | 'bytesPerChunk'> & { parts?: UploadPart[] }
		) => Promise<string | null>
	): Promise<void> {
		await settings.ready;
		const problem = settings.problem;
		if (problem) {
			this.error = problem;
			return;
		}
		this.error = null;
		this.role = 'preparing';
		let runId: string | null;
		try {
			const client = await settings.client();
			const schema = await client.schema({ timeoutMs: 15_000 });
			const profile = importer.profile;
			settings.rememberSchema(schema);
			if (!sameProfile(settings.profile, profile))
				throw new Error(
					'The destination announced a different profile: the file is being checked against it again. Upload once that is done.'
				);
			const missing = unmetRequiredFields(profileFromApiSchema(schema), new Set(importer.mapping));
			if (missing.length > 0)
				throw new Error(
					`The destination requires ${missing.join(', ')}, which no column is mapped to.`
				);
			const rows = selectedCount(selection, importer.summary?.valid ?? 0);
			// Every valid row goes as many imports as the destination needs; a part of them in one.
			const parts =
				selection.kind === 'all'
					? await planParts(rows, rowsPerImport(profile, schema))
					: undefined;
			if (!parts && rows > schema.limits.rowsPerSource)
				throw new Error(
					`The destination accepts at most ${schema.limits.rowsPerSource} rows per source; this run has ${rows} valid rows.`
				);
			runId = await record(rows, {
				...effectiveLimits(settings.value, schema.limits),
				...(parts ? { parts } : {})
			});
			if (!runId) throw new Error('This import is no longer on this device.');
		} catch (error) {
			this.error = describe(error);
			this.role = 'none';
			return;
		}
		this.role = 'none';
		await this.#drive(runId);
	}

	/** After a failure: try again from the outbox (nothing acknowledged is sent again). */
	retry(): void {
		const runId = this.#runningId();
		if (!runId) return;
		this.error = null;
		void this.#drive(runId);
	}

	/** The run under way: the source's own upload, else a follow-up's; null when none is. */
	#runningId(): string | null {
		if (this.status === 'uploading') return this.sourceId;
		return this.activeFollowUp?.source.id ?? null;
	}

	pause(): void {
		if (this.#uploader) this.#uploader.pause();
		else this.#post('pause');
	}

	resume(): void {
		if (this.#uploader) this.#uploader.resume();
		else this.#post('resume');
	}

	/**
	 * Stops the upload for good: requests in flight are aborted and unsent chunks dropped. Rows
	 * already applied stay in the destination until "Roll back".
	 */
	async cancel(): Promise<void> {
		if (!this.#runningId()) return;
		if (this.role === 'waiting') {
			// Another tab sends: it stops its uploader and records the cancel.
			this.#post('cancel');
			return;
		}
		await this.#cancelHere();
	}

	/** DELETE at the destination: removes what this source created; the source is marked. */
	async rollback(): Promise<void> {
		const snapshot = this.snapshot;
		if (!snapshot || !canRollBack(snapshot.source) || this.rollingBack) return;
		this.rollingBack = true;
		this.error = null;
		try {
			await rollBackAtDestination(snapshot.source);
		} catch (error) {
			this.error = `Rollback failed: ${describe(error)}`;
		} finally {
			this.rollingBack = false;
		}
	}

	/**
	 * The same rollback for any stored source (the sources page, before deleting it): null when
	 * done, else why it failed.
	 */
	async rollbackSource(id: string): Promise<string | null> {
		try {
			const source = await getSource(id);
			if (!source) return 'This source is no longer on this device.';
			await rollBackAtDestination(source);
			return null;
		} catch (error) {
			return `Rollback failed: ${describe(error)}`;
		}
	}

	/**
	 * Counts the rows a retry would send, outside the live query: their answers are many (one per
	 * row), and read inside it they were copied whole on every change, a task of 140–200 ms as a
	 * 100,000-row upload completed.
	 */
	async #countRefused(id: string, key: string | null): Promise<void> {
		try {
			const refused = key === null ? 0 : (await refusedRows(id)).length;
			if (id === this.sourceId && key === this.#refusedKey) this.refused = refused;
		} catch (error) {
			if (id === this.sourceId)
				this.error = `The upload state could not be read: ${describe(error)}`;
		}
	}

	#observe(id: string, runs: Runs): void {
		if (id !== this.sourceId) return;
		this.snapshot = runs.main;
		this.followUps = runs.followUps;
		const key = answersKey(runs);
		if (key !== this.#refusedKey) {
			this.#refusedKey = key;
			void this.#countRefused(id, key);
		}
		const runId = this.#runningId();
		const running = [runs.main, ...runs.followUps].find((run) => run?.source.id === runId);
		if (running && this.role === 'waiting') {
			const rate = this.#rate.sample(running.answeredRows);
			if (rate !== null) this.observedRate = rate;
		}
		if (this.#uploader && this.#uploaderRun !== runId) {
			// Cancelled elsewhere, or the source deleted (sources page): this tab's uploader stops.
			const driven = [runs.main, ...runs.followUps].find(
				(run) => run?.source.id === this.#uploaderRun
			);
			if (!driven || driven.source.status === 'cancelled') this.#uploader.cancel();
		}
		// A reload or reopening at step 'upload' resumes by itself.
		if (runId && !this.#driving && this.role === 'none' && this.error === null)
			void this.#drive(runId);
	}

	/**
	 * Sends when this tab gets the source's lock at once; otherwise waits in line for it (granted
	 * when the sending tab finishes or closes), showing the stored progress meanwhile.
	 */
	async #drive(id: string): Promise<void> {
		if (this.#driving) return;
		this.#driving = true;
		const leave = this.#leave!;
		try {
			await withTabLease(id, leave.signal, {
				onWaiting: () => {
					this.role = 'waiting';
					this.#rate.reset();
				},
				run: async () => {
					this.role = 'none';
					this.remoteConnection = null;
					await this.#run(id, leave.signal);
				}
			});
		} catch (error) {
			if (!leave.signal.aborted && !isAbort(error)) this.error = describe(error);
		} finally {
			this.#driving = false;
			if (this.#leave === leave) this.role = 'none';
		}
	}

	/**
	 * Holding the lock: sends every unacknowledged chunk of the run (the source, or one of its
	 * follow-ups), then completes it.
	 */
	async #run(id: string, signal: AbortSignal): Promise<void> {
		const snapshot = await uploadSnapshot(id);
		if (!snapshot || snapshot.source.status !== 'uploading' || signal.aborted) return;
		// A follow-up's rows come from its source's file.
		const fileId = snapshot.source.followUp?.parentId ?? id;
		const started = performance.now();
		const destination = snapshot.source.destination;
		if (!destination) throw new Error('This upload has no destination.');
		this.error = null;
		this.progress = null;
		this.role = 'preparing';
		const client = await settings.client(destination.url);
		const connectivity = browserConnectivity();
		const outbox = new DexieOutbox();
		const parts = snapshot.upload.parts;
		const chunks = (await outbox.isSealed(id))
			? undefined
			: this.#chunks(
					fileId,
					signal,
					{
						rowsPerChunk: snapshot.upload.rowsPerChunk,
						bytesPerChunk: snapshot.upload.bytesPerChunk
					},
					parts ? parts[0].rows : null,
					snapshot.upload.selection ?? ALL_ROWS
				);
		// The outbox is keyed by this device's source id; the destination knows its own id(s).
		let sender: ChunkSender;
		if (parts) {
			sender = await partsSender(id, parts, client, (part, index) =>
				this.#createRemote(id, fileId, snapshot, client, signal, {
					name: `${snapshot.source.name} (import ${index + 1} of ${parts.length})`,
					rows: part.rows
				})
			);
		} else {
			let remoteId = destination.remoteId;
			if (!remoteId) {
				remoteId = await this.#createRemote(id, fileId, snapshot, client, signal);
				await setRemoteId(id, remoteId);
			}
			const target = remoteId;
			sender = {
				putChunk: (_id, seq, key, body, options) =>
					client.putChunk(target, seq, key, body, options),
				complete: (_id, options) => client.complete(target, options)
			};
		}
		let announced: ConnectionState | null = null;
		const uploader = new Uploader({
			client: sender,
			outbox,
			sourceId: id,
			chunks,
			connectivity,
			onProgress: (progress) => {
				if (this.sourceId !== fileId) return;
				this.progress = progress;
				if (progress.connection !== announced) {
					announced = progress.connection;
					this.#channel?.post({ id: fileId, type: 'connection', connection: announced });
				}
			}
		});
		const stop = () => uploader.cancel();
		signal.addEventListener('abort', stop, { once: true });
		this.#uploader = uploader;
		this.#uploaderRun = id;
		this.role = 'running';
		try {
			await uploader.run();
			await finishUpload(id);
			const done = await getSource(id);
			if (done) {
				const { counts } = sourceOutcome(done);
				notifier.jobEnded(performance.now() - started, uploadMessage(counts));
			}
		} catch (error) {
			if (isAbort(error)) return;
			throw error;
		} finally {
			signal.removeEventListener('abort', stop);
			if (this.#uploader === uploader) {
				this.#uploader = null;
				this.#uploaderRun = null;
			}
		}
	}

	/**
	 * Creates a source of the run at the destination (or reuses the one a lost answer left): its
	 * id. `fileId` is the source whose file the rows come from.
	 */
	async #createRemote(
		id: string,
		fileId: string,
		snapshot: UploadSnapshot,
		client: ImportApiClient,
		signal: AbortSignal,
		part: { name: string; rows: number } = {
			name: snapshot.source.name,
			rows: snapshot.upload.rows
		}
	): Promise<string> {
		const file = await getDatabase().files.get(fileId);
		if (!file) throw new Error('The file of this import is no longer on this device.');
		const { destination, followUp } = snapshot.source;
		if (!destination) throw new Error('This upload has no destination.');
		// The parse worker hashes the file it holds: this source's, once scanned.
		await importer.scanned(fileId, signal);
		const sha256 = await parseClient.fileSha256();
		const remoteId = await openRemoteSource(
			client,
			{
				name: part.name,
				mode: destination.mode,
				upsert: destination.upsert,
				file: { name: file.name, size: file.original.size, sha256 },
				rows: part.rows,
				...(followUp?.kind === 'dry_run' ? { dry_run: true } : {})
			},
			{ connectivity: browserConnectivity(), clock: realClock, signal }
		);
		return remoteId;
	}

	/**
	 * The chunks to send, built in the parse worker: only while the worker still holds this
	 * source's file as scanned when the build began (a new drop or a re-scan would change the rows).
	 */
	async *#chunks(
		id: string,
		signal: AbortSignal,
		limits: ChunkLimits,
		rowsPerPart: number | null,
		selection: RowSelection
	): AsyncGenerator<ChunkToSend> {
		await importer.scanned(id, signal);
		const file = importer.file;
		const generation = importer.generation;
		for await (const chunk of parseClient.chunks(
			limits,
			importer.sendingOptions,
			rowsPerPart,
			selection
		)) {
			if (importer.file !== file || importer.generation !== generation)
				throw new RowsChangedError();
			yield chunk;
		}
	}

	async #cancelHere(): Promise<void> {
		const id = this.#runningId();
		if (!id) return;
		this.#uploader?.cancel();
		try {
			await cancelUpload(id);
			this.error = null;
		} catch (error) {
			this.error = `The upload was not cancelled: ${describe(error)}`;
		}
	}

	#listen(): void {
		this.#channel ??= new TabChannel((message: TabMessage) => {
			if (message.id !== this.sourceId) return;
			if (message.type === 'connection') {
				if (this.role === 'waiting') this.remoteConnection = message.connection;
				return;
			}
			if (!this.#uploader) return;
			if (message.type === 'pause') this.#uploader.pause();
			else if (message.type === 'resume') this.#uploader.resume();
			else void this.#cancelHere();
		});
	}

	#post(type: 'pause' | 'resume' | 'cancel'): void {
		if (this.sourceId) this.#channel?.post({ id: this.sourceId, type });
	}
}

export const upload = new UploadState();
