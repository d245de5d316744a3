// The benchmark page (bench/index.html), built apart from the app so it can load the app's parse
// worker through `$lib/workers/parse-client` next to papaparse and uDSV. Worker and WebAssembly
// settings and plugins as in the app's vite.config.ts. Output: bench/out/site (git-ignored).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { phoneRegExpCache } from '../vite-plugins/phone-regexp-cache.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
	root: here('.'),
	resolve: { alias: { $lib: here('../src/lib') } },
	// The app's build, for every contender alike: the rules' phone checks keep their compiled
	// patterns in the page (papaparse's rules), the uDSV worker and Ferry's workers.
	plugins: [phoneRegExpCache()],
	worker: { format: 'es', plugins: () => [phoneRegExpCache()] },
	build: {
		outDir: here('out/site'),
		emptyOutDir: true,
		// scripts/bench.ts --profile: functions keep their names.
		minify: process.env.BENCH_UNMINIFIED ? false : undefined,
		// The indexer modules are fetched by the parse worker as files, as in the app.
		assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined)
	},
	logLevel: 'warn'
});
