// What the browser benchmarks share: child processes in their own process group, waiting for a
// server to answer, Debian's Chromium launched as the machine needs it, and the machine's description.
import { chromium, type Browser } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '../..');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A child in its own process group, so stopping it also stops what it started (npx → vite). */
export function start(command: string, args: string[], env = process.env): ChildProcess {
	return spawn(command, args, {
		cwd: root,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true
	});
}

/** The working tree's commit, short: what a benchmark says it measured. */
export function headCommit(): string {
	return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
		cwd: root,
		encoding: 'utf8'
	}).trim();
}

/**
 * Builds the app and the CLI from this working tree, the app into a directory of its own:
 * a benchmark measures the sources as they stand, never a build an earlier tree left in `build/`
 * or `.svelte-kit/`. Answers the environment that `startPreview` serves that build with.
 */
export function buildApp(): NodeJS.ProcessEnv {
	console.log(`building the app and the CLI from ${root} at ${headCommit()}`);
	const env = { ...process.env, FERRY_BUILD_DIR: 'test-results/bench-app' };
	execFileSync('npm', ['run', '--silent', 'build'], {
		cwd: root,
		env,
		stdio: ['ignore', 'ignore', 'inherit']
	});
	return env;
}

export function stop(child: ChildProcess | undefined): void {
	if (!child?.pid || child.exitCode !== null) return;
	try {
		process.kill(-child.pid, 'SIGTERM');
	} catch {
		// Already gone.
	}
}

export async function waitForHttp(url: string): Promise<void> {
	const until = Date.now() + 60_000;
	while (Date.now() < until) {
		try {
			if ((await fetch(url)).ok) return;
		} catch {
			// Not yet.
		}
		await sleep(200);
	}
	throw new Error(`${url} did not answer`);
}

/**
 * `vite preview` of a build on a loopback port (`extraArgs`, e.g. another --config, go first;
 * `env`, buildApp's for the app); resolves once it answers.
 */
export async function startPreview(
	port: number,
	extraArgs: string[] = [],
	env = process.env
): Promise<ChildProcess> {
	const preview = start(
		'npx',
		[
			'vite',
			'preview',
			...extraArgs,
			'--port',
			String(port),
			'--strictPort',
			'--host',
			'127.0.0.1'
		],
		env
	);
	preview.once('exit', (code) => {
		if (code) console.error(`vite preview exited (${code})`);
	});
	await waitForHttp(`http://127.0.0.1:${port}`);
	return preview;
}

/** Headless Chromium (CHROMIUM_PATH, else Debian's), without the background traffic this closed network refuses. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
	return chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			...extraArgs
		]
	});
}

/** The machine a benchmark ran on, for its results. */
export function machine(chromiumVersion: string) {
	const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
	const meminfo = readFileSync('/proc/meminfo', 'utf8');
	return {
		cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
		cores: cpus().length,
		memoryBytes: Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0) * 1024,
		node: process.version,
		chromium: chromiumVersion
	};
}
