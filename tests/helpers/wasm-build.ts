import { execFileSync } from 'node:child_process';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	renameSync,
	rmSync,
	statSync
} from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
export const INDEXER_BUILD_DIR = join(root, 'wasm/build');
export const INDEXER_BUILDS = ['csv.simd.wasm', 'csv.scalar.wasm'] as const;
export const WASM_BUILDS = [
	'csv.simd.wasm',
	'csv.scalar.wasm',
	'rows.simd.wasm',
	'rows.scalar.wasm',
	'json.simd.wasm',
	'json.scalar.wasm'
] as const;
const sources = join(root, 'wasm/assembly');

/**
 * Builds the WebAssembly modules when missing or older than any AssemblyScript source, through a
 * temporary directory so that test files running in parallel never read a half-written module.
 */
export function ensureIndexerBuilt(): void {
	const sourceTime = Math.max(
		...readdirSync(sources).map((name) => statSync(join(sources, name)).mtimeMs)
	);
	const stale = WASM_BUILDS.some((name) => {
		const file = join(INDEXER_BUILD_DIR, name);
		return !existsSync(file) || statSync(file).mtimeMs < sourceTime;
	});
	if (!stale) return;
	const temp = mkdtempSync(join(root, 'wasm/.build-'));
	try {
		execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs'), temp], { stdio: 'pipe' });
		mkdirSync(INDEXER_BUILD_DIR, { recursive: true });
		for (const name of WASM_BUILDS) renameSync(join(temp, name), join(INDEXER_BUILD_DIR, name));
	} finally {
		rmSync(temp, { recursive: true, force: true });
	}
}
