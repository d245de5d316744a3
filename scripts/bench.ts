// Ferry against papaparse and uDSV in headless Chromium (a benchmark, not a test): the same
// generated user export, the same mapping and the same rules for every contender, each run in a
// fresh page, the order rotated every round. Prints MB/s, the ratios, peak memory, the browser's CPU
// time over each run and the longest main-thread task, checks the project's targets, and writes
// everything to bench/out/bench-*.json.
// What each number means: docs/benchmark.md.
//
// Run: npx tsx scripts/bench.ts [--size MB] [--rounds N]
//      [--only ferry,ferry-1w,papaparse,udsv,duckdb,duckdb-count]
//      [--preview-only] [--trace] [--profile] [--again N]
// It builds the app's WebAssembly and the bench page (bench/, into bench/out/site), serves the page
// with `vite preview` on 127.0.0.1:4181 (BENCH_PORT to change), and drives Chromium from
// /usr/bin/chromium (CHROMIUM_PATH to change). The file goes to bench/out/ and is re-used.
// --trace records a Chromium trace of every Ferry run and prints what each thread did in it (the
// tracing itself slows the run: its MB/s are not comparable with untraced ones). --profile (which
// implies --trace) builds the page unminified and adds, per thread, the functions that ran most by
// V8's sampling profiler: where the time goes, by name (slower still). --again N scans the file N
// more times in the page of each Ferry run, after its timed scan: what a scan costs once the page's
// code is compiled and its memory has been used (timed and counted, not traced or sampled).
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { SAME_RULES, type ContenderId, type RulesSetup, type RunResult } from '../bench/protocol';
import { headCommit, launchChromium, machine, root, startPreview, stop } from './lib/browser-bench';
import {
	cpuTimeMs,
	descendants,
	rendererPids,
	samplePeaks,
	totalRss,
	waitForExit,
	waitForQuiet
} from './lib/process-memory';
import { chromiumProcesses, ThreadTrace } from './lib/thread-trace';
import { writeUserExport } from './lib/user-export';

const CONTENDERS: { id: ContenderId; label: string }[] = [
	{ id: 'ferry', label: 'Ferry (parse worker, all cores)' },
	{ id: 'ferry-1w', label: 'Ferry, 1 worker' },
	{ id: 'papaparse', label: 'papaparse worker + rules' },
	{ id: 'udsv', label: 'uDSV stream + rules (worker)' },
	{ id: 'duckdb', label: 'DuckDB-WASM, SQL rules' },
	{ id: 'duckdb-count', label: 'DuckDB-WASM, bare count(*)' }
];
const LONG_TASK_MS = 50;
const RSS_SAMPLE_MS = 25;
const SEED = 7;
const outDir = join(root, 'bench', 'out');

const { values: args } = parseArgs({
	options: {
		size: { type: 'string', default: '100' },
		rounds: { type: 'string', default: '5' },
		only: { type: 'string' },
		'preview-only': { type: 'boolean', default: false },
		trace: { type: 'boolean', default: false },
		profile: { type: 'boolean', default: false },
		again: { type: 'string', default: '0' }
	}
});
const sizeMB = Number(args.size);
const rounds = Number(args.rounds);
const previewOnly = args['preview-only'];
const profiled = args.profile;
const traced = args.trace || profiled;
const again = Number(args.again);
const selected = args.only
	? args.only.split(',').map((id) => id.trim())
	: CONTENDERS.map((c) => c.id);
for (const id of selected)
	if (!CONTENDERS.some((contender) => contender.id === id))
		throw new Error(`--only: unknown contender ${id} (${CONTENDERS.map((c) => c.id).join(', ')})`);
if (!(sizeMB > 0) || !Number.isInteger(rounds) || rounds < 1)
	throw new Error('--size must be a positive number of MB and --rounds a whole number ≥ 1');
if (!Number.isInteger(again) || again < 0) throw new Error('--again must be a whole number ≥ 0');
const contenders = CONTENDERS.filter((contender) => selected.includes(contender.id));
const PORT = Number(process.env.BENCH_PORT ?? 4181);
const ORIGIN = `http://127.0.0.1:${PORT}`;

// ---- the page ----------------------------------------------------------------------------------

interface Session {
	context: BrowserContext;
	page: Page;
	/**
	 * Runs `work` in the page, failing on the page's first uncaught error: a contender whose worker
	 * throws (papaparse's does not report it to its callbacks) would otherwise never finish.
	 */
	guard<T>(work: Promise<T>): Promise<T>;
}

/**
 * A new browser context for every run: a new renderer process, so no earlier run's garbage, heap
 * or allocator high-water mark is counted, and the previous one is gone before the next starts.
 */
async function openPage(browser: Browser): Promise<Session> {
	const context = await browser.newContext({ locale: 'en-US' });
	const page = await context.newPage();
	const failed = new Promise<never>((_, reject) =>
		page.once('pageerror', (error) => reject(new Error(`page error: ${error.message}`)))
	);
	failed.catch(() => {});
	page.on('console', (message) => {
		if (message.type() === 'error') console.error(`page console: ${message.text()}`);
	});
	await page.goto(ORIGIN);
	await page.waitForFunction(() => window.bench !== undefined);
	return { context, page, guard: (work) => Promise.race([work, failed]) };
}

async function closePage(session: Session): Promise<void> {
	const pids = rendererPids();
	await session.context.close();
	await waitForExit(pids);
}

const chooseFile = (page: Page, path: string) =>
	page.locator('input[type=file]').setInputFiles(path, { timeout: 120_000 });

/** The observer works here: a deliberate 80 ms task on the main thread must be reported. */
async function longTasksObserved(page: Page): Promise<boolean> {
	await page.evaluate(() => {
		// In a timer: what page.evaluate runs itself is not a task the page's scheduler reports.
		setTimeout(() => {
			const until = performance.now() + 80;
			while (performance.now() < until);
		});
	});
	return page
		.waitForFunction(() => window.bench.longTasks.some((task) => task.duration >= 80), null, {
			timeout: 5_000
		})
		.then(
			() => true,
			() => false
		);
}

/** One scan, and the CPU the browser spent over it. */
interface Scan extends RunResult {
	/** CPU time of every Chromium process (user and system, all threads) from the scan's start to its end. */
	cpuMs: number;
}

/** CPU time Chromium's processes have used so far. */
const chromiumCpuMs = () => cpuTimeMs([...chromiumProcesses(descendants(process.pid)).keys()]);

interface MeasuredRun extends Scan {
	round: number;
	position: number;
	mbPerSecond: number;
	rssBeforeBytes: number;
	rssPeakBytes: number;
	rssPeakDeltaBytes: number;
	renderers: number;
	longestTaskMs: number;
	/** How long the run waited, before its clock started, for the browser to go quiet (waitForQuiet). */
	quietAfterMs: number;
	/** With --trace: what each of the browser's threads did during the run. */
	threads?: Awaited<ReturnType<ThreadTrace['stop']>>;
	/** With --again (Ferry only): the same page's later scans of the file, after the timed one. */
	again?: Scan[];
}

async function measure(
	browser: Browser,
	file: { path: string; bytes: number },
	setup: RulesSetup,
	contender: ContenderId,
	round: number,
	position: number
): Promise<MeasuredRun> {
	const session = await openPage(browser);
	try {
		await chooseFile(session.page, file.path);
		await session.guard(session.page.evaluate((id) => window.bench.prepare(id), contender));
		const quietAfterMs = await waitForQuiet();
		const pids = rendererPids();
		const rss = samplePeaks(() => ({ renderers: totalRss(pids) }), RSS_SAMPLE_MS);
		const trace =
			traced && contender.startsWith('ferry')
				? await ThreadTrace.start(
						browser,
						() => chromiumProcesses(descendants(process.pid)),
						profiled
					)
				: null;
		/** One scan of the file by the contender, in this page. */
		const run = async (): Promise<Scan> => {
			const cpuBefore = chromiumCpuMs();
			const scanned = await session.guard(
				session.page.evaluate(([id, rules]) => window.bench.run(id, rules), [
					contender,
					setup
				] as const)
			);
			return { ...scanned, cpuMs: chromiumCpuMs() - cpuBefore };
		};
		const result = await run();
		const rssPeakBytes = rss.stop().renderers;
		const threads = await trace?.stop();
		const later: Scan[] = [];
		if (contender.startsWith('ferry'))
			for (let scan = 0; scan < again; scan++) {
				await waitForQuiet();
				later.push(await run());
			}
		const longest = Math.max(0, ...result.longTasks.map((task) => task.duration));
		return {
			...result,
			round,
			position,
			mbPerSecond: mbPerSecond(file.bytes, result.ms),
			rssBeforeBytes: rss.before.renderers,
			rssPeakBytes,
			rssPeakDeltaBytes: rssPeakBytes - rss.before.renderers,
			renderers: pids.length,
			longestTaskMs: Math.round(longest),
			quietAfterMs,
			threads,
			...(later.length > 0 ? { again: later } : {})
		};
	} finally {
		await closePage(session);
	}
}

async function measurePreview(browser: Browser, path: string) {
	const session = await openPage(browser);
	try {
		await session.page.evaluate(() => window.bench.armPreview());
		await waitForQuiet();
		// Found before the clock starts: only choosing the file is timed.
		const input = (await session.page.$('input[type=file]'))!;
		const started = Date.now();
		await input.setInputFiles(path, { timeout: 120_000 });
		await session.guard(
			session.page.waitForFunction(
				() => window.bench.previewResult !== null || window.bench.previewError !== null,
				null,
				{ timeout: 120_000, polling: 10 }
			)
		);
		const { previewResult, previewError } = await session.page.evaluate(() => ({
			previewResult: window.bench.previewResult,
			previewError: window.bench.previewError
		}));
		if (!previewResult) throw new Error(`preview failed: ${previewError}`);
		// Both instants on the machine's wall clock: no Playwright polling in between.
		return { ...previewResult, fromSetInputFilesMs: previewResult.resolvedAt - started };
	} finally {
		await closePage(session);
	}
}

/** Per contender, the median of its runs (counts from its first run; the runs must agree). */
interface Medians {
	mbPerSecond: number;
	ms: number;
	rows: number;
	valid: number;
	invalid: number;
	rssPeakDeltaBytes: number;
	rssPeakOfFileSize: number;
	heapPeakBytes: number;
	longestTaskMs: number;
	worstLongestTaskMs: number;
	engine?: string;
	/** Chromium's CPU time over a scan (Scan.cpuMs). */
	cpuMs: number;
	/** With --again: over every later scan of every run, in the runs' pages. */
	againMbPerSecond?: number;
	againMs?: number;
	againCpuMs?: number;
}

// ---- numbers -----------------------------------------------------------------------------------

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
/** MB (10⁶ bytes) per second of a scan of `bytes` that took `ms`. */
const mbPerSecond = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
/** A scan's CPU time, and how many cores that is over its duration. */
const cpuShown = (scan: { cpuMs: number; ms: number }) =>
	`${(scan.cpuMs / 1000).toFixed(2)} s (${(scan.cpuMs / scan.ms).toFixed(2)} cores)`;

// ---- main --------------------------------------------------------------------------------------

/**
 * What a run measures: the page and Ferry's workers are built from this working tree's sources
 * (not from a FERRY_BUILD_DIR build), so two versions are compared from two trees.
 */
function sourceMeasured() {
	return {
		tree: root,
		commit: headCommit(),
		changedFiles: execFileSync(
			'git',
			['status', '--porcelain', '--', 'src', 'bench', 'wasm', 'vite-plugins'],
			{ cwd: root, encoding: 'utf8' }
		)
			.split('\n')
			.filter(Boolean)
			.map((line) => line.slice(3))
	};
}

async function main(): Promise<void> {
	if (rounds < 5)
		console.log(`note: ${rounds} rounds; the bench's medians are meant for 5 or more`);
	const source = sourceMeasured();
	console.log(
		`building the WebAssembly modules and the bench page from ${source.tree} at ${source.commit}` +
			(source.changedFiles.length > 0 ? ` with ${source.changedFiles.length} files changed` : '')
	);
	execFileSync('npm', ['run', '--silent', 'build:wasm'], { cwd: root, stdio: 'inherit' });
	execFileSync('npx', ['vite', 'build', '--config', 'bench/vite.config.ts'], {
		cwd: root,
		stdio: 'inherit',
		// Function names in a profile are the source's only unminified.
		env: profiled ? { ...process.env, BENCH_UNMINIFIED: '1' } : process.env
	});

	const bytes = Math.round(sizeMB * 1e6);
	let shown = 0;
	const file = await writeUserExport(outDir, bytes, SEED, (written) => {
		if (written - shown < 100e6) return;
		shown = written;
		console.log(`  generating: ${mb(written)} of ${mb(bytes)}`);
	});
	console.log(
		`${file.generated ? 'generated' : 're-used'} ${relative(root, file.path)} (${mb(file.bytes)})`
	);

	let server: ChildProcess | undefined;
	let browser: Browser | undefined;
	try {
		server = await startPreview(PORT, ['--config', 'bench/vite.config.ts']);
		// performance.memory is otherwise rounded and refreshed only now and then.
		browser = await launchChromium(['--enable-precise-memory-info']);

		// The mapping every contender uses: the app's proposals for this file.
		const first = await openPage(browser);
		const longTasksWork = await longTasksObserved(first.page);
		if (!longTasksWork) console.warn('warning: the page reported no long task for an 80 ms task');
		await chooseFile(first.page, file.path);
		const setup = await first.guard(first.page.evaluate(() => window.bench.setup()));
		await closePage(first);
		console.log(
			`mapping: ${setup.columns.map((column, i) => `${column}→${setup.mapping[i] ?? '-'}`).join(', ')}`
		);

		// The first preview: from choosing the file to parseClient.open's preview.
		const previews = [];
		for (let round = 0; round < rounds; round++)
			previews.push(await measurePreview(browser, file.path));
		const preview = {
			/** From the setInputFiles call to the preview: the target's number. */
			medianMs: median(previews.map((run) => run.fromSetInputFilesMs)),
			/** From the input's change event to the preview: the page's own share. */
			medianFromChangeMs: median(previews.map((run) => run.ms)),
			runs: previews
		};
		console.log(
			`first preview: ${preview.medianMs.toFixed(1)} ms median from setInputFiles ` +
				`(${preview.medianFromChangeMs.toFixed(1)} ms from the change event); runs ` +
				previews.map((run) => run.fromSetInputFilesMs.toFixed(0)).join(', ') +
				' ms'
		);

		const runs: MeasuredRun[] = [];
		if (!previewOnly)
			for (let round = 0; round < rounds; round++) {
				// Rotate the order, so that every contender runs first, last and in between.
				const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
				for (const [position, contender] of order.entries()) {
					const run = await measure(browser, file, setup, contender.id, round, position);
					runs.push(run);
					console.log(
						`  round ${round + 1} ${contender.id.padEnd(10)} ${run.mbPerSecond.toFixed(1).padStart(7)} MB/s ` +
							`${(run.ms / 1000).toFixed(2)} s, RSS +${mb(run.rssPeakDeltaBytes)}, ` +
							`CPU ${cpuShown(run)}, longest task ${run.longestTaskMs} ms (started after ${run.quietAfterMs} ms of waiting for a quiet browser)` +
							(run.again
								? `; again ${run.again.map((later) => `${(later.ms / 1000).toFixed(2)} s, CPU ${cpuShown(later)}`).join('; ')}`
								: '')
					);
					if (run.threads) printThreads(run.threads);
				}
			}

		const report = summarise(file, setup, preview.medianMs, runs, longTasksWork);
		const result = {
			date: new Date().toISOString(),
			machine: machine(browser.version()),
			source,
			file: { path: relative(root, file.path), bytes: file.bytes, seed: SEED },
			settings: { sizeMB, rounds, contenders: contenders.map((c) => c.id), previewOnly },
			setup,
			longTaskObserverWorks: longTasksWork,
			preview,
			runs,
			...report
		};
		mkdirSync(outDir, { recursive: true });
		const written = join(outDir, `bench-${result.date.replace(/[:.]/g, '-')}.json`);
		writeFileSync(written, JSON.stringify(result, null, '\t') + '\n');
		print(result.machine, file.bytes, report, preview.medianMs);
		console.log(`written ${relative(root, written)}`);
	} finally {
		await browser?.close().catch(() => {});
		stop(server);
		// Every run builds the page again; a bundle left in the tree would be linted by ESLint.
		rmSync(join(outDir, 'site'), { recursive: true, force: true });
	}
}

function summarise(
	file: { bytes: number },
	setup: RulesSetup,
	previewMs: number,
	runs: MeasuredRun[],
	longTasksWork: boolean
) {
	const medians: Partial<Record<ContenderId, Medians>> = {};
	for (const { id } of contenders) {
		const mine = runs.filter((run) => run.contender === id);
		if (mine.length === 0) continue;
		const of = (pick: (run: MeasuredRun) => number) => median(mine.map(pick));
		const later = mine.flatMap((run) => run.again ?? []);
		medians[id] = {
			mbPerSecond: of((run) => run.mbPerSecond),
			ms: of((run) => run.ms),
			rows: mine[0].rows,
			valid: mine[0].valid,
			invalid: mine[0].invalid,
			rssPeakDeltaBytes: of((run) => run.rssPeakDeltaBytes),
			rssPeakOfFileSize: of((run) => run.rssPeakDeltaBytes) / file.bytes,
			heapPeakBytes: of((run) => run.heapPeakBytes),
			longestTaskMs: of((run) => run.longestTaskMs),
			worstLongestTaskMs: Math.max(...mine.map((run) => run.longestTaskMs)),
			engine: mine[0].engine,
			cpuMs: of((run) => run.cpuMs),
			...(later.length > 0
				? {
						againMs: median(later.map((scan) => scan.ms)),
						againMbPerSecond: median(later.map((scan) => mbPerSecond(file.bytes, scan.ms))),
						againCpuMs: median(later.map((scan) => scan.cpuMs))
					}
				: {})
		};
	}

	// Every run must have counted the rows the reference (Ferry, else the first contender) counted,
	// and those running Ferry's rules its valid and invalid rows (DuckDB's SQL rules differ).
	const warnings: string[] = [];
	const reference =
		runs.find((run) => run.contender === 'ferry') ??
		runs.find((run) => SAME_RULES.includes(run.contender)) ??
		runs[0];
	for (const run of runs.flatMap((run) => [
		run,
		...(run.again ?? []).map((later) => ({ ...later, round: run.round }))
	]))
		if (
			run.rows !== reference.rows ||
			(SAME_RULES.includes(run.contender) &&
				(run.valid !== reference.valid || run.invalid !== reference.invalid))
		)
			warnings.push(
				`warning: ${run.contender} (round ${run.round + 1}) counted ${run.rows} rows, ` +
					`${run.valid} valid, ${run.invalid} invalid; ${reference.contender} counted ` +
					`${reference.rows}, ${reference.valid}, ${reference.invalid}`
			);

	const rate = (id: ContenderId) => medians[id]?.mbPerSecond;
	const ratio = (a: ContenderId, b: ContenderId) => {
		const [x, y] = [rate(a), rate(b)];
		return x !== undefined && y !== undefined ? x / y : undefined;
	};
	const ratios = {
		ferryOverPapaparse: ratio('ferry', 'papaparse'),
		ferryOverUdsv: ratio('ferry', 'udsv'),
		ferry1wOverPapaparse: ratio('ferry-1w', 'papaparse'),
		ferryOverFerry1w: ratio('ferry', 'ferry-1w'),
		ferryOverDuckdbRules: ratio('ferry', 'duckdb'),
		ferryOverDuckdbCount: ratio('ferry', 'duckdb-count')
	};
	const ferryRuns = runs.filter((run) => run.contender.startsWith('ferry'));
	const ferryMemory = medians.ferry?.rssPeakOfFileSize;
	const worstTask = ferryRuns.length
		? Math.max(...ferryRuns.map((run) => run.longestTaskMs))
		: undefined;
	const target = (
		name: string,
		value: number | undefined,
		met: (value: number) => boolean,
		shown: (value: number) => string,
		note?: string
	) => ({
		name,
		value: value ?? null,
		shown: value === undefined ? 'not measured' : shown(value),
		met: value === undefined ? null : met(value),
		note: note ?? null
	});
	const times = (value: number) => `${value.toFixed(2)}x`;
	const speed = (value: number) => `${value.toFixed(1)} MB/s`;
	// Issue 14's targets (the earlier ones, 5x papaparse, 2x uDSV, are met and no longer goals).
	const targets = [
		target('Ferry ≥ 150 MB/s', rate('ferry'), (v) => v >= 150, speed),
		target('Ferry ≥ 20x papaparse worker mode', ratios.ferryOverPapaparse, (v) => v >= 20, times),
		target(
			"Ferry ≥ 0.75x DuckDB-WASM's bare count(*)",
			ratios.ferryOverDuckdbCount,
			(v) => v >= 0.75,
			times
		),
		target('Ferry, 1 range worker ≥ 80 MB/s', rate('ferry-1w'), (v) => v >= 80, speed),
		target('Ferry, all workers ≥ 1.7x one', ratios.ferryOverFerry1w, (v) => v >= 1.7, times),
		target(
			'first preview of a 1 GB file < 50 ms',
			previewMs,
			(v) => v < 50,
			(v) => `${v.toFixed(1)} ms`,
			file.bytes < 1e9 ? `measured on a ${mb(file.bytes)} file` : undefined
		),
		target(
			'Ferry peak memory ≤ 1.5x the file size',
			ferryMemory,
			(v) => v <= 1.5,
			(v) => `${v.toFixed(2)}x (renderer RSS, median of the peaks)`
		),
		target(
			`no main-thread task over ${LONG_TASK_MS} ms during Ferry's validation`,
			longTasksWork ? worstTask : undefined,
			(v) => v <= LONG_TASK_MS,
			(v) => (v === 0 ? 'none reported' : `longest ${v} ms`)
		)
	];
	return { medians, ratios, targets, warnings };
}

function printThreads(traced: NonNullable<MeasuredRun['threads']>) {
	const { wallMs, someWaitingMs, browserCpuMs, threads } = traced;
	const ms = (value: number) => value.toFixed(0).padStart(6);
	console.log(
		`    ${wallMs.toFixed(0)} ms traced; Chromium's threads ran ${browserCpuMs.toFixed(0)} ms ` +
			`(${(browserCpuMs / wallMs).toFixed(2)} cores); some task waited for a core ` +
			`${someWaitingMs.toFixed(0)} ms of it (machine-wide). Per thread, ms of CPU / waiting ` +
			'for a core / GC (threads under 10 ms of CPU left out):'
	);
	for (const use of threads.filter((thread) => thread.cpuMs >= 10)) {
		const measures = Object.entries(use.measuresMs)
			.map(([name, value]) => `${name} ${value.toFixed(0)}`)
			.join(', ');
		console.log(
			`    ${`${use.process}: ${use.thread}`.padEnd(40)} ${ms(use.cpuMs)} ${ms(use.waitingForCoreMs)} ` +
				`${ms(use.gcMs)}${measures ? `  (${measures})` : ''}`
		);
		if (use.topFunctions && use.cpuMs >= 100)
			console.log(
				`      most own time (sampled ms): ${use.topFunctions
					.map(({ name, ms }) => `${name} ${ms.toFixed(0)}`)
					.join(', ')}`
			);
	}
}

function print(
	host: ReturnType<typeof machine>,
	bytes: number,
	report: ReturnType<typeof summarise>,
	previewMs: number
): void {
	console.log('');
	console.log(
		`${host.cpu}, ${host.cores} cores, ${(host.memoryBytes / 2 ** 30).toFixed(1)} GiB; ` +
			`Chromium ${host.chromium}; file ${mb(bytes)}; first preview ${previewMs.toFixed(1)} ms`
	);
	const header = [
		'contender'.padEnd(34),
		'MB/s'.padStart(7),
		'time s'.padStart(7),
		'rows'.padStart(9),
		'invalid'.padStart(8),
		'RSS peak +'.padStart(11),
		'x file'.padStart(7),
		'main heap'.padStart(10),
		'longest task'.padStart(13)
	];
	if (Object.keys(report.medians).length > 0) console.log(header.join(' '));
	for (const { id, label } of contenders) {
		const row = report.medians[id];
		if (!row) continue;
		console.log(
			[
				label.padEnd(34),
				row.mbPerSecond.toFixed(1).padStart(7),
				(row.ms / 1000).toFixed(2).padStart(7),
				String(row.rows).padStart(9),
				String(row.invalid).padStart(8),
				mb(row.rssPeakDeltaBytes).padStart(11),
				row.rssPeakOfFileSize.toFixed(2).padStart(7),
				mb(row.heapPeakBytes).padStart(10),
				`${row.longestTaskMs} ms`.padStart(13)
			].join(' ')
		);
	}
	for (const { id, label } of contenders) {
		const row = report.medians[id];
		if (!row) continue;
		console.log(`${label}: Chromium's CPU over a scan ${cpuShown(row)}`);
		const { againMbPerSecond, againMs, againCpuMs } = row;
		if (againMbPerSecond === undefined || againMs === undefined || againCpuMs === undefined)
			continue;
		console.log(
			`${label}, scanning again in the same page: ${againMbPerSecond.toFixed(1)} MB/s ` +
				`(${(againMs / 1000).toFixed(2)} s, CPU ${cpuShown({ cpuMs: againCpuMs, ms: againMs })}; ` +
				`the first scan ${row.mbPerSecond.toFixed(1)} MB/s)`
		);
	}
	for (const warning of report.warnings) console.log(warning);
	console.log('');
	for (const target of report.targets) {
		const status = target.met === null ? '—' : target.met ? 'met' : 'NOT met';
		const note = target.note ? ` (${target.note})` : '';
		console.log(`  ${status.padEnd(8)} ${target.name}: ${target.shown}${note}`);
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
