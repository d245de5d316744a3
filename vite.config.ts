import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	worker: { format: 'es' },
	// The indexer modules are a few KiB: inlined as data: URLs, the CSP's connect-src would block them.
	build: { assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined) },
	test: {
		include: ['tests/unit/**/*.test.ts'],
		environment: 'node',
		testTimeout: 30_000
	}
});
