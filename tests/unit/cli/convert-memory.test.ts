// A million-row conversion through the built CLI: its files are streamed to disk while the rows are
// still being read, and its memory stays that of validating the file.
import { spawn } from 'node:child_process';
import {
	closeSync,
	existsSync,
	mkdtempSync,
	openSync,
	readFileSync,
	readdirSync,
	rmSync,
	statSync,
	writeSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundleCli } from '../../../scripts/bundle.mjs';
import { ensureIndexerBuilt } from '../../helpers/wasm-build';

const bin = fileURLToPath(new URL('../../../bin/ferry.js', import.meta.url));
const MB = 1024 * 1024;
const ROWS = 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'ferry-convert-memory-'));
const source = join(dir, 'million.csv');

beforeAll(async () => {
	ensureIndexerBuilt();
	await bundleCli();
	const fd = openSync(source, 'w');
	writeSync(fd, 'user_id,email,name,email_verified\n');
	for (let start = 0; start < ROWS; start += 10_000) {
		const lines: string[] = [];
		for (let i = start; i < start + 10_000; i++)
			lines.push(`${i},user${i}@example.org,User ${i},true`);
		writeSync(fd, `${lines.join('\n')}\n`);
	}
	closeSync(fd);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function peakRss(pid: number): number {
	try {
		const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
		return line ? Number(line[1]) * 1024 : 0;
	} catch {
		return 0;
	}
}

it('converts a million rows to Cognito files in bounded memory, writing while it reads', async () => {
	const out = join(dir, 'out');
	const child = spawn(
		process.execPath,
		[bin, 'convert', source, '--to', 'cognito', '--out', out, '--json'],
		{
			stdio: ['ignore', 'pipe', 'pipe'],
			timeout: 170_000
		}
	);
	let stdout = '';
	child.stdout.on('data', (chunk) => (stdout += chunk));
	let peak = 0;
	// Sizes of the first file while it was still partial: growing, not written in one go at the end.
	const partialSizes = new Set<number>();
	const sampler = setInterval(() => {
		peak = Math.max(peak, peakRss(child.pid!));
		const partial = join(out, 'users.csv.partial');
		if (existsSync(partial))
			partialSizes.add(statSync(partial, { throwIfNoEntry: false })?.size ?? 0);
	}, 10);
	const code = await new Promise((resolve) => child.on('close', resolve));
	clearInterval(sampler);
	expect(code).toBe(0);
	const report = JSON.parse(stdout);
	expect(report.rows).toBe(ROWS);
	// Cognito's 500,000 users per file.
	expect(report.files.map((file: { rows: number }) => file.rows)).toEqual([500_000, 500_000]);
	expect(readdirSync(out).sort()).toEqual(['users-2.csv', 'users.csv']);
	const final = report.files[0].bytes;
	const seen = [...partialSizes].filter((size) => size > 0 && size < final);
	expect(seen.length).toBeGreaterThan(1);
	// Validating the same file alone peaks near 210 MB; the output adds pieces of 64 KiB, not files.
	expect(peak).toBeLessThan(400 * MB);
}, 180_000);
