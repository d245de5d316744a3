#!/usr/bin/env node
// Compiles each AssemblyScript module (every wasm/assembly/*.ts entry: csv.ts → csv.*.wasm)
// twice: with SIMD128 (<name>.simd.wasm) and without it (<name>.scalar.wasm, the fallback for
// engines without SIMD). Output goes to wasm/build/ (not committed), or to the directory given as
// the first argument. Needs only the installed assemblyscript package, no network. First rewrites
// the layout both sides of the boundary share (wasm/layout.mjs → wasm/assembly/_layout.ts and
// src/lib/core/wasm/layout.ts) when the table changed.
import asc from 'assemblyscript/asc';
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLayoutSources } from '../wasm/generate-layout.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(root, process.argv[2] ?? 'wasm/build');

const variants = [
	{ suffix: 'simd', flags: ['--enable', 'simd'] },
	{ suffix: 'scalar', flags: [] }
];
// Files starting with an underscore are shared code imported by the modules, not modules.
const modules = (await readdir(join(root, 'wasm/assembly')))
	.filter((file) => file.endsWith('.ts') && !file.startsWith('_'))
	.map((file) => file.slice(0, -3));

for (const path of await writeLayoutSources(root)) console.log(`build-wasm: ${path} (generated)`);
await mkdir(outDir, { recursive: true });
for (const variant of modules.flatMap((module) =>
	variants.map(({ suffix, flags }) => ({ name: `${module}.${suffix}`, module, flags }))
)) {
	const wasmFile = join(outDir, `${variant.name}.wasm`);
	const { error, stderr } = await asc.main([
		`wasm/assembly/${variant.module}.ts`,
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
