// Upload in the browser (not a test): 100,000 valid rows dropped into the built app in headless
// Chromium, validated by its workers and uploaded by it to a reference import API that this script
// starts (its own process and temporary database). Prints rows per second, the gzip bytes sent per
// row against the raw CSV, and the main thread's long tasks (PerformanceObserver 'longtask')
// during the upload: the upload must not block the page (no task over 50 ms).
//
// Builds the app from this working tree first (buildApp: never a build an earlier tree left).
// Serves it with `vite preview` on 127.0.0.1:4193 (BENCH_PORT to change), Chromium from
// /usr/bin/chromium (CHROMIUM_PATH to change). Writes bench/out/upload-browser.json.
// Run: npm run bench:upload (the Node bench, then this), or tsx scripts/bench-upload-browser.ts [rows]
import type { Browser, Page } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReferenceApi, type ReferenceApi } from '../tests/support/reference-api';
import { buildApp, launchChromium, root, startPreview, stop } from './lib/browser-bench';
import { legacyExportCsv } from './lib/legacy-export';

const ROWS = Number(process.argv[2] ?? 100_000);
const PORT = Number(process.env.BENCH_PORT ?? 4193);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const TOKEN = 'bench';
const LONG_TASK_MS = 50;

interface LongTask {
	start: number;
	duration: number;
}
declare global {
	interface Window {
		__longTasks: LongTask[];
		__uploadClicked: number | null;
		__uploadComplete: number | null;
	}
}

/** Runs in the page before its own scripts: long tasks, and when the upload starts and ends. */
function instrument(): void {
	window.__longTasks = [];
	window.__uploadClicked = null;
	window.__uploadComplete = null;
	new PerformanceObserver((list) => {
		for (const entry of list.getEntries())
			window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
	}).observe({ type: 'longtask', buffered: true });
	// The timestamps come from the page's clock: a click on upload-start, and the status turning
	// "Complete" (a MutationObserver sees it in the same frame, no polling).
	document.addEventListener(
		'click',
		(event) => {
			if ((event.target as Element | null)?.closest?.('[data-testid="upload-start"]'))
				window.__uploadClicked = performance.now();
		},
		true
	);
	new MutationObserver(() => {
		if (window.__uploadClicked === null || window.__uploadComplete !== null) return;
		const status = document.querySelector('[data-testid="upload-status"]');
		if (status?.textContent?.startsWith('Complete')) window.__uploadComplete = performance.now();
	}).observe(document, { subtree: true, childList: true, characterData: true });
}

const takeLongTasks = (page: Page) =>
	page.evaluate(() => {
		const tasks = window.__longTasks;
		window.__longTasks = [];
		return tasks;
	});

function summarise(tasks: LongTask[]) {
	return {
		count: tasks.length,
		over50ms: tasks.filter((task) => task.duration > LONG_TASK_MS).length,
		longestMs: Math.round(Math.max(0, ...tasks.map((task) => task.duration))),
		totalMs: Math.round(tasks.reduce((sum, task) => sum + task.duration, 0))
	};
}

async function main(): Promise<void> {
	const appEnv = buildApp();
	const temp = mkdtempSync(join(tmpdir(), 'ferry-bench-upload-browser-'));
	let api: ReferenceApi | undefined;
	let preview: ChildProcess | undefined;
	let browser: Browser | undefined;
	try {
		api = await startReferenceApi({ token: TOKEN, args: ['--cors', ORIGIN] });
		const apiUrl = api.url;
		preview = await startPreview(PORT, [], appEnv);

		const csv = legacyExportCsv(ROWS, { quoted: true });
		const csvBytes = Buffer.byteLength(csv);
		const csvPath = join(temp, 'bench-upload.csv');
		writeFileSync(csvPath, csv);

		browser = await launchChromium();
		const chromiumVersion = browser.version();
		const context = await browser.newContext({ baseURL: ORIGIN, locale: 'en-GB' });
		await context.addInitScript(instrument);
		// The chunk bodies as they leave the browser (the page and its workers).
		let chunkPuts = 0;
		let bodyBytes = 0;
		let firstPutAt = 0;
		context.on('request', (request) => {
			if (request.method() !== 'PUT' || !/\/chunks\//.test(request.url())) return;
			if (chunkPuts === 0) firstPutAt = Date.now();
			chunkPuts += 1;
			bodyBytes += request.postDataBuffer()?.length ?? 0;
		});
		const page = await context.newPage();
		page.on('pageerror', (error) => console.error(`page error: ${error.message}`));

		// The destination, as the settings page stores it (src/lib/state/settings.svelte.ts).
		await page.goto('/');
		await page.evaluate(
			([url, token]) =>
				localStorage.setItem(
					'ferry.destination',
					JSON.stringify({
						url,
						token,
						mode: 'create',
						upsert: false,
						rowsPerChunk: null,
						bytesPerChunk: null
					})
				),
			[apiUrl, TOKEN]
		);
		await page.reload();
		await page.getByTestId('dropzone').waitFor();

		// The observer works here: a deliberate 80 ms task on the main thread must be reported (in a
		// timer: what page.evaluate runs itself is not a task the page's scheduler reports).
		await takeLongTasks(page);
		await page.evaluate(() => {
			setTimeout(() => {
				const until = performance.now() + 80;
				while (performance.now() < until);
			});
		});
		await page.waitForFunction(() => window.__longTasks.some((task) => task.duration >= 80), null, {
			timeout: 5_000
		});

		// Validation (for information): from the file to the counts.
		await takeLongTasks(page);
		const validationStarted = Date.now();
		await page.getByTestId('file-input').setInputFiles(csvPath);
		const valid = page.getByTestId('count-valid');
		await page.waitForFunction(
			(rows) =>
				document.querySelector('[data-testid="count-valid"]')?.textContent === String(rows) &&
				!(document.querySelector('[data-testid="upload-start"]') as HTMLButtonElement | null)
					?.disabled,
			ROWS,
			{ timeout: 300_000, polling: 250 }
		);
		const validationMs = Date.now() - validationStarted;
		const rowsCounted = await page.getByTestId('count-rows').textContent();
		if (rowsCounted !== String(ROWS) || (await valid.textContent()) !== String(ROWS))
			throw new Error(`${rowsCounted} rows read, ${await valid.textContent()} valid`);
		const validationTasks = summarise(await takeLongTasks(page));

		// The upload: long tasks from the click to "Complete" only.
		await takeLongTasks(page);
		chunkPuts = 0;
		bodyBytes = 0;
		const clickAt = Date.now();
		await page.getByTestId('upload-start').click();
		await page.waitForFunction(() => window.__uploadComplete !== null, null, {
			timeout: 600_000,
			polling: 500
		});
		const { clicked, complete, tasks } = await page.evaluate(() => ({
			clicked: window.__uploadClicked!,
			complete: window.__uploadComplete!,
			tasks: window.__longTasks.filter(
				(task) =>
					task.start + task.duration >= window.__uploadClicked! &&
					task.start <= window.__uploadComplete!
			)
		}));
		const uploadMs = complete - clicked;
		const uploadTasks = summarise(tasks);

		// The destination has every row.
		const response = await fetch(`${apiUrl}/sources`, {
			headers: { authorization: `Bearer ${TOKEN}` }
		});
		const { sources } = (await response.json()) as {
			sources: { name: string; status: string; rows: number }[];
		};
		const source = sources.find((view) => view.name === 'bench-upload.csv');
		if (!source || source.rows !== ROWS || source.status !== 'complete')
			throw new Error(`the API has ${JSON.stringify(source)}`);

		const result = {
			rows: ROWS,
			chromium: chromiumVersion,
			node: process.version,
			validation: { ms: validationMs, longTasks: validationTasks },
			upload: {
				ms: Math.round(uploadMs),
				rowsPerSecond: Math.round(ROWS / (uploadMs / 1000)),
				// Every chunk is stored on the device before the first is sent.
				firstChunkSentMs: firstPutAt - clickAt,
				chunkPuts,
				gzipBytes: bodyBytes,
				gzipBytesPerRow: Number((bodyBytes / ROWS).toFixed(1)),
				csvBytes,
				csvBytesPerRow: Number((csvBytes / ROWS).toFixed(1)),
				gzipOfCsv: Number((bodyBytes / csvBytes).toFixed(3)),
				longTasks: uploadTasks
			}
		};
		const outDir = join(root, 'bench', 'out');
		mkdirSync(outDir, { recursive: true });
		writeFileSync(join(outDir, 'upload-browser.json'), JSON.stringify(result, null, '\t') + '\n');

		const n = (value: number) => value.toLocaleString('en-US');
		const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
		console.log(
			`Ferry upload bench in the browser: ${n(ROWS)} valid rows, Chromium ${chromiumVersion}`
		);
		console.log(
			`  validation      ${(validationMs / 1000).toFixed(2)} s  longest main-thread task ` +
				`${validationTasks.longestMs} ms, ${validationTasks.over50ms} over ${LONG_TASK_MS} ms (information)`
		);
		console.log(
			`  upload          ${(uploadMs / 1000).toFixed(2)} s  click to "Complete", ${chunkPuts} chunk PUTs`
		);
		console.log(
			`  first chunk     sent ${(result.upload.firstChunkSentMs / 1000).toFixed(2)} s after the click (every chunk is stored first)`
		);
		console.log(`  rows/s          ${n(result.upload.rowsPerSecond)}`);
		console.log(`  raw CSV         ${mb(csvBytes)}  ${result.upload.csvBytesPerRow} bytes/row`);
		console.log(
			`  gzip sent       ${mb(bodyBytes)}  ${result.upload.gzipBytesPerRow} bytes/row ` +
				`(${(result.upload.gzipOfCsv * 100).toFixed(0)}% of the raw CSV)`
		);
		console.log(
			`  main thread     longest task ${uploadTasks.longestMs} ms during the upload, ` +
				`${uploadTasks.over50ms} over ${LONG_TASK_MS} ms (${uploadTasks.count} long tasks, ${uploadTasks.totalMs} ms in all)`
		);
		console.log(`  written         bench/out/upload-browser.json`);
	} finally {
		await browser?.close().catch(() => {});
		stop(preview);
		await api?.stop();
		rmSync(temp, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
