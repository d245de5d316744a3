// Memory of the processes a benchmark starts, read from Linux's /proc: resident sets, high-water
// marks, process trees and Chromium's renderers among them.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { sleep } from './browser-bench';

/**
 * The fields of /proc/PID/stat after "pid (comm) " (comm may hold spaces and parentheses): state,
 * ppid, …; null once the process has exited.
 */
function statFields(pid: number): string[] | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	} catch {
		return null;
	}
}

function parentOf(pid: number): number {
	const fields = statFields(pid);
	return fields ? Number(fields[1]) : -1;
}

/** Every process below `pid` (children, their children, …), not `pid` itself. */
export function descendants(pid: number): number[] {
	const children = new Map<number, number[]>();
	for (const entry of readdirSync('/proc')) {
		const child = Number(entry);
		if (!Number.isInteger(child)) continue;
		const parent = parentOf(child);
		children.set(parent, [...(children.get(parent) ?? []), child]);
	}
	const found: number[] = [];
	const queue = [pid];
	while (queue.length > 0)
		for (const child of children.get(queue.shift()!) ?? []) {
			found.push(child);
			queue.push(child);
		}
	return found;
}

function isRenderer(pid: number): boolean {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer');
	} catch {
		return false; // Exited meanwhile.
	}
}

/** Clock ticks per second of /proc/PID/stat's times (Linux's USER_HZ). */
const TICKS_PER_SECOND = 100;

/**
 * User and system CPU time of these processes so far, in ms: every thread's, those that have ended
 * included (a process that has exited counts nothing).
 */
export function cpuTimeMs(pids: number[]): number {
	let ticks = 0;
	for (const pid of pids) {
		const fields = statFields(pid);
		// utime and stime, fields 14 and 15 of stat.
		if (fields) ticks += Number(fields[11]) + Number(fields[12]);
	}
	return (ticks * 1000) / TICKS_PER_SECOND;
}

/** Renderer processes among `pids` (workers are threads inside them). */
export const renderersAmong = (pids: number[]): number[] => pids.filter(isRenderer);

/** Renderer processes started by this script's Chromium. */
export const rendererPids = (): number[] => renderersAmong(descendants(process.pid));

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
	try {
		const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
			readFileSync(`/proc/${pid}/status`, 'utf8')
		);
		return match ? Number(match[1]) * 1024 : 0;
	} catch {
		return 0; // Exited: a zombie's status has no memory lines either.
	}
}

/** Resident bytes now. */
export const rssOf = (pid: number): number => statusField(pid, 'VmRSS');

/** The highest resident bytes the process has had since it started (the kernel's high-water mark). */
export const highWaterOf = (pid: number): number => statusField(pid, 'VmHWM');

/**
 * The proportional set: resident bytes with each shared page divided among the processes that map
 * it (`Pss` of /proc/PID/smaps_rollup), so the processes of one browser sum to what they really use.
 */
export function pssOf(pid: number): number {
	try {
		const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
		return match ? Number(match[1]) * 1024 : 0;
	} catch {
		return 0; // Exited meanwhile.
	}
}

/** The proportional sets of all `pids` together: shared pages counted once in all. */
export const totalPss = (pids: number[]): number => pids.reduce((sum, pid) => sum + pssOf(pid), 0);

/** The resident bytes of all `pids` together (shared pages count once per process). */
export const totalRss = (pids: number[]): number => pids.reduce((sum, pid) => sum + rssOf(pid), 0);

/** Calls `read` every `everyMs` until stopped, keeping each figure's highest value. */
export function samplePeaks<T extends Record<string, number>>(read: () => T, everyMs: number) {
	const before = read();
	const peak: Record<string, number> = { ...before };
	const take = () => {
		for (const [key, value] of Object.entries(read())) peak[key] = Math.max(peak[key], value);
	};
	const timer = setInterval(take, everyMs);
	return {
		before,
		stop(): T {
			clearInterval(timer);
			take();
			return peak as T;
		}
	};
}

/** Waits (up to 10 s) until none of `pids` is running any more. */
export async function waitForExit(pids: number[]): Promise<void> {
	const until = Date.now() + 10_000;
	while (Date.now() < until && pids.some((pid) => existsSync(`/proc/${pid}`))) await sleep(50);
}

/** CPU time (user + system) `pid` has used, in clock ticks (0 once it has exited). */
function cpuTicksOf(pid: number): number {
	const fields = statFields(pid);
	// utime and stime: fields 14 and 15 of the whole line, 12 and 13 after "pid (comm)".
	return fields ? Number(fields[11]) + Number(fields[12]) : 0;
}

/**
 * Waits until the processes below this one used under a tenth of a core for a quarter of a second
 * (at most `maxMs`); answers how long it waited. A new browser context starts a renderer for the
 * browser's own WebUI, which runs about half a second of CPU in its first second: a run started
 * meanwhile shares the machine's cores with it, which a browser whose window is long open does not.
 */
export async function waitForQuiet(maxMs = 5_000): Promise<number> {
	const started = Date.now();
	const WINDOW_MS = 250;
	// Linux counts CPU in ticks of 10 ms (USER_HZ 100).
	const quietTicks = WINDOW_MS / 10 / 10;
	const used = () => descendants(process.pid).reduce((sum, pid) => sum + cpuTicksOf(pid), 0);
	let before = used();
	while (Date.now() - started < maxMs) {
		await sleep(WINDOW_MS);
		const now = used();
		if (now - before <= quietTicks) break;
		before = now;
	}
	return Date.now() - started;
}
