/**
 * What the hosts of the three modules (csv-index.ts, row-kernel.ts, json-split.ts) share: loading a
 * module and growing its memory. Each module lays its blocks out from its heap base, by the offsets
 * of layout.ts (generated from wasm/layout.mjs).
 */

/** The exports of every module (wasm/assembly/*.ts). */
export interface ModuleExports {
	memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
	/** LayoutHash of the table the module was built from. */
	LAYOUT: { readonly value: number };
	/** Whether this build uses SIMD128 (0 or 1). */
	SIMD: { readonly value: number };
	/** Where the memory the host may lay out starts. */
	heapBase(): number;
}

/** Bytes in a page of WebAssembly memory. */
export const PAGE_SIZE = 1 << 16;

/**
 * Compiles (when given bytes) and instantiates a module, one instance per worker. A module built
 * from another layout table than this host's (`layoutHash`) is refused: `name` says which.
 */
export async function instantiateModule<Exports extends ModuleExports>(
	module: WebAssembly.Module | Uint8Array,
	layoutHash: number,
	name: string
): Promise<Exports> {
	const instance =
		module instanceof Uint8Array
			? (await WebAssembly.instantiate(module)).instance
			: await WebAssembly.instantiate(module);
	const exports = instance.exports as unknown as Exports;
	if (exports.LAYOUT?.value !== layoutHash) {
		throw new Error(`The ${name} module does not match this host code; rebuild it.`);
	}
	return exports;
}

/** Grows the module's memory to hold `top` bytes; returns its (possibly new) buffer. */
export function reserveMemory(wasm: ModuleExports, top: number): ArrayBuffer {
	const missing = Math.ceil((top - wasm.memory.buffer.byteLength) / PAGE_SIZE);
	if (missing > 0) wasm.memory.grow(missing);
	return wasm.memory.buffer;
}

/** `value` rounded up to a multiple of `to`. */
export function align(value: number, to: number): number {
	return Math.ceil(value / to) * to;
}
