// The benchmark page (bench/index.html), built apart from the app so it can load the app's parse
// worker through `$lib/workers/parse-client` next to papaparse and uDSV. Worker and WebAssembly
// settings as in the app's vite.config.ts. Output: bench/out/site (git-ignored).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
	root: here('.'),
	resolve: { alias: { $lib: here('../src/lib') } },
	worker: { format: 'es' },
	build: {
		outDir: here('out/site'),
		emptyOutDir: true,
		// The indexer modules are fetched by the parse worker as files, as in the app.
		assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined)
	},
	logLevel: 'warn'
});
