// The WHATWG Encoding API exists in browsers, workers and Node alike; the core is compiled with
// lib ES2022 only (no DOM), so it declares just the part it uses.
declare class TextDecoder {
	constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
	readonly encoding: string;
	decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare class TextEncoder {
	encode(input?: string): Uint8Array;
	encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
