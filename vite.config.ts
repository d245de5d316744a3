import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { phoneRegExpCache } from './vite-plugins/phone-regexp-cache.js';

export default defineConfig({
	plugins: [sveltekit(), phoneRegExpCache()],
	// Workers get their own plugin pipeline: the phone rules run in the parse and range workers.
	worker: { format: 'es', plugins: () => [phoneRegExpCache()] },
	// The indexer modules are a few KiB: inlined as data: URLs, the CSP's connect-src would block them.
	build: { assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined) },
	test: {
		include: ['tests/unit/**/*.test.ts'],
		environment: 'node',
		testTimeout: 30_000
	}
});
