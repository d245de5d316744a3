// Where the app's memory is, thread by thread, through the steps after a drop: the file validated
// (and its roles gathered), one column's field changed (name → nickname: that column re-checked
// alone), then a change that re-scans the whole file (name → last_login_date: a date). Samples the
// renderers' summed PSS (as bench:memory and bench-remap) and, over the DevTools protocol, each
// thread's JS heap plus ArrayBuffer backing stores (Runtime.getHeapUsage on the page, the parse
// worker and the range workers), every 40 ms; prints each step's PSS peak and what every thread
// held at that moment. A benchmark, not a test.
//   npm run bench:heaps -- [file]
//   (builds the app first; under flock /tmp/ferry-e2e.lock)
import { buildApp, launchChromium, sleep, startPreview, stop } from './lib/browser-bench';
import { descendants, renderersAmong, totalPss } from './lib/process-memory';

const file = process.argv[2] ?? 'bench/out/users-v1-seed7-100000000B.csv';
const port = 4300 + Math.floor(Math.random() * 600);
const debugPort = 9300 + Math.floor(Math.random() * 600);
const TIMEOUT_MS = 180_000;

interface Reply {
	id?: number;
	method?: string;
	sessionId?: string;
	result?: { usedSize?: number; backingStorageSize?: number };
	params?: { sessionId: string; targetInfo: { type: string; url: string } };
}

const preview = await startPreview(port, [], buildApp());
const browser = await launchChromium([`--remote-debugging-port=${debugPort}`]);
const version = await (await fetch(`http://127.0.0.1:${debugPort}/json/version`)).json();
const socket = new WebSocket(version.webSocketDebuggerUrl);
await new Promise((resolve) => socket.addEventListener('open', resolve));

let lastId = 0;
const waiting = new Map<number, (reply: Reply) => void>();
/** Attached threads (flat sessions), by session: "page", "parse", "range 1", … */
const threads = new Map<string, string>();
const send = (method: string, params: object = {}, sessionId?: string) =>
	new Promise<Reply>((resolve) => {
		const id = ++lastId;
		waiting.set(id, resolve);
		socket.send(JSON.stringify({ id, method, params, sessionId }));
	});
const autoAttach = (sessionId?: string) =>
	send(
		'Target.setAutoAttach',
		{ autoAttach: true, waitForDebuggerOnStart: false, flatten: true },
		sessionId
	);
let ranges = 0;
let sampling = true;
// A closed connection (the browser gone) answers every call still waiting, so nothing hangs.
socket.addEventListener('close', () => {
	for (const answer of waiting.values()) answer({});
	waiting.clear();
	sampling = false;
});
socket.addEventListener('message', (event) => {
	const reply = JSON.parse(String(event.data)) as Reply;
	if (reply.id !== undefined) {
		waiting.get(reply.id)?.(reply);
		waiting.delete(reply.id);
	} else if (reply.method === 'Target.attachedToTarget' && reply.params) {
		const { sessionId, targetInfo } = reply.params;
		const name = targetInfo.url.includes('range.worker')
			? `range ${++ranges}`
			: targetInfo.url.includes('parse.worker')
				? 'parse'
				: targetInfo.type === 'page'
					? 'page'
					: null;
		if (!name) return;
		threads.set(sessionId, name);
		// Workers the parse worker starts are attached too.
		void autoAttach(sessionId);
	} else if (reply.method === 'Target.detachedFromTarget' && reply.params) {
		threads.delete(reply.params.sessionId);
	}
});
await autoAttach();

const context = await browser.newContext({ locale: 'en-US' });
const page = await context.newPage();
await page.goto(`http://127.0.0.1:${port}/`);
await page.getByTestId('dropzone').waitFor();
const server = new Set([preview.pid!, ...descendants(preview.pid!)]);
const renderers = renderersAmong(descendants(process.pid).filter((pid) => !server.has(pid)));

interface Sample {
	at: number;
	pss: number;
	heaps: Record<string, number>;
}
const started = Date.now();
const samples: Sample[] = [];
const sampler = (async () => {
	while (sampling) {
		const heaps: Record<string, number> = {};
		await Promise.all(
			[...threads].map(async ([sessionId, name]) => {
				// A worker that ends during the call never answers it.
				const reply = await Promise.race([
					send('Runtime.getHeapUsage', {}, sessionId),
					sleep(2000).then((): Reply => ({}))
				]);
				const usage = reply.result;
				if (usage?.usedSize !== undefined)
					heaps[name] = usage.usedSize + (usage.backingStorageSize ?? 0);
			})
		);
		samples.push({ at: Date.now() - started, pss: totalPss(renderers), heaps });
		await sleep(40);
	}
})();

const steps: [string, number][] = [];
const step = (name: string) => steps.push([name, Date.now() - started]);

/** Changes the name column's field and waits for the new counts. */
async function change(field: string) {
	await page.evaluate((field) => {
		const select = document.querySelector<HTMLSelectElement>(
			'[data-testid="mapping-row"][data-column="name"] select'
		)!;
		select.value = field;
		select.dispatchEvent(new Event('change', { bubbles: true }));
	}, field);
	await page
		.getByTestId('progress')
		.waitFor({ state: 'attached', timeout: 5000 })
		.catch(() => {});
	await page.getByTestId('progress').waitFor({ state: 'detached', timeout: TIMEOUT_MS });
	await sleep(1000);
}

step('drop, validation and roles');
await page.getByTestId('file-input').setInputFiles(file, { timeout: TIMEOUT_MS });
await page.getByTestId('engine').waitFor({ timeout: TIMEOUT_MS });
await sleep(1000);
step('name → nickname (one column)');
await change('nickname');
step('name → last_login_date (whole file)');
await change('last_login_date');
step('end');
sampling = false;
await sampler;

const mb = (bytes: number) => (bytes / 1e6).toFixed(0);
const heapsOf = (sample: Sample) =>
	Object.entries(sample.heaps)
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([name, bytes]) => `${name} ${mb(bytes)}`)
		.join(', ');
console.log(`${file}; MB: renderers' summed PSS, and each thread's JS heap + ArrayBuffers`);
for (let i = 0; i + 1 < steps.length; i++) {
	const during = samples.filter((s) => s.at >= steps[i][1] && s.at < steps[i + 1][1]);
	const peak = during.reduce((high, s) => (s.pss > high.pss ? s : high), during[0]);
	const rest = during[during.length - 1];
	console.log(
		`${steps[i][0]}: PSS ${mb(during[0].pss)} → peak ${mb(peak.pss)} (${heapsOf(peak)}) → ${mb(rest.pss)} after (${heapsOf(rest)})`
	);
}
socket.close();
await browser.close();
stop(preview);
