import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// FERRY_BUILD_DIR=DIR builds into DIR/.svelte-kit (what `vite preview` serves) and DIR/build
// instead of .svelte-kit and build/: `npm test` uses its own, so it can run beside `npm start`.
const buildDir = process.env.FERRY_BUILD_DIR;

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		outDir: buildDir ? `${buildDir}/.svelte-kit` : '.svelte-kit',
		// SPA: every route falls back to index.html; nothing is rendered on a server.
		adapter: adapter({
			pages: buildDir ? `${buildDir}/build` : 'build',
			fallback: 'index.html'
		}),
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self', 'wasm-unsafe-eval'],
				'worker-src': ['self'],
				// 'unsafe-hashes' + one hash: exactly the style attribute of SvelteKit's route announcer
				// ("position: absolute; left: 0; top: 0; clip: …"), nothing else inline.
				'style-src': [
					'self',
					'unsafe-hashes',
					'sha256-S8qMpvofolR8Mpjy4kQvEm7m1q8clzU4dfDH0AmvZjo='
				],
				'img-src': ['self', 'data:', 'blob:'],
				'connect-src': ['self', 'http://localhost:*', 'http://127.0.0.1:*'],
				'object-src': ['none'],
				'base-uri': ['self']
			}
		}
	}
};

export default config;
