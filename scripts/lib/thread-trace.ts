// What each of the browser's threads did during one benchmark run (issue 14: what keeps the range
// workers from running side by side): its CPU time and its time waiting for a core, from Linux's
// /proc/PID/task/TID/schedstat read before, every 25 ms during (range workers end with their scan)
// and after the run; which thread is the parse worker or a range
// worker, its garbage collection, and the page's performance.measure() spans by name, from a
// Chromium trace recorded over the browser's CDP session.
import type { Browser, CDPSession } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';

const CATEGORIES = ['devtools.timeline', 'blink.user_timing'];

interface TraceEvent {
	name: string;
	cat: string;
	ph: string;
	pid: number;
	tid: number;
	ts: number;
	dur?: number;
	id?: string;
	id2?: { local?: string; global?: string };
	args?: { name?: string; data?: { url?: string } };
}

/** Nanoseconds a thread has run, and waited runnable for a core, by thread id. */
type Clocks = Map<number, { pid: number; name: string; runNs: number; waitNs: number }>;

/** Chromium's processes among `pids`, by what Chromium calls them (browser, renderer, gpu-process, …). */
export function chromiumProcesses(pids: number[]): Map<number, string> {
	const found = new Map<number, string>();
	for (const pid of pids) {
		try {
			// Chromium rewrites its command line with spaces between the arguments.
			const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
			if (!args[0].includes('chromium')) continue;
			const type = args.find((arg) => arg.startsWith('--type='))?.slice('--type='.length);
			found.set(pid, type ?? 'browser');
		} catch {
			// Exited meanwhile.
		}
	}
	return found;
}

export interface ThreadUse {
	/** The process's --type (browser, renderer, …) and id. */
	process: string;
	/** parse worker, range worker N, or the thread's own name. */
	thread: string;
	cpuMs: number;
	/** Runnable but not running: every core was busy (with this browser or anything else). */
	waitingForCoreMs: number;
	gcMs: number;
	/** The page's performance.measure() spans on this thread, summed by name. */
	measuresMs: Record<string, number>;
}

function clocksOf(pids: number[]): Clocks {
	const clocks: Clocks = new Map();
	for (const pid of pids) {
		let tids: string[];
		try {
			tids = readdirSync(`/proc/${pid}/task`);
		} catch {
			continue; // Exited meanwhile.
		}
		for (const tid of tids) {
			try {
				const [runNs, waitNs] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')
					.split(' ')
					.map(Number);
				const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
				clocks.set(Number(tid), { pid, name, runNs, waitNs });
			} catch {
				// Exited meanwhile.
			}
		}
	}
	return clocks;
}

/** The share of time some runnable task waited for a core, machine-wide (/proc/pressure/cpu), in µs. */
function cpuPressureUs(): number {
	const match = /^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
	return match ? Number(match[1]) : 0;
}

/** How often the threads' clocks are read during a run, so that a thread that ends in it counts. */
const SAMPLE_MS = 25;

export class ThreadTrace {
	/** Each thread's clocks as last read: a range worker ends with its scan, before stop(). */
	private readonly latest: Clocks;
	private readonly sampler: ReturnType<typeof setInterval>;

	private constructor(
		private readonly session: CDPSession,
		private readonly processes: () => Map<number, string>,
		private readonly before: Clocks,
		private readonly pressureBefore: number,
		private readonly started: number
	) {
		this.latest = new Map(before);
		this.sampler = setInterval(() => this.sample(), SAMPLE_MS);
	}

	private sample(): void {
		for (const [tid, clock] of clocksOf([...this.processes().keys()])) this.latest.set(tid, clock);
	}

	/** Starts tracing the browser whose processes `pids` answers. */
	static async start(browser: Browser, processes: () => Map<number, string>): Promise<ThreadTrace> {
		const session = await browser.newBrowserCDPSession();
		await session.send('Tracing.start', {
			transferMode: 'ReturnAsStream',
			traceConfig: { includedCategories: CATEGORIES }
		});
		const before = clocksOf([...processes().keys()]);
		return new ThreadTrace(session, processes, before, cpuPressureUs(), performance.now());
	}

	/** Ends the trace; answers each thread's use of the time since start. */
	async stop(): Promise<{
		wallMs: number;
		someWaitingMs: number;
		browserCpuMs: number;
		threads: ThreadUse[];
	}> {
		clearInterval(this.sampler);
		this.sample();
		const processes = this.processes();
		// A thread that ended lost at most its last SAMPLE_MS.
		const after = this.latest;
		const wallMs = performance.now() - this.started;
		const someWaitingMs = (cpuPressureUs() - this.pressureBefore) / 1000;
		const complete = new Promise<string>((resolve) =>
			this.session.once('Tracing.tracingComplete', (event) => resolve(event.stream!))
		);
		await this.session.send('Tracing.end');
		const handle = await complete;
		const chunks: string[] = [];
		for (;;) {
			const chunk = await this.session.send('IO.read', { handle, size: 1 << 22 });
			chunks.push(chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data);
			if (chunk.eof) break;
		}
		await this.session.send('IO.close', { handle });
		await this.session.detach();
		const parsed = JSON.parse(chunks.join('')) as TraceEvent[] | { traceEvents: TraceEvent[] };
		const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
		const threads = threadUse(events, processes, this.before, after);
		const browserCpuMs = threads.reduce((sum, thread) => sum + thread.cpuMs, 0);
		return { wallMs, someWaitingMs, browserCpuMs, threads };
	}
}

function threadUse(
	events: TraceEvent[],
	processes: Map<number, string>,
	before: Clocks,
	after: Clocks
): ThreadUse[] {
	const roles = new Map<number, string>();
	const gcMs = new Map<number, number>();
	const measures = new Map<number, Record<string, number>>();
	const open = new Map<string, number>();
	for (const event of events) {
		const url = event.args?.data?.url ?? '';
		if (url.includes('range.worker')) roles.set(event.tid, 'range worker');
		else if (url.includes('parse.worker')) roles.set(event.tid, 'parse worker');
		if (event.ph === 'X' && (event.name === 'MajorGC' || event.name === 'MinorGC'))
			gcMs.set(event.tid, (gcMs.get(event.tid) ?? 0) + event.dur! / 1000);
		// performance.measure() spans: async begin/end pairs with an id.
		if (event.cat !== 'blink.user_timing' || (event.ph !== 'b' && event.ph !== 'e')) continue;
		const id = `${event.tid}:${event.name}:${event.id ?? event.id2?.local ?? event.id2?.global}`;
		if (event.ph === 'b') open.set(id, event.ts);
		else if (open.has(id)) {
			const own = measures.get(event.tid) ?? {};
			own[event.name] = (own[event.name] ?? 0) + (event.ts - open.get(id)!) / 1000;
			measures.set(event.tid, own);
			open.delete(id);
		}
	}
	const threads: ThreadUse[] = [];
	let ranges = 0;
	for (const [tid, clock] of after) {
		const start = before.get(tid) ?? { runNs: 0, waitNs: 0 };
		const cpuMs = (clock.runNs - start.runNs) / 1e6;
		if (cpuMs === 0) continue;
		const role = roles.get(tid);
		threads.push({
			process: `${processes.get(clock.pid)} ${clock.pid}`,
			thread: role === 'range worker' ? `range worker ${++ranges}` : (role ?? clock.name),
			cpuMs,
			waitingForCoreMs: (clock.waitNs - start.waitNs) / 1e6,
			gcMs: gcMs.get(tid) ?? 0,
			measuresMs: measures.get(tid) ?? {}
		});
	}
	return threads.sort((a, b) => b.cpuMs - a.cpuMs);
}
