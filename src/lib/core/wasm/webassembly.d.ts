// The WebAssembly JS API exists in browsers, workers and Node alike; the core is compiled with lib
// ES2022 only (no DOM), so it declares just the part it uses. Only interfaces and function overloads:
// both merge with the DOM library's declarations where that one is present.
declare namespace WebAssembly {
	// eslint-disable-next-line @typescript-eslint/no-empty-object-type
	interface Module {}
	interface Instance {
		readonly exports: object;
	}
	function instantiate(
		bytes: Uint8Array,
		imports?: object
	): Promise<{ module: Module; instance: Instance }>;
	function instantiate(module: Module, imports?: object): Promise<Instance>;
	function validate(bytes: Uint8Array): boolean;
	function compile(bytes: Uint8Array): Promise<Module>;
}
