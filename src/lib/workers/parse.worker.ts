/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { chooseEngine, type WasmBuild } from '../core/engine/select';
import type { RangeRunner, ScanEngine, ScanProgress } from '../core/engine/types';
import type { WasmScanEngine } from '../core/engine/wasm';
import { FerryError, isFerryError } from '../core/errors';
import { REFERENCE_SCHEMA } from '../core/schema/fields';
import type { Mapping, ValidationOptions } from '../core/types';
import { simdSupported } from '../core/wasm/csv-index';
import { ImportSession } from '../pipeline/session';
import { RangePool } from './range-pool';

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

// One dropped file at a time lives here; the main thread only ever sees previews, summaries and pages.
let session: ImportSession | null = null;
let running: AbortController | null = null;
/** Range workers per scan: one per core unless configured (the bench measures one alone). */
let workers = Math.max(1, globalThis.navigator?.hardwareConcurrency || 1);
let pool: RangePool | null = null;

/** The range workers of the accelerated engine (none for the reference engine), sized per scan. */
function rangesOf(engine: ScanEngine): ((workingCopy: Blob) => RangeRunner) | undefined {
	if (!('modules' in engine)) return undefined;
	return (workingCopy) => {
		if (pool?.size !== workers) {
			pool?.terminate();
			pool = new RangePool(workers, engine as WasmScanEngine);
		}
		return pool.runner(workingCopy);
	};
}

function current(): ImportSession {
	if (!session) throw new FerryError('aborted', 'No file is open.');
	return session;
}

/** Errors cross the worker boundary as plain data so the UI can show the project's own messages. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (error) {
		if (isFerryError(error))
			throw new Error(
				JSON.stringify({ code: error.code, message: error.message, details: error.details })
			);
		throw error;
	}
}

const api = {
	/** Which engine this browser runs, and with how many range workers: the about panel. */
	async about() {
		const chosen = await engine;
		return {
			engine: chosen.name,
			simd: simdSupported(),
			workers: 'modules' in chosen ? workers : 0,
			cores: globalThis.navigator?.hardwareConcurrency ?? 1,
			passedOver: [...passedOver]
		};
	},

	configure(options: { workers?: number }) {
		if (options.workers !== undefined) workers = Math.max(1, Math.floor(options.workers));
		return { workers };
	},

	async open(file: File, encoding?: string) {
		running?.abort();
		return guarded(async () => {
			const chosen = await engine;
			session = await ImportSession.open(file, file.name, {
				encoding,
				schema: REFERENCE_SCHEMA,
				engine: chosen,
				ranges: rangesOf(chosen)
			});
			return session.preview;
		});
	},

	async scan(
		mapping: Mapping,
		options: ValidationOptions,
		onProgress?: (progress: ScanProgress) => void
	) {
		running?.abort();
		const controller = new AbortController();
		running = controller;
		return guarded(() =>
			current().scan({
				mapping,
				options,
				schema: REFERENCE_SCHEMA,
				signal: controller.signal,
				onProgress
			})
		);
	},

	cancel() {
		running?.abort();
	},

	rows(start: number, count: number) {
		return guarded(() => current().rows(start, count));
	},

	filteredRows(mask: number, offset: number, count: number) {
		return guarded(() => current().filteredRows(mask, offset, count));
	},

	/** The packed verdicts, moved (not copied) to the caller, which stores them with the source. */
	packed() {
		const packed = current().packed();
		return Comlink.transfer(packed, [
			packed.rowIssues.buffer,
			packed.rowStarts.buffer,
			packed.rowEnds.buffer,
			packed.rowLines.buffer,
			packed.duplicateOf.buffer
		]);
	},

	explain(row: number) {
		return guarded(() => current().explain(row));
	},

	encoding() {
		return current().info;
	},

	/** A page of the rows without errors, normalised, for the uploader (ImportSession.validRows). */
	validRows(start: number, count: number) {
		return guarded(() => current().validRows(start, count));
	}
};

export type ParseWorkerApi = typeof api;

Comlink.expose(api);
