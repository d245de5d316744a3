// The Node programs as plain JavaScript, so that running them needs no TypeScript loader:
//   node scripts/bundle.mjs cli   the `ferry` CLI  → dist/cli.js (bin/ferry.js runs it)
//   node scripts/bundle.mjs api   the reference API → server/dist/{main,seed}.js
// Each bundle holds our own code (shared modules of src/lib included). The API's npm packages stay
// imports, resolved from node_modules at run time (better-sqlite3 is a native addon). The CLI's are
// bundled in, libsodium apart: Node's module loader spent about 60 ms of each start (the CLI and
// every range thread) resolving and reading libphonenumber-js's many files one by one.
import { build } from 'esbuild';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/** @param {string} packageDir */
function dependenciesOf(packageDir) {
	const manifest = JSON.parse(readFileSync(join(root, packageDir, 'package.json'), 'utf8'));
	return Object.keys(manifest.dependencies ?? {});
}

/**
 * @param {Record<string, string>} entryPoints output name (without .js) → source, from the repo root
 * @param {string} outdir
 * @param {string[]} external
 */
async function bundle(entryPoints, outdir, external) {
	const result = await build({
		absWorkingDir: root,
		entryPoints: Object.entries(entryPoints).map(([out, source]) => ({ in: source, out })),
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20.19',
		external,
		// Not the app's tsconfig.json: it extends one that only `svelte-kit sync` writes.
		tsconfigRaw: {},
		// Written next to the final files and renamed over them: a process starting at the same time
		// (a test, npm start) never loads a half-written bundle.
		outdir,
		entryNames: `[name].${process.pid}.tmp`,
		logLevel: 'warning',
		metafile: true
	});
	for (const [output, meta] of Object.entries(result.metafile.outputs)) {
		if (!meta.entryPoint) continue;
		renameSync(join(root, output), join(root, output.replace(`.${process.pid}.tmp`, '')));
	}
}

/**
 * The `ferry` CLI as dist/cli.js, and its range worker thread as dist/range-worker.js. It reads the
 * WebAssembly from ../wasm/build/, as bin/cli.ts does. libsodium stays an import: it is one file
 * already, and only `ferry report decrypt` uses it.
 */
export function bundleCli() {
	return bundle({ cli: 'bin/cli.ts', 'range-worker': 'bin/range-worker.ts' }, join(root, 'dist'), [
		'libsodium-wrappers-sumo'
	]);
}

export const REFERENCE_API_DIR = join(root, 'server/dist');

/** The reference API's server and seeding programs, as server/dist/main.js and seed.js. */
export function bundleReferenceApi() {
	return bundle(
		{ main: 'server/main.ts', seed: 'server/seed.ts' },
		REFERENCE_API_DIR,
		dependenciesOf('server')
	);
}

const targets = { cli: bundleCli, api: bundleReferenceApi };
if (process.argv[1] === import.meta.filename) {
	const names = process.argv.slice(2);
	const unknown = names.filter((name) => !(name in targets));
	if (names.length === 0 || unknown.length > 0) {
		console.error(`usage: node scripts/bundle.mjs ${Object.keys(targets).join('|')}…`);
		process.exit(1);
	}
	for (const name of names) await targets[/** @type {keyof typeof targets} */ (name)]();
}
