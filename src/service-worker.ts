/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, version } from '$service-worker';

// The offline app shell: every built file (pages, workers, WASM, libsodium) and static file is
// cached at install, so the app — the report opener included — works with no network at all.
// Only same-origin GETs are answered from the cache; the import API is never intercepted.
const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `ferry-${version}`;
const SHELL = '/';
const ASSETS = new Set([...build, ...files, SHELL]);

sw.addEventListener('install', (event) => {
	event.waitUntil(
		caches
			.open(CACHE)
			.then(precache)
			.then(() => sw.skipWaiting())
	);
});

/** A relative path to a script or WASM module, as Vite writes it in `new URL(…)` and `import(…)`. */
const REFERENCE = /[`'"]([\w./-]+\.(?:js|wasm))[`'"]/g;

async function precache(cache: Cache): Promise<void> {
	await cache.addAll([...ASSETS]);
	// Workers, their chunks and the WASM modules come from Vite's worker build, which Kit's `build`
	// list leaves out: follow the references from every cached script to them.
	const queue = build.filter((path) => path.endsWith('.js'));
	while (queue.length > 0) {
		const path = queue.pop()!;
		const script = await (await cache.match(path))?.text();
		for (const [, reference] of script?.matchAll(REFERENCE) ?? []) {
			const target = new URL(reference, new URL(path, sw.location.origin)).pathname;
			if (!target.startsWith('/_app/immutable/') || ASSETS.has(target)) continue;
			ASSETS.add(target);
			const response = await fetch(target).catch(() => null);
			if (!response?.ok) continue; // a string that merely looked like a path
			await cache.put(target, response);
			if (target.endsWith('.js')) queue.push(target);
		}
	}
}

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		caches
			.keys()
			.then((keys) =>
				Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key)))
			)
			.then(() => sw.clients.claim())
	);
});

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	const url = new URL(request.url);
	if (request.method !== 'GET' || url.origin !== sw.location.origin) return;
	// Content-hashed files never change: the cache answers first. (Not only ASSETS: the worker files
	// found at install are not in it again after the browser restarts this service worker.)
	if (ASSETS.has(url.pathname) || url.pathname.startsWith('/_app/immutable/')) {
		event.respondWith(caches.match(url.pathname).then((cached) => cached ?? fetch(request)));
		return;
	}
	// Every route of the SPA is the same shell: the network when there is one, else the cache.
	if (request.mode === 'navigate') {
		event.respondWith(
			fetch(request).catch(async () => (await caches.match(SHELL)) ?? Response.error())
		);
	}
});
