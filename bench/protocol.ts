// What the benchmark page (bench/main.ts) offers the driver (scripts/bench.ts) on `window.bench`.
import type { Mapping, ValidationOptions } from '$lib/core/types';

/**
 * `ferry-1w`: Ferry with its scan configured to one range worker. `duckdb`: DuckDB-WASM's SQL
 * version of the rules; `duckdb-count`: its bare count(*), which checks nothing (rows only).
 */
export type ContenderId = 'ferry' | 'ferry-1w' | 'papaparse' | 'udsv' | 'duckdb' | 'duckdb-count';

/** The contenders that run Ferry's own rules: their valid and invalid counts must equal Ferry's. */
export const SAME_RULES: readonly ContenderId[] = ['ferry', 'ferry-1w', 'papaparse', 'udsv'];

/** What every contender checks: Ferry's proposed mapping, its columns, the app's options. */
export interface RulesSetup {
	mapping: Mapping;
	columns: string[];
	options: ValidationOptions;
}

export interface Counts {
	rows: number;
	valid: number;
	invalid: number;
	warnings: number;
}

export interface LongTask {
	start: number;
	duration: number;
}

/** One measured run, in the page's clock. */
export interface RunResult extends Counts {
	contender: ContenderId;
	/** From the start of the contender's work to its counts. */
	ms: number;
	/** performance.memory.usedJSHeapSize of the main thread before the run and its peak during it. */
	heapBeforeBytes: number;
	heapPeakBytes: number;
	/** The main thread's long tasks (over 50 ms, as the Long Tasks API reports) during the run. */
	longTasks: LongTask[];
	/** Ferry only: the engine that scanned and the range workers it was configured with. */
	engine?: string;
	workers?: number;
}

/** The first preview of a chosen file: parseClient.open, as the app calls it on a drop. */
export interface PreviewResult {
	/** From the file input's change event to parseClient.open resolving. */
	ms: number;
	/** Wall-clock instants (performance.timeOrigin + now), comparable with the driver's Date.now(). */
	changedAt: number;
	resolvedAt: number;
	columns: number;
	previewRows: number;
}

export interface BenchApi {
	/** Reads the head of the chosen file as the app does: the mapping every contender uses. */
	setup(): Promise<RulesSetup>;
	/** Work a contender does before it is timed: workers started, Ferry's engine loaded. */
	prepare(contender: ContenderId): Promise<void>;
	run(contender: ContenderId, setup: RulesSetup): Promise<RunResult>;
	/** The next file chosen is opened at once and timed (previewResult, or previewError). */
	armPreview(): Promise<void>;
	previewResult: PreviewResult | null;
	previewError: string | null;
	/** Every long task the observer reported since the page loaded. */
	longTasks: LongTask[];
}

declare global {
	interface Window {
		bench: BenchApi;
	}
}
