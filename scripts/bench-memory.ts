// Peak memory against file size (a benchmark, not a test): the bench user export at 100 MB and
// 1 GB, 100 MB of tiny `a,b` rows and one 200 MB field, each validated by the CLI
// (`node bin/ferry.js validate FILE --json`) and by the built app in headless Chromium. Prints the
// peaks, their ratio to the file size and whether issue 13's target holds: ≤ 1.5 × the file size
// + 250 MB for realistic exports, under 2 GB or a clear stop for pathological shapes. Writes
// docs/bench-results/memory-<date>.json. What the figures mean: docs/performance.md.
//
// Run: npm run bench:memory -- [--sizes 100,1000] [--files users,tiny-rows,one-field]
//      [--only cli,chromium]
// Builds the app and the CLI from this working tree first (buildApp). The files go to bench/out/
// and are re-used. The app is served by `vite preview` on 127.0.0.1:4197 (BENCH_PORT to change),
// Chromium from /usr/bin/chromium (CHROMIUM_PATH to change).
import type { Browser } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp, launchChromium, machine, root, startPreview, stop } from './lib/browser-bench';
import {
	descendants,
	highWaterOf,
	renderersAmong,
	samplePeaks,
	totalPss,
	totalRss,
	waitForExit
} from './lib/process-memory';
import { writeUserExport } from './lib/user-export';

const SAMPLE_MS = 50;
/** Longest wait for one file's outcome, in either runtime. */
const TIMEOUT_MS = 600_000;
const MB = 1e6;
const outDir = join(root, 'bench', 'out');
const PORT = Number(process.env.BENCH_PORT ?? 4197);
const ORIGIN = `http://127.0.0.1:${PORT}`;

const RUNTIMES = ['cli', 'chromium'] as const;
const FILE_KINDS = ['users', 'tiny-rows', 'one-field'] as const;
type Runtime = (typeof RUNTIMES)[number];

const { values: args } = parseArgs({
	options: {
		sizes: { type: 'string', default: '100,1000' },
		files: { type: 'string', default: FILE_KINDS.join(',') },
		only: { type: 'string', default: RUNTIMES.join(',') }
	}
});
function listOption<T extends string>(name: string, value: string, known: readonly T[]): T[] {
	const items = value.split(',').map((item) => item.trim());
	for (const item of items)
		if (!known.includes(item as T))
			throw new Error(`--${name}: unknown ${item} (${known.join(', ')})`);
	return items as T[];
}
const runtimes = listOption('only', args.only, RUNTIMES);
const kinds = listOption('files', args.files, FILE_KINDS);
const sizesMB = args.sizes.split(',').map(Number);
if (!sizesMB.every((size) => size > 0)) throw new Error('--sizes takes MB, e.g. 100,1000');

// ---- the files ---------------------------------------------------------------------------------

interface BenchFile {
	label: string;
	path: string;
	bytes: number;
	/** Realistic exports are held to the size-relative target, the others to the 2 GB one. */
	realistic: boolean;
}

/**
 * `head`, then `unit` repeated, then `tail`, exactly `bytes` long (`unit` is ASCII), written in
 * 4 MB batches; re-used when present, never left half-written under the final name.
 */
async function writeShape(name: string, head: string, unit: string, tail: string, bytes: number) {
	const path = join(outDir, `${name}-${bytes}B.csv`);
	if (existsSync(path)) return path;
	await mkdir(outDir, { recursive: true });
	const partial = `${path}.partial`;
	const handle = await open(partial, 'w');
	try {
		const units = (bytes - head.length - tail.length) / unit.length;
		if (!Number.isInteger(units)) throw new Error(`${name}: ${bytes} bytes is not whole units`);
		const perBatch = Math.floor(4e6 / unit.length);
		const batch = unit.repeat(perBatch);
		await handle.write(head);
		for (let left = units; left > 0; left -= perBatch)
			await handle.write(left >= perBatch ? batch : unit.repeat(left));
		await handle.write(tail);
		await handle.close();
		await rename(partial, path);
		return path;
	} catch (error) {
		await handle.close().catch(() => {});
		throw error;
	}
}

async function prepareFiles(): Promise<BenchFile[]> {
	const files: BenchFile[] = [];
	if (kinds.includes('users'))
		for (const sizeMB of sizesMB) {
			const file = await writeUserExport(outDir, Math.round(sizeMB * MB));
			files.push({
				label: `bench export ${sizeMB} MB`,
				path: file.path,
				bytes: file.bytes,
				realistic: true
			});
		}
	if (kinds.includes('tiny-rows')) {
		// 25 million rows of 4 bytes: more than the row cap (MAX_ROWS_PER_FILE).
		const path = await writeShape('tiny-rows', 'a,b\n', 'a,b\n', '', 100 * MB);
		files.push({ label: '`a,b` rows', path, bytes: statSync(path).size, realistic: false });
	}
	if (kinds.includes('one-field')) {
		const head = 'id,note\n1,';
		const path = await writeShape('one-field', head, 'x', '\n', 200 * MB);
		files.push({ label: 'one 200 MB field', path, bytes: statSync(path).size, realistic: false });
	}
	return files;
}

// ---- the runs ----------------------------------------------------------------------------------

interface Run {
	/**
	 * What the target is judged on: the CLI's high-water mark; in Chromium the renderers' summed
	 * proportional set (PSS), which divides each shared page among the processes that map it. A
	 * sum of resident sets counts Chromium's own code once per renderer (the page and its workers'
	 * processes), about 230 MB of the idle page that the page does not use more than once.
	 */
	peakBytes: number;
	/** Chromium: the same measure on the idle page, before the file. */
	idleBytes: number | null;
	/** The whole process tree's summed resident set, sampled every SAMPLE_MS. */
	treePeakBytes: number;
	/** Chromium: the renderers' summed resident set (RSS) at its peak and on the idle page. */
	rssPeakBytes: number | null;
	rssIdleBytes: number | null;
	/** Counts, or why there are none. */
	outcome: string;
	/** A stop with a message (exit 2, the app's error panel): a clear stop, not a crash. */
	stopped: boolean;
	/** Crashed, killed or no answer within TIMEOUT_MS. */
	failed: boolean;
	rows: number | null;
	ms: number;
}

async function runCli(file: BenchFile): Promise<Run> {
	const started = Date.now();
	const child = spawn(process.execPath, ['bin/ferry.js', 'validate', file.path, '--json'], {
		cwd: root,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const pid = child.pid!;
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
	child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
	// The high-water mark only grows: its last reading before the exit is the peak.
	const memory = samplePeaks(
		() => ({ highWater: highWaterOf(pid), tree: totalRss([pid, ...descendants(pid)]) }),
		SAMPLE_MS
	);
	const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
	const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
		child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]))
	);
	clearTimeout(timer);
	const peak = memory.stop();
	const ms = Date.now() - started;
	const common = {
		peakBytes: peak.highWater,
		idleBytes: null,
		treePeakBytes: peak.tree,
		rssPeakBytes: null,
		rssIdleBytes: null,
		ms
	};
	if (code === 0) {
		const rows = (JSON.parse(stdout) as { rows: number }).rows;
		return {
			...common,
			outcome: `${rows.toLocaleString('en-US')} rows`,
			stopped: false,
			failed: false,
			rows
		};
	}
	const message = stderr.trim().split('\n')[0] ?? '';
	return {
		...common,
		outcome: signal ? `killed (${signal})` : `exit ${code}: ${message}`,
		stopped: code === 2,
		failed: code !== 2,
		rows: null
	};
}

async function runChromium(browser: Browser, file: BenchFile, preview: ChildProcess): Promise<Run> {
	const context = await browser.newContext({ locale: 'en-US' });
	const page = await context.newPage();
	let crashed = false;
	page.once('crash', () => (crashed = true));
	try {
		await page.goto(ORIGIN);
		await page.getByTestId('dropzone').waitFor();
		// Chromium's processes: everything this script started, less the preview server.
		const server = new Set([preview.pid!, ...descendants(preview.pid!)]);
		const chromiumTree = () => descendants(process.pid).filter((pid) => !server.has(pid));
		const memory = samplePeaks(() => {
			const tree = chromiumTree();
			const renderers = renderersAmong(tree);
			return { renderers: totalRss(renderers), pss: totalPss(renderers), tree: totalRss(tree) };
		}, SAMPLE_MS);
		const started = Date.now();
		await page.getByTestId('file-input').setInputFiles(file.path, { timeout: TIMEOUT_MS });
		const settled = await page
			.waitForFunction(
				() =>
					document.querySelector('[data-testid="count-rows"]') !== null ||
					document.querySelector('[data-testid="error"]') !== null,
				null,
				{ timeout: TIMEOUT_MS, polling: 100 }
			)
			.then(
				() => true,
				() => false
			);
		const ms = Date.now() - started;
		const peak = memory.stop();
		const common = {
			peakBytes: peak.pss,
			idleBytes: memory.before.pss,
			treePeakBytes: peak.tree,
			rssPeakBytes: peak.renderers,
			rssIdleBytes: memory.before.renderers,
			ms
		};
		if (!settled)
			return {
				...common,
				outcome: crashed ? 'renderer crashed' : `no answer in ${TIMEOUT_MS / 1000} s`,
				stopped: false,
				failed: true,
				rows: null
			};
		const rowsText = await page
			.getByTestId('count-rows')
			.textContent({ timeout: 1_000 })
			.catch(() => null);
		if (rowsText !== null) {
			const rows = Number(rowsText);
			return {
				...common,
				outcome: `${rows.toLocaleString('en-US')} rows`,
				stopped: false,
				failed: false,
				rows
			};
		}
		const message = (await page.getByTestId('error').textContent())?.replace(/\s+/g, ' ').trim();
		return { ...common, outcome: `error: ${message}`, stopped: true, failed: false, rows: null };
	} finally {
		// The renderer goes with its context, so the next file starts with a fresh high-water mark.
		const renderers = renderersAmong(descendants(process.pid));
		await context.close().catch(() => {});
		await waitForExit(renderers);
	}
}

// ---- the target --------------------------------------------------------------------------------

/** Issue 13's bound for `file`, in bytes. */
const limitFor = (file: BenchFile) => (file.realistic ? 1.5 * file.bytes + 250 * MB : 2000 * MB);

function judge(file: BenchFile, run: Run) {
	const limit = limitFor(file);
	const under = run.peakBytes <= limit;
	// Pathological shapes: under 2 GB, or a clear stop; realistic exports: under the bound, with counts.
	const met = !run.failed && (file.realistic ? under && !run.stopped : under || run.stopped);
	return { limitBytes: limit, ratio: run.peakBytes / file.bytes, met };
}

// ---- main --------------------------------------------------------------------------------------

const mb = (bytes: number) => `${Math.round(bytes / MB).toLocaleString('en-US')} MB`;

async function main(): Promise<void> {
	const appEnv = buildApp();
	console.log('preparing the files under bench/out/');
	const files = await prepareFiles();
	for (const file of files) console.log(`  ${relative(root, file.path)} (${mb(file.bytes)})`);

	const results: { file: BenchFile; runs: Partial<Record<Runtime, Run>> }[] = files.map((file) => ({
		file,
		runs: {}
	}));
	let chromiumVersion = 'not run';
	if (runtimes.includes('cli'))
		for (const result of results) {
			console.log(`CLI: ${basename(result.file.path)}`);
			result.runs.cli = await runCli(result.file);
			console.log(`  ${mb(result.runs.cli.peakBytes)} peak, ${result.runs.cli.outcome}`);
		}
	if (runtimes.includes('chromium')) {
		let preview: ChildProcess | undefined;
		let browser: Browser | undefined;
		try {
			preview = await startPreview(PORT, [], appEnv);
			browser = await launchChromium();
			chromiumVersion = browser.version();
			for (const result of results) {
				console.log(`Chromium: ${basename(result.file.path)}`);
				result.runs.chromium = await runChromium(browser, result.file, preview);
				console.log(
					`  ${mb(result.runs.chromium.peakBytes)} renderer peak, ${result.runs.chromium.outcome}`
				);
			}
		} finally {
			await browser?.close().catch(() => {});
			stop(preview);
		}
	}

	const date = new Date().toISOString();
	const given = process.argv.slice(2);
	const report = {
		date,
		machine: machine(chromiumVersion),
		command: ['npm run bench:memory', ...(given.length ? ['--', ...given] : [])].join(' '),
		sampleMs: SAMPLE_MS,
		results: results.map(({ file, runs }) => ({
			file: { ...file, path: relative(root, file.path) },
			runs: Object.fromEntries(
				Object.entries(runs).map(([runtime, run]) => [runtime, { ...run, ...judge(file, run) }])
			)
		}))
	};
	const resultsDir = join(root, 'docs', 'bench-results');
	mkdirSync(resultsDir, { recursive: true });
	const written = join(resultsDir, `memory-${date.replace(/[:.]/g, '-')}.json`);
	writeFileSync(written, JSON.stringify(report, null, '\t') + '\n');
	print(report.machine, results);
	console.log(`written ${relative(root, written)}`);
}

function print(
	host: ReturnType<typeof machine>,
	results: { file: BenchFile; runs: Partial<Record<Runtime, Run>> }[]
): void {
	console.log('');
	console.log(
		`${host.cpu}, ${host.cores} cores, ${(host.memoryBytes / 2 ** 30).toFixed(1)} GiB; ` +
			`Node ${host.node}; Chromium ${host.chromium}`
	);
	const cell = (file: BenchFile, run: Run | undefined) => {
		if (!run) return ['—', '—', '—', '—'];
		const { ratio, met } = judge(file, run);
		const idle = run.idleBytes === null ? '' : ` (${mb(run.idleBytes)})`;
		return [mb(run.peakBytes) + idle, `${ratio.toFixed(2)}×`, run.outcome, met ? 'yes' : 'NO'];
	};
	console.log(
		'| file | size | CLI peak | × size | CLI outcome | target | Chromium renderer PSS peak (idle page) | × size | Chromium outcome | target | bound |'
	);
	console.log('|---|---|---|---|---|---|---|---|---|---|---|');
	for (const { file, runs } of results)
		console.log(
			`| ${[
				file.label,
				mb(file.bytes),
				...cell(file, runs.cli),
				...cell(file, runs.chromium),
				file.realistic ? `≤ ${mb(limitFor(file))}` : '< 2,000 MB or a clear stop'
			].join(' | ')} |`
		);
	console.log('');
	for (const { file, runs } of results)
		for (const [runtime, run] of Object.entries(runs))
			console.log(
				`  ${file.label}, ${runtime}: whole process tree peak ${mb(run.treePeakBytes)}, ` +
					(run.rssPeakBytes === null
						? ''
						: `renderers' summed RSS peak ${mb(run.rssPeakBytes)} (idle page ${mb(run.rssIdleBytes ?? 0)}), `) +
					`${(run.ms / 1000).toFixed(1)} s`
			);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
