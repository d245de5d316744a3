#!/usr/bin/env node
// Compiles the AssemblyScript CSV indexer twice: with SIMD128 (csv.simd.wasm) and without it
// (csv.scalar.wasm, the fallback for engines without SIMD). Output goes to wasm/build/ (not
// committed), or to the directory given as the first argument. Needs only the installed
// assemblyscript package, no network.
import asc from 'assemblyscript/asc';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(root, process.argv[2] ?? 'wasm/build');

const variants = [
	{ name: 'csv.simd', flags: ['--enable', 'simd'] },
	{ name: 'csv.scalar', flags: [] }
];

await mkdir(outDir, { recursive: true });
for (const variant of variants) {
	const wasmFile = join(outDir, `${variant.name}.wasm`);
	const { error, stderr } = await asc.main([
		'wasm/assembly/csv.ts',
		'--baseDir',
		root,
		'-O3',
		'--noAssert',
		'--runtime',
		'stub',
		...variant.flags,
		'--outFile',
		wasmFile,
		'--textFile',
		join(outDir, `${variant.name}.wat`)
	]);
	if (error) {
		console.error(stderr.toString());
		console.error(`build-wasm: ${variant.name} failed: ${error.message}`);
		process.exit(1);
	}
	console.log(`build-wasm: ${relative(root, wasmFile)}`);
}
