import { simdSupported, type WebAssemblyModuleLike } from '../wasm/csv-index';
import { referenceEngine } from './reference';
import type { ScanEngine } from './types';
import { createWasmEngine } from './wasm';

/** The builds of the WebAssembly CSV indexer (wasm/build/, served beside the app). */
export type IndexerBuild = 'csv.simd.wasm' | 'csv.scalar.wasm';

/**
 * The fastest engine this runtime can run: the SIMD build of the indexer when SIMD128 is there,
 * the scalar build otherwise (or when the SIMD one fails to load or compile), and the reference
 * engine when no build can be used. Loading is the caller's (fetch in a browser, readFile in Node);
 * `onFallback` hears why a build was passed over.
 */
export async function chooseEngine(
	load: (file: IndexerBuild) => Promise<Uint8Array | WebAssemblyModuleLike>,
	onFallback?: (file: IndexerBuild, error: unknown) => void
): Promise<ScanEngine> {
	const builds: IndexerBuild[] = simdSupported()
		? ['csv.simd.wasm', 'csv.scalar.wasm']
		: ['csv.scalar.wasm'];
	for (const file of builds) {
		try {
			return await createWasmEngine(await load(file));
		} catch (error) {
			onFallback?.(file, error);
		}
	}
	return referenceEngine;
}
