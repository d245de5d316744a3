import { simdSupported } from '../wasm/csv-index';
import { referenceEngine } from './reference';
import type { ScanEngine } from './types';
import { createWasmEngine } from './wasm';

/** The WebAssembly modules of the accelerated engine (wasm/build/, served beside the app). */
export const WASM_MODULES = ['csv', 'rows', 'json'] as const;
export type WasmVariant = 'simd' | 'scalar';
/** A built module file: `<module>.<variant>.wasm`. */
export type WasmBuild = `${(typeof WASM_MODULES)[number]}.${WasmVariant}.wasm`;

/**
 * The fastest engine this runtime can run: the SIMD builds when SIMD128 is there, the scalar
 * builds otherwise (or when a SIMD one fails to load or compile), and the reference engine when
 * no build can be used. Loading is the caller's (fetch in a browser, readFile in Node);
 * `onFallback` hears why a build was passed over.
 */
export async function chooseEngine(
	load: (file: WasmBuild) => Promise<Uint8Array | WebAssembly.Module>,
	onFallback?: (file: WasmBuild, error: unknown) => void
): Promise<ScanEngine> {
	const variants: WasmVariant[] = simdSupported() ? ['simd', 'scalar'] : ['scalar'];
	for (const variant of variants) {
		const compiled: WebAssembly.Module[] = [];
		let file: WasmBuild | null = null;
		try {
			for (const module of WASM_MODULES) {
				file = `${module}.${variant}.wasm`;
				compiled.push(await compile(await load(file)));
			}
			file = null;
			const [indexer, kernel, json] = compiled;
			return await createWasmEngine({ indexer, kernel, json });
		} catch (error) {
			onFallback?.(file ?? `csv.${variant}.wasm`, error);
		}
	}
	return referenceEngine;
}

function compile(module: Uint8Array | WebAssembly.Module): Promise<WebAssembly.Module> {
	return module instanceof Uint8Array ? WebAssembly.compile(module) : Promise.resolve(module);
}
