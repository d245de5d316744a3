// What each of the browser's threads did during one benchmark run (issue 14: what keeps the range
// workers from running side by side): its CPU time and its time waiting for a core, from Linux's
// /proc/PID/task/TID/schedstat read before, every 25 ms during (range workers end with their scan)
// and after the run; which thread is the parse worker or a range
// worker, its garbage collection, and the page's performance.measure() spans by name, from a
// Chromium trace recorded over the browser's CDP session. With `profile`, the trace also holds V8's
// sampling CPU profile of every thread, summed into the functions each thread ran most (their own
// time, not what they called).
import type { Browser, CDPSession } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';

const CATEGORIES = ['devtools.timeline', 'blink.user_timing'];
/** V8's sampling profiler, one profile per thread in the trace (it slows the run further). */
const PROFILER_CATEGORY = 'disabled-by-default-v8.cpu_profiler';
/** Functions kept per thread: those with the most own time. */
const TOP_FUNCTIONS = 15;

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
	args?: { name?: string; data?: { url?: string } & Partial<ProfileChunk> };
}

/** A piece of a thread's sampled profile (trace event ProfileChunk). */
interface ProfileChunk {
	cpuProfile: {
		nodes?: { id: number; parent?: number; callFrame: { functionName: string; url?: string } }[];
		samples?: number[];
	};
	timeDeltas: number[];
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
	/** With a profile: the functions this thread ran most, by their own sampled time (ms). */
	topFunctions?: { name: string; ms: number }[];
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
	/** Each thread's clocks as last read: a thread that ends before stop() still counts. */
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
	static async start(
		browser: Browser,
		processes: () => Map<number, string>,
		profile = false
	): Promise<ThreadTrace> {
		const session = await browser.newBrowserCDPSession();
		await session.send('Tracing.start', {
			transferMode: 'ReturnAsStream',
			traceConfig: { includedCategories: profile ? [...CATEGORIES, PROFILER_CATEGORY] : CATEGORIES }
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
	const profiles = sampledFunctions(events);
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
			measuresMs: measures.get(tid) ?? {},
			topFunctions: profiles.get(tid)
		});
	}
	return threads.sort((a, b) => b.cpuMs - a.cpuMs);
}

/**
 * Each profiled thread's functions by own sampled time, most first: a sample's time is the gap to
 * the next one, and goes to the function on top of the stack (idle time to none).
 */
function sampledFunctions(events: TraceEvent[]): Map<number, { name: string; ms: number }[]> {
	const threadOf = new Map<string, number>();
	for (const event of events)
		if (event.name === 'Profile') threadOf.set(`${event.pid}:${event.id}`, event.tid);
	const profiles = new Map<
		number,
		{ names: Map<number, string>; samples: number[]; deltas: number[] }
	>();
	for (const event of events) {
		const chunk = event.args?.data;
		const tid = threadOf.get(`${event.pid}:${event.id}`);
		if (event.name !== 'ProfileChunk' || !chunk || tid === undefined) continue;
		let profile = profiles.get(tid);
		if (!profile) profiles.set(tid, (profile = { names: new Map(), samples: [], deltas: [] }));
		for (const node of chunk.cpuProfile?.nodes ?? []) {
			const { functionName, url } = node.callFrame;
			const file = url
				? ` ${url
						.split('/')
						.pop()
						?.replace(/-[\w-]{8}\.js$/, '.js')}`
				: '';
			profile.names.set(node.id, `${functionName || '(anonymous)'}${file}`);
		}
		profile.samples.push(...(chunk.cpuProfile?.samples ?? []));
		profile.deltas.push(...(chunk.timeDeltas ?? []));
	}
	const tops = new Map<number, { name: string; ms: number }[]>();
	for (const [tid, { names, samples, deltas }] of profiles) {
		const own = new Map<string, number>();
		for (let i = 0; i + 1 < samples.length; i++) {
			const name = names.get(samples[i]) ?? '?';
			if (name.startsWith('(idle)')) continue;
			own.set(name, (own.get(name) ?? 0) + deltas[i + 1] / 1000);
		}
		const sorted = [...own].sort((a, b) => b[1] - a[1]).slice(0, TOP_FUNCTIONS);
		tops.set(
			tid,
			sorted.map(([name, ms]) => ({ name, ms }))
		);
	}
	return tops;
}
