import { availableParallelism } from 'node:os';
import { sveltekit } from '@sveltejs/kit/vite';
import { configDefaults, defineConfig } from 'vitest/config';
import { phoneRegExpCache } from './vite-plugins/phone-regexp-cache.js';

/** Tests of the reference API's storage: run on SQLite, and on PostgreSQL when FERRY_TEST_POSTGRES is set. */
const DATABASE_TESTS = [
	'tests/unit/server/api.test.ts',
	'tests/unit/server/chunks.test.ts',
	'tests/unit/server/durability.test.ts',
	'tests/unit/server/dry-run.test.ts',
	'tests/unit/server/hardening.test.ts',
	'tests/unit/server/identity.test.ts',
	'tests/unit/server/users.test.ts',
	'tests/unit/upload/fault.test.ts'
];
/** Several API instances on one database: PostgreSQL only. */
const POSTGRES_ONLY_TESTS = ['tests/unit/server/multi-instance.test.ts'];

export default defineConfig({
	plugins: [sveltekit(), phoneRegExpCache()],
	// Workers get their own plugin pipeline: the phone rules run in the parse and range workers.
	worker: { format: 'es', plugins: () => [phoneRegExpCache()] },
	// The indexer modules are a few KiB: inlined as data: URLs, the CSP's connect-src would block them.
	build: { assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined) },
	test: {
		environment: 'node',
		testTimeout: 30_000,
		// Vitest's default is one worker fewer than the cores: one on CI's two. Nothing else runs
		// meanwhile (the e2e tests come after), and two take 212 s where one took 314 s there.
		maxWorkers: Math.max(2, availableParallelism() - 1),
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					include: ['tests/unit/**/*.test.ts'],
					exclude: [...configDefaults.exclude, ...POSTGRES_ONLY_TESTS]
				}
			},
			// The tests that touch the API's database, again on PostgreSQL (tests/support/databases.ts).
			...(process.env.FERRY_TEST_POSTGRES
				? [
						{
							extends: true as const,
							test: {
								name: 'postgres',
								include: [...DATABASE_TESTS, ...POSTGRES_ONLY_TESTS],
								env: { FERRY_TEST_BACKEND: 'postgres' }
							}
						}
					]
				: [])
		]
	}
});
