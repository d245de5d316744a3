// Throughput of the scan engines (not a test): generates a realistic user export in memory
// (about 110 MB / 950k rows by default: quoted "Last, First" names, notes with commas, quotes and
// CRLF line breaks inside, multi-byte names, CRLF records) and prints MB/s of a full scan with
// validation by the reference engine and by the WebAssembly engine, next to papaparse parse-only,
// and both engines with nothing mapped (reading and row bookkeeping only, no rule to check).
// Then the CLI as a user runs it (`node bin/ferry.js validate FILE --json`, one thread and one per
// core, process start included) beside papaparse + the same rules in Node (reading and decoding
// the file, parsing it, the rules row by row), on the same export written to bench/out/.
// One run: the contenders alternate within each round, and the median of the rounds is printed.
// The machine may be shared: read the numbers of one run as a rough picture, not a measurement.
// Run: npm run build:wasm && npx tsx scripts/bench-engine.ts [megabytes] [rounds]
import Papa from 'papaparse';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { referenceEngine } from '../src/lib/core/engine/reference';
import type { ScanEngine, ScanRequest } from '../src/lib/core/engine/types';
import { createWasmEngine } from '../src/lib/core/engine/wasm';
import { detectPreset, transformRecord } from '../src/lib/core/formats/presets';
import { proposeMapping } from '../src/lib/core/mapping/automap';
import { isKnownAlias } from '../src/lib/core/mapping/normalize';
import { REFERENCE_PROFILE } from '../src/lib/core/profiles/catalogue';
import { inspectText } from '../src/lib/core/sniff/inspect';
import { Validator } from '../src/lib/core/validate/validator';
import { bundleCli } from './bundle.mjs';
import { writeUserExport } from './lib/user-export';

const megabytes = Number(process.argv[2] ?? 110);
const rounds = Number(process.argv[3] ?? 5);
const root = join(import.meta.dirname, '..');

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

const file = await writeUserExport(join(root, 'bench/out'), megabytes * 1e6);
await bundleCli();
const bytes = new Uint8Array(readFileSync(file.path));
const text = new TextDecoder().decode(bytes);
const megabytesOf = bytes.length / 1e6;

const hooks = { isKnownAlias, detectPreset, transformRecord };
const { layout, preview } = inspectText(text.slice(0, 65536), false, hooks);
const mapping = proposeMapping({
	columns: layout.columns,
	keys: layout.keys,
	sample: preview.map((record) => record.fields),
	preset: layout.preset,
	profile: REFERENCE_PROFILE
}).map((proposal) => proposal.field);
const request: ScanRequest = {
	source: { size: bytes.length, read: async (start, end) => bytes.subarray(start, end) },
	layout,
	mapping,
	profile: REFERENCE_PROFILE,
	options: { dateOrder: 'dmy', defaultRegion: 'US', now: Date.UTC(2025, 0, 1) },
	transformRecord
};
const compile = (file: string) =>
	new WebAssembly.Module(readFileSync(join(root, 'wasm/build', file)));
const wasm = await createWasmEngine({
	indexer: compile('csv.simd.wasm'),
	kernel: compile('rows.simd.wasm'),
	json: compile('json.simd.wasm')
});

/** With nothing mapped the rules have nothing to check: what is left is reading the file. */
const unmapped: ScanRequest = { ...request, mapping: mapping.map(() => null) };

async function scan(engine: ScanEngine, scanRequest = request): Promise<number> {
	return (await engine.scan(scanRequest)).rows;
}

/** The built CLI on the file, as a user runs it; its rows, from --json. */
function cli(threads: number): number {
	const args = [join(root, 'bin/ferry.js'), 'validate', file.path, '--json'];
	const output = execFileSync('node', [...args, '--region', 'US', '--threads', String(threads)], {
		encoding: 'utf8',
		maxBuffer: 1 << 24
	});
	return (JSON.parse(output) as { rows: number }).rows;
}

/** papaparse from the file to the counts, the same rules row by row (bench/rules.ts in Node). */
function papaparseWithRules(): number {
	const columns = layout.columns;
	const validator = new Validator({
		profile: REFERENCE_PROFILE,
		mapping,
		columns,
		options: request.options
	});
	const csv = new TextDecoder().decode(readFileSync(file.path));
	let header = true;
	Papa.parse<string[]>(csv, {
		delimiter: ',',
		newline: '\r\n',
		skipEmptyLines: true,
		step: ({ data }) => {
			if (header) header = false;
			else validator.add(data, data.length);
		}
	});
	return validator.finish().rows;
}

const contenders: { name: string; run: () => Promise<number> | number }[] = [
	{ name: 'reference engine, full validation', run: () => scan(referenceEngine) },
	{ name: `${wasm.name} engine, full validation`, run: () => scan(wasm) },
	{
		name: 'papaparse parse-only (string already decoded)',
		run: () => Papa.parse<string[]>(text, { delimiter: ',', newline: '\r\n' }).data.length - 2
	},
	{ name: 'reference engine, nothing mapped', run: () => scan(referenceEngine, unmapped) },
	{ name: `${wasm.name} engine, nothing mapped`, run: () => scan(wasm, unmapped) },
	{ name: 'CLI, 1 thread (process)', run: () => cli(1) },
	{
		name: `CLI, ${availableParallelism()} threads (process)`,
		run: () => cli(availableParallelism())
	},
	{ name: 'papaparse + the same rules (Node, from the file)', run: papaparseWithRules }
];

const [referenceResult, wasmResult] = [
	await referenceEngine.scan(request),
	await wasm.scan(request)
];
const same =
	referenceResult.rows === wasmResult.rows &&
	referenceResult.rowIssues.every((mask, row) => mask === wasmResult.rowIssues[row]);
console.log(
	`${megabytesOf.toFixed(1)} MB, ${referenceResult.rows} rows (${referenceResult.invalid} invalid); ` +
		`mapped: ${mapping.filter(Boolean).join(', ')}; wasm verdicts ${same ? 'match' : 'DIFFER'}`
);

const timings = contenders.map(() => [] as number[]);
for (let round = 0; round < rounds; round++) {
	// Alternate the order so that no contender always runs on a warm (or cold) heap.
	const order = contenders.map((_, i) => i);
	if (round % 2 === 1) order.reverse();
	for (const i of order) {
		const start = performance.now();
		await contenders[i].run();
		timings[i].push(performance.now() - start);
	}
}
for (const [i, { name }] of contenders.entries()) {
	const rates = timings[i].map((ms) => megabytesOf / (ms / 1000));
	console.log(
		`${name.padEnd(50)} ${median(rates).toFixed(1).padStart(7)} MB/s  (runs: ${rates.map((rate) => rate.toFixed(0)).join(', ')})`
	);
}
