// Issue 14's mapping change, timed in headless Chromium on the built app: a file is dropped and
// validated whole, then one plain column's field is changed (name → nickname: that column is
// checked again alone) and then unmapped. Each time is from the select's change event to the
// page showing the new counts; the app's own "rows in N ms" is printed beside it.
//   npx tsx scripts/bench-remap.ts [file] [runs]   (builds the app first; run under flock /tmp/ferry-e2e.lock)
import { parseArgs } from 'node:util';
import type { Page } from '@playwright/test';
import { buildApp, launchChromium, startPreview, stop } from './lib/browser-bench';
import { descendants, renderersAmong, samplePeaks, totalPss } from './lib/process-memory';

const { positionals } = parseArgs({ allowPositionals: true });
const file = positionals[0] ?? 'bench/out/users-v1-seed7-100000000B.csv';
const runs = Number(positionals[1] ?? 5);
const port = 4300 + Math.floor(Math.random() * 600);
const TIMEOUT_MS = 180_000;

/** The status line after a scan: "862,105 rows in 1290 ms · engine wasm-simd". */
const status = (page: Page) =>
	page.evaluate(
		() => document.querySelector('[data-testid="engine"]')?.parentElement?.textContent ?? ''
	);
const appMs = (text: string) => Number(/in (\d+) ms/.exec(text)?.[1] ?? NaN);

/** Changes `column`'s field and waits until the page shows the counts of the new mapping. */
function change(page: Page, column: string, field: string): Promise<number> {
	return page.evaluate(
		({ column, field }) => {
			const select = document.querySelector<HTMLSelectElement>(
				`[data-testid="mapping-row"][data-column="${column}"] select`
			)!;
			const line = () =>
				document.querySelector('[data-testid="engine"]')?.parentElement?.textContent ?? '';
			const before = line();
			return new Promise<number>((resolve) => {
				const started = performance.now();
				const done = () =>
					document.querySelector('[data-testid="progress"]') === null &&
					line() !== '' &&
					line() !== before;
				const observer = new MutationObserver(() => {
					if (!done()) return;
					observer.disconnect();
					resolve(performance.now() - started);
				});
				observer.observe(document.body, { subtree: true, childList: true, characterData: true });
				select.value = field;
				select.dispatchEvent(new Event('change', { bubbles: true }));
			});
		},
		{ column, field }
	);
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(0);
const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const preview = await startPreview(port, [], buildApp());
const browser = await launchChromium();
const results: {
	whole: number;
	column: number;
	columnApp: number;
	unmapped: number;
	wholePss: number;
	pss: number;
}[] = [];
try {
	for (let run = 0; run < runs; run++) {
		// A fresh context each run: no mapping remembered from the run before.
		const context = await browser.newContext({ locale: 'en-US' });
		// tsx names the functions of the page scripts above with a helper the page lacks.
		await context.addInitScript('globalThis.__name = (f) => f');
		const page = await context.newPage();
		await page.goto(`http://127.0.0.1:${port}/`);
		await page.getByTestId('dropzone').waitFor();
		const server = new Set([preview.pid!, ...descendants(preview.pid!)]);
		const renderersOf = () =>
			renderersAmong(descendants(process.pid).filter((pid) => !server.has(pid)));
		const memory = samplePeaks(() => ({ pss: totalPss(renderersOf()) }), 50);
		await page.getByTestId('file-input').setInputFiles(file, { timeout: TIMEOUT_MS });
		await page.getByTestId('engine').waitFor({ timeout: TIMEOUT_MS });
		const whole = appMs(await status(page));
		const rows = await page.getByTestId('count-rows').textContent();
		// The worker then reads the roles column's values through the whole file: the admin's
		// change comes once that is done, as it would after looking at the counts.
		await page.getByTestId('role-mapping').waitFor({ timeout: TIMEOUT_MS });
		const wholePss = memory.stop().pss;
		const remapMemory = samplePeaks(() => ({ pss: totalPss(renderersOf()) }), 50);
		const column = await change(page, 'name', 'nickname');
		const columnApp = appMs(await status(page));
		await page.getByTestId('role-mapping').waitFor({ timeout: TIMEOUT_MS });
		const unmapped = await change(page, 'name', '');
		const pss = remapMemory.stop().pss;
		const uptime = (await import('node:os')).loadavg().map((load) => load.toFixed(2));
		console.log(
			`run ${run + 1}: ${rows} rows; whole validation ${whole} ms; name → nickname ${column.toFixed(0)} ms ` +
				`(app ${columnApp} ms); name → none ${unmapped.toFixed(0)} ms; renderers' PSS peak ${mb(wholePss)} MB drop and validation, ${mb(pss)} MB the changes; load ${uptime.join(' ')}`
		);
		results.push({ whole, column, columnApp, unmapped, wholePss, pss });
		await context.close();
	}
} finally {
	await browser.close();
	stop(preview);
}
const of = (key: keyof (typeof results)[number]) => median(results.map((result) => result[key]));
console.log(
	`median of ${runs}: whole validation ${of('whole')} ms; name → nickname ${of('column').toFixed(0)} ms ` +
		`(app ${of('columnApp')} ms); name → none ${of('unmapped').toFixed(0)} ms; PSS peak ${mb(of('wholePss'))} MB drop and validation, ${mb(of('pss'))} MB the changes`
);
