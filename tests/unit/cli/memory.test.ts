// Hostile shapes through the built CLI, each in its own process, bounded in time and memory.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ROWS_PER_FILE, SHOWN_VALUE_CHARS } from '../../../src/lib/core/limits';
import { bundleCli } from '../../../scripts/bundle.mjs';
import { writeGzipBomb } from '../../helpers/gzip-bomb';
import { ensureIndexerBuilt } from '../../helpers/wasm-build';

const bin = fileURLToPath(new URL('../../../bin/ferry.js', import.meta.url));
const GiB = 1024 ** 3;
const MB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'ferry-memory-'));
const bomb = join(dir, 'bomb.csv.gz');

beforeAll(async () => {
	ensureIndexerBuilt();
	await bundleCli();
	// 2 GiB of `a,b\n` in about 10 MB (200:1), in a couple of seconds.
	await writeGzipBomb(bomb, 2 * GiB);
}, 20_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The peak resident set of a running process, in bytes (Linux; 0 elsewhere). */
function peakRss(pid: number): number {
	try {
		const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
		return line ? Number(line[1]) * 1024 : 0;
	} catch {
		return 0;
	}
}

interface Run {
	code: number | null;
	stdout: string;
	stderr: string;
	/** The highest peak RSS seen while it ran (sampled every 20 ms). */
	peakRss: number;
	ms: number;
}

/** Runs bin/ferry.js with its temporary files in `temp`; `onStart` may signal it. */
function ferry(
	args: string[],
	options: { temp?: string; onStart?: (pid: number) => void } = {}
): Promise<Run> {
	const started = performance.now();
	const child = spawn(process.execPath, [bin, ...args], {
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, TMPDIR: options.temp ?? tmpdir() },
		timeout: 20_000
	});
	let stdout = '';
	let stderr = '';
	let peak = 0;
	child.stdout.on('data', (chunk) => (stdout += chunk));
	child.stderr.on('data', (chunk) => (stderr += chunk));
	const sampler = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 20);
	options.onStart?.(child.pid!);
	return new Promise((resolve) =>
		child.on('close', (code) => {
			clearInterval(sampler);
			resolve({ code, stdout, stderr, peakRss: peak, ms: performance.now() - started });
		})
	);
}

describe('a gzip bomb', () => {
	it('stops at the compression-ratio limit, early and in little memory', async () => {
		const run = await ferry(['validate', bomb, '--json']);
		expect(run.code).toBe(2);
		expect(run.stderr).toMatch(/compression-ratio limit \(100:1\)/);
		expect(run.stdout).toBe('');
		expect(run.ms).toBeLessThan(20_000);
		expect(run.peakRss).toBeLessThan(500 * MB);
	});

	it('stops at the decompressed-size limit given on the command line', async () => {
		const run = await ferry([
			'validate',
			bomb,
			'--max-decompressed-bytes',
			String(64 * MB),
			'--max-compression-ratio',
			'2000'
		]);
		expect(run.code).toBe(2);
		expect(run.stderr).toMatch(/more than 64 MiB, the decompressed-size limit/);
	});

	it('with --max-rows 1000, decompresses only what the rows need', async () => {
		const run = await ferry(['validate', bomb, '--json', '--max-rows', '1000']);
		expect(run.code).toBe(0);
		expect(JSON.parse(run.stdout)).toMatchObject({ compression: 'gzip', rows: 1000 });
		expect(run.ms).toBeLessThan(10_000);
		expect(run.peakRss).toBeLessThan(300 * MB);
	});

	it('leaves no temporary file behind, also when interrupted', async () => {
		const temp = mkdtempSync(join(dir, 'tmp-'));
		await ferry(['validate', bomb], { temp });
		expect(readdirSync(temp)).toEqual([]);

		// Past the limits, it decompresses for seconds: interrupted once its copy is on disk.
		const run = await ferry(['validate', bomb, '--max-compression-ratio', '100000'], {
			temp,
			onStart: (pid) => {
				const poll = setInterval(() => {
					if (readdirSync(temp).length === 0) return;
					clearInterval(poll);
					process.kill(pid, 'SIGINT');
				}, 20);
			}
		});
		expect(run.code).toBe(130);
		expect(readdirSync(temp)).toEqual([]);
	});
});

describe('pathological shapes', () => {
	it('cuts a giant value in the --json sample', async () => {
		const path = join(dir, 'giant.csv.gz');
		writeFileSync(path, gzipSync(`user_id,email\n1,${'x'.repeat(3 * MB)}@example.com\n`));
		const run = await ferry(['validate', path, '--json']);
		expect(run.code).toBe(0);
		const { sample, rows } = JSON.parse(run.stdout);
		expect(rows).toBe(1);
		expect(sample[0].email).toBe(
			`${'x'.repeat(SHOWN_VALUE_CHARS)}…[+${3 * MB + 12 - SHOWN_VALUE_CHARS} characters]`
		);
	});

	it(`stops a file of more than ${MAX_ROWS_PER_FILE} tiny rows with a message naming the limit`, async () => {
		const path = join(dir, 'tiny-rows.csv');
		writeFileSync(path, 'a,b\n'.repeat(MAX_ROWS_PER_FILE + 1000));
		const run = await ferry(['validate', path]);
		expect(run.code).toBe(2);
		expect(run.stderr).toMatch(/more than 20,000,000 rows, the most Ferry checks in one file/);
		expect(run.peakRss).toBeLessThan(2 * GiB);
	}, 30_000);
});
