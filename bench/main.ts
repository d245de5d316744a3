// The benchmark page: the same file, mapping and rules for each contender; scripts/bench.ts chooses
// the file through the input (a file-backed File, as a user's drop) and times one run per page.
import * as Comlink from 'comlink';
import type Papa from 'papaparse';
import papaparseUrl from 'papaparse/papaparse.min.js?url';
import { dateOrderOfLocale, regionOfLocale } from '$lib/core/locale';
import { parseClient } from '$lib/workers/parse-client';
import type { BenchApi, ContenderId, Counts, LongTask, RulesSetup, RunResult } from './protocol';
import { COUNT_SQL, queryFile, RULES_SQL, startDuckDb } from './duckdb';
import { createRules } from './rules';
import type { UdsvWorkerApi } from './udsv.worker';

const input = document.querySelector<HTMLInputElement>('input[type=file]')!;
const longTasks: LongTask[] = [];
new PerformanceObserver((list) => {
	for (const entry of list.getEntries())
		longTasks.push({ start: entry.startTime, duration: entry.duration });
}).observe({ type: 'longtask', buffered: true });

function chosenFile(): File {
	const file = input.files?.[0];
	if (!file) throw new Error('No file chosen');
	return file;
}

/** The main thread's JS heap (Chromium only; exact with --enable-precise-memory-info). */
function usedHeap(): number {
	const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
	return memory?.usedJSHeapSize ?? 0;
}

function sampleHeap() {
	const before = usedHeap();
	let peak = before;
	const timer = setInterval(() => (peak = Math.max(peak, usedHeap())), 25);
	return {
		before,
		stop(): number {
			clearInterval(timer);
			return Math.max(peak, usedHeap());
		}
	};
}

let ferryWorkers = 0;
let udsv: Comlink.Remote<UdsvWorkerApi> | null = null;
let papa: typeof Papa | null = null;

/**
 * papaparse's own build, as a classic script. Its worker mode starts a worker from its source text
 * (`moduleFactory.toString()`, run as a sloppy-mode script); once bundled, Vite's minifier renames
 * variables in ways that hold only in strict mode, and that worker fails on its first chunk.
 */
function loadPapaparse(): Promise<typeof Papa> {
	return new Promise((resolve, reject) => {
		const script = document.createElement('script');
		script.src = papaparseUrl;
		script.onload = () => resolve((window as Window & { Papa: typeof Papa }).Papa);
		script.onerror = () => reject(new Error(`${papaparseUrl} did not load`));
		document.head.append(script);
	});
}

/** Starts the parse worker and loads its engine, as the import page does before the first drop. */
async function warmFerry(workers?: number): Promise<void> {
	if (workers !== undefined) ferryWorkers = (await parseClient.configure({ workers })).workers;
	await parseClient.warm();
}

async function ferry(file: File, setup: RulesSetup) {
	const preview = await parseClient.open(file);
	const summary = await parseClient.scan(
		preview.proposals.map((proposal) => proposal.field),
		setup.options,
		new AbortController().signal,
		() => {}
	);
	const { rows, valid, invalid, warnings, engine } = summary;
	return { rows, valid, invalid, warnings, engine, workers: ferryWorkers };
}

/** papaparse in worker mode: it parses in its worker, the rows come back per chunk to be checked. */
function papaparse(file: File, setup: RulesSetup): Promise<Counts> {
	const parser = papa;
	if (!parser) throw new Error('prepare("papaparse") first');
	const rules = createRules(setup);
	let header = true;
	return new Promise((resolve, reject) => {
		parser.parse<string[], File>(file, {
			worker: true,
			header: false,
			skipEmptyLines: true,
			chunk(results) {
				for (const row of results.data) {
					if (header) header = false;
					else rules.add(row);
				}
			},
			complete: () => resolve(rules.finish()),
			error: (error) => reject(error)
		});
	});
}

const bench: BenchApi = {
	previewResult: null,
	previewError: null,
	longTasks,

	async setup() {
		const preview = await parseClient.open(chosenFile());
		return {
			mapping: preview.proposals.map((proposal) => proposal.field),
			columns: preview.layout.columns,
			// As the importer passes them (src/lib/state/importer.svelte.ts).
			options: {
				dateOrder: dateOrderOfLocale(navigator.language),
				defaultRegion: regionOfLocale(navigator.language),
				now: Date.now()
			}
		};
	},

	/** papaparse starts its worker inside Papa.parse: that start-up is part of its run. */
	async prepare(contender: ContenderId) {
		if (contender === 'ferry') await warmFerry(navigator.hardwareConcurrency || 1);
		else if (contender === 'ferry-1w') await warmFerry(1);
		else if (contender === 'papaparse') papa = await loadPapaparse();
		else if (contender === 'duckdb' || contender === 'duckdb-count') await startDuckDb();
		else {
			const worker = new Worker(new URL('./udsv.worker.ts', import.meta.url), { type: 'module' });
			udsv = Comlink.wrap<UdsvWorkerApi>(worker);
			await udsv.ready();
		}
	},

	async run(contender: ContenderId, setup: RulesSetup): Promise<RunResult> {
		const file = chosenFile();
		const heap = sampleHeap();
		const started = performance.now();
		let counts: Counts & { engine?: string; workers?: number };
		if (contender === 'papaparse') counts = await papaparse(file, setup);
		else if (contender === 'udsv') {
			if (!udsv) throw new Error('prepare("udsv") first');
			counts = await udsv.count(file, setup);
		} else if (contender === 'duckdb') counts = await queryFile(file, RULES_SQL);
		else if (contender === 'duckdb-count') counts = await queryFile(file, COUNT_SQL);
		else counts = await ferry(file, setup);
		const ended = performance.now();
		const heapPeakBytes = heap.stop();
		// The observer hears of a task after it ends: let the last one arrive.
		await new Promise((resolve) => setTimeout(resolve, 200));
		return {
			contender,
			...counts,
			ms: ended - started,
			heapBeforeBytes: heap.before,
			heapPeakBytes,
			longTasks: longTasks.filter(
				(task) => task.start + task.duration >= started && task.start <= ended
			)
		};
	},

	async armPreview() {
		await warmFerry();
		input.addEventListener(
			'change',
			() => {
				const started = performance.now();
				parseClient.open(chosenFile()).then(
					(preview) => {
						const resolved = performance.now();
						bench.previewResult = {
							ms: resolved - started,
							changedAt: performance.timeOrigin + started,
							resolvedAt: performance.timeOrigin + resolved,
							columns: preview.layout.columns.length,
							previewRows: preview.rows.length
						};
					},
					(error: unknown) => (bench.previewError = String(error))
				);
			},
			{ once: true }
		);
	}
};

window.bench = bench;
