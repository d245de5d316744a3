/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { chooseEngine, type WasmBuild } from '../core/engine/select';
import type { RangeRunner, ScanEngine, ScanProgress } from '../core/engine/types';
import type { WasmScanEngine } from '../core/engine/wasm';
import { FerryError } from '../core/errors';
import { REFERENCE_PROFILE } from '../core/profiles/catalogue';
import type { DestinationProfile } from '../core/profiles/types';
import type { Mapping, ValidationOptions } from '../core/types';
import { simdSupported } from '../core/wasm/csv-index';
import {
	ImportSession,
	type ReplaceProgress,
	type SendingOptions,
	type Shown,
	type ValidRow,
	type ValidRowsPage
} from '../pipeline/session';
import type { RowEdit } from '../core/edits/overlay';
import type { ReplaceSpec } from '../core/edits/replace';
import { RowsChangedError } from '../upload/errors';
import { type BuiltChunk, type ChunkLimits, type ChunkToSend } from '../upload/chunks';
import { buildChunksInParts } from '../upload/parts';
import { ALL_ROWS, selectRows, type RowSelection } from '../upload/selection';
import './errors';
import { memorySink, type WorkingCopySink } from '../io/open';
import { PrivateOutput } from '../io/private-output';
import { holdLock, privateName } from '../io/private-files';
import { targetByName, type ConvertOptions } from '../core/convert';
import {
	preflightOf,
	writeConversion,
	type ConvertOutcome,
	type ConvertProgress
} from '../pipeline/convert-job';
import { RangePool } from './range-pool';
import { rangeWorkersFor } from '../core/limits';
import { warmUpCsv } from '../core/engine/warm-up';

const WASM_BUILDS: Record<WasmBuild, URL> = {
	'csv.simd.wasm': new URL('../../../wasm/build/csv.simd.wasm', import.meta.url),
	'csv.scalar.wasm': new URL('../../../wasm/build/csv.scalar.wasm', import.meta.url),
	'rows.simd.wasm': new URL('../../../wasm/build/rows.simd.wasm', import.meta.url),
	'rows.scalar.wasm': new URL('../../../wasm/build/rows.scalar.wasm', import.meta.url),
	'json.simd.wasm': new URL('../../../wasm/build/json.simd.wasm', import.meta.url),
	'json.scalar.wasm': new URL('../../../wasm/build/json.scalar.wasm', import.meta.url)
};

/** Builds passed over while choosing the engine, and why (shown on the about panel). */
const passedOver: { file: WasmBuild; reason: string }[] = [];

// Loaded once per worker and kept: WASM SIMD where the browser has it, else scalar WASM, else JS.
const engine = chooseEngine(
	async (file) => {
		const response = await fetch(WASM_BUILDS[file]);
		if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
		return new Uint8Array(await response.arrayBuffer());
	},
	(file, error) => passedOver.push({ file, reason: String(error) })
);

/**
 * Once the engine is loaded, a made-up export (core/engine/warm-up.ts) is opened and scanned and
 * its results thrown away, so that V8 has compiled the preview's and the scan's code, here and in
 * the range workers, before the first drop; those range workers are kept for its scan. A file
 * opened meanwhile cancels it.
 */
let warming: AbortController | null = new AbortController();
/**
 * Rows of the made-up export per range worker it warms: about 3 MB each. More warmed more (60,000
 * rows a worker ran the first scan faster) but raised the peak after a mapping change past its
 * bound (docs/performance.md).
 */
const WARM_UP_ROWS_PER_WORKER = 20_000;
/**
 * Bytes per range of the warm-up: each range worker scans many small ranges, as it does in a big
 * file, so that the code for a range's end, for guessed starts and for reading on runs (and is
 * compiled) before the first file, and the indexer is called often enough to be fully optimised.
 * With one range per worker, those parts were compiled, and others deoptimised, during the first
 * real scan (docs/performance.md).
 */
const WARM_UP_RANGE_BYTES = 128 << 10;
/** Range workers that no scan took within this long, since the warm-up or the last scan, are ended. */
const POOL_IDLE_MS = 120_000;
let poolIdleTimer: ReturnType<typeof setTimeout> | undefined;
function endPoolWhenIdle(): void {
	clearTimeout(poolIdleTimer);
	poolIdleTimer = setTimeout(() => pool?.terminateIfIdle(), POOL_IDLE_MS);
}
const ready = engine
	.then(async (chosen) => {
		const signal = warming!.signal;
		// One range worker unless configured (the bench): what a file under 256 MiB takes.
		const rows = WARM_UP_ROWS_PER_WORKER * (configuredWorkers ?? 1);
		const file = new File([warmUpCsv(rows)], 'warm-up.csv');
		const warm = await ImportSession.open(file, file.name, {
			profile: REFERENCE_PROFILE,
			engine: chosen,
			ranges: rangesOf(chosen)
		});
		signal.throwIfAborted();
		await warm.scan({
			mapping: warm.preview.proposals.map((proposal) => proposal.field),
			options: { dateOrder: 'mdy', defaultRegion: 'US', now: Date.now() },
			profile: REFERENCE_PROFILE,
			rangeSize: WARM_UP_RANGE_BYTES,
			signal
		});
		void warm.close();
		endPoolWhenIdle();
	})
	.then(
		() => undefined,
		() => undefined
	)
	.finally(() => {
		warming = null;
	});

// One dropped file at a time lives here; the main thread only ever sees previews, summaries and pages.
let session: ImportSession | null = null;
let running: AbortController | null = null;
/** The conversion (pre-flight or writing) in progress: cancelled on its own, not by a scan's cancel. */
let converting: AbortController | null = null;
const cores = Math.max(1, globalThis.navigator?.hardwareConcurrency || 1);
/** Range workers per scan when configured (the bench measures a given number), else by size. */
let configuredWorkers: number | null = null;
let pool: RangePool | null = null;
/** Counts opens and scans: a chunk build stops when the rows it reads from change. */
let scans = 0;
/** The upload's chunks being built, pulled one at a time by the main thread. */
let chunks: AsyncGenerator<BuiltChunk> | null = null;
/** Rows read per page while chunks are built. */
const ROWS_PAGE = 2000;

/**
 * A working copy in the Origin Private File System, written through a sync access handle (only a
 * worker has one), so a decompressed or transcoded file costs disk rather than the tab's memory.
 * Where the browser has no such file system (or refuses it), the copy stays in memory.
 */
function privateFileSink(): WorkingCopySink {
	const name = privateName('workingCopy');
	const opened = (async () => {
		// Held from before the file exists until it is removed: the sweep of a tab starting meanwhile
		// leaves it alone, and finds it once this worker is gone.
		const release = await holdLock(name);
		try {
			const root = await navigator.storage.getDirectory();
			const handle = await root.getFileHandle(name, { create: true });
			return { root, handle, release, access: await handle.createSyncAccessHandle() };
		} catch (error) {
			release();
			throw error;
		}
	})().catch(() => null);
	const memory = memorySink();
	let at = 0;
	return {
		async write(chunk) {
			const file = await opened;
			if (!file) return memory.write(chunk);
			at += file.access.write(chunk, { at });
		},
		async finish() {
			const file = await opened;
			if (!file) return memory.finish();
			file.access.flush();
			file.access.close();
			return file.handle.getFile();
		},
		async discard() {
			memory.discard();
			const file = await opened;
			if (!file) return;
			file.access.close();
			await file.root.removeEntry(name).catch(() => undefined);
			file.release();
		}
	};
}

/** The range workers of the accelerated engine (none for the reference engine), sized per scan. */
function rangesOf(engine: ScanEngine): ((workingCopy: Blob) => RangeRunner) | undefined {
	if (!('modules' in engine)) return undefined;
	return (workingCopy) => {
		clearTimeout(poolIdleTimer);
		const workers = configuredWorkers ?? rangeWorkersFor(workingCopy.size, cores);
		if (pool?.size !== workers) {
			pool?.terminate();
			pool = new RangePool(workers, engine as WasmScanEngine);
		}
		return pool.runner(workingCopy);
	};
}

/** The valid rows of `scanned`'s latest scan, a page at a time; fails if the file is scanned again. */
async function* validRowsOf(
	scanned: ImportSession,
	scan: number,
	sending: SendingOptions
): AsyncGenerator<ValidRow> {
	let cursor: number | null = 0;
	while (cursor !== null) {
		if (session !== scanned || scans !== scan) throw new RowsChangedError();
		const page: ValidRowsPage = await scanned.validRows(cursor, ROWS_PAGE, sending);
		yield* page.rows;
		cursor = page.next;
	}
}

function targetNamed(name: string) {
	const target = targetByName(name);
	if (!target) throw new FerryError('aborted', `Unknown target ${name}.`);
	return target;
}

/** A new conversion's signal: the one before it is cancelled. */
function startConverting(): AbortSignal {
	converting?.abort();
	converting = new AbortController();
	return converting.signal;
}

function current(): ImportSession {
	if (!session) throw new FerryError('aborted', 'No file is open.');
	return session;
}

const api = {
	/** Resolves once the engine is loaded and the preview's code compiled (see `ready`). */
	ready() {
		return ready;
	},

	/** Which engine this browser runs, and with how many range workers: the about panel. */
	async about() {
		const chosen = await engine;
		return {
			engine: chosen.name,
			simd: simdSupported(),
			workers: 'modules' in chosen ? (configuredWorkers ?? cores) : 0,
			cores: globalThis.navigator?.hardwareConcurrency ?? 1,
			passedOver: [...passedOver]
		};
	},

	configure(options: { workers?: number }) {
		if (options.workers !== undefined) configuredWorkers = Math.max(1, Math.floor(options.workers));
		return { workers: configuredWorkers ?? cores };
	},

	async open(file: File, encoding: string | undefined, profile: DestinationProfile) {
		warming?.abort();
		running?.abort();
		scans++;
		const chosen = await engine;
		// The previous file's working copy is removed from the private file system.
		void session?.close();
		session = null;
		session = await ImportSession.open(file, file.name, {
			encoding,
			profile,
			engine: chosen,
			ranges: rangesOf(chosen),
			sink: privateFileSink
		});
		return session.preview;
	},

	async scan(
		mapping: Mapping,
		options: ValidationOptions,
		profile: DestinationProfile,
		onProgress?: (progress: ScanProgress) => void
	) {
		running?.abort();
		const controller = new AbortController();
		running = controller;
		scans++;
		try {
			return await current().scan({
				mapping,
				options,
				profile,
				signal: controller.signal,
				onProgress
			});
		} finally {
			// The range workers stay, warm, for the admin's next change: a mapping change re-checks
			// its column in them about 0.1–0.2 s sooner than in fresh ones (100 MB file), for about
			// 40 MB held meanwhile: their heaps, WebAssembly memory and shelves of result arrays
			// (docs/performance.md).
			if (running === controller) endPoolWhenIdle();
		}
	},

	cancel() {
		running?.abort();
	},

	rows(start: number, count: number, shown?: Shown) {
		return current().rows(start, count, shown);
	},

	filteredRows(mask: number, offset: number, count: number, shown?: Shown) {
		return current().filteredRows(mask, offset, count, shown);
	},

	/**
	 * Sets rows' edits as given (the overlay stored with the source, or an undo); each edit below
	 * counts as a new reading of the rows, so a chunk build of the old ones stops.
	 */
	setEdits(changes: { row: number; edit: RowEdit | null }[]) {
		scans++;
		return current().setEdits(changes);
	},

	editRow(row: number, values: Record<number, string>) {
		scans++;
		return current().editRow(row, values);
	},

	dropRows(rows: number[], dropped: boolean) {
		scans++;
		return current().dropRows(rows, dropped);
	},

	/** Counts (apply false) or makes a replace in a column, reading every row here with progress. */
	async replaceInColumn(
		spec: ReplaceSpec,
		apply: boolean,
		onProgress?: (progress: ReplaceProgress) => void
	) {
		running?.abort();
		const controller = new AbortController();
		running = controller;
		if (apply) scans++;
		return current().replaceInColumn(spec, apply, controller.signal, onProgress);
	},

	/** The failure report's rows: invalid ones, then dropped ones, with the edits applied. */
	reportRows(offset: number, count: number) {
		return current().reportRows(offset, count);
	},

	/** The open file's SHA-256 (POST /sources), hashed here so the main thread never reads it. */
	fileSha256() {
		return current().fileSha256();
	},

	/** The distinct items of a list column (the roles found), at most `cap`. */
	distinctValues(column: number, cap: number) {
		return current().distinctValues(column, cap);
	},

	/** Where each import of at most rowsPerPart valid rows begins (1-based row numbers). */
	partStarts(rowsPerPart: number) {
		return current().partStarts(rowsPerPart);
	},

	/**
	 * Starts building the upload's chunks from the latest scan's valid rows that `selection` keeps
	 * (drops an older build); no chunk holds rows of two imports when the file is split into
	 * imports of rowsPerPart rows.
	 */
	startChunks(
		limits: ChunkLimits,
		sending: SendingOptions,
		rowsPerPart: number | null,
		selection: RowSelection = ALL_ROWS
	) {
		chunks = buildChunksInParts(
			selectRows(validRowsOf(current(), scans, sending), selection),
			limits,
			rowsPerPart
		);
	},

	/** The next chunk of the build, its gzip body moved (not copied); null after the last one. */
	async nextChunk(): Promise<ChunkToSend | null> {
		if (!chunks) throw new Error('No upload is being prepared.');
		const next = await chunks.next();
		if (next.done) {
			chunks = null;
			return null;
		}
		const { seq, rows, key, body } = next.value;
		return Comlink.transfer({ seq, rows, key, body }, [body.buffer]);
	},

	/**
	 * The Export page's conversion of the latest scan's valid rows (issue 11): the pre-flight, then
	 * the target's files written into the private file system's folder of export `id`, zipped there
	 * when there are several; answers the file to download (on disk, not in memory) and what was
	 * written.
	 */
	convertPreflight(targetName: string, options: ConvertOptions, sending: SendingOptions) {
		const signal = startConverting();
		const rows = validRowsOf(current(), scans, sending);
		return preflightOf(targetNamed(targetName), rows, options, signal);
	},

	async convertWrite(
		job: {
			id: string;
			targetName: string;
			options: ConvertOptions;
			/** The role map and organization the admin chose, applied as for an upload. */
			sending: SendingOptions;
			total: number;
			zipName: string;
		},
		onProgress: (progress: ConvertProgress) => void
	): Promise<{ download: File; outcome: ConvertOutcome }> {
		const signal = startConverting();
		const out = await PrivateOutput.create(job.id);
		try {
			const rows = validRowsOf(current(), scans, job.sending);
			const outcome = await writeConversion(targetNamed(job.targetName), rows, job.options, out, {
				total: job.total,
				report: onProgress,
				signal
			});
			const names = outcome.files.map((file) => file.name);
			const download =
				names.length === 1 ? await out.file(names[0]) : await out.zip(names, job.zipName, signal);
			return { download, outcome };
		} finally {
			out.closeAll();
		}
	},

	convertCancel() {
		converting?.abort();
	}
};

export type ParseWorkerApi = typeof api;

Comlink.expose(api);
