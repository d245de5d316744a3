import { defineConfig } from '@playwright/test';

const chromiumArgs = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-quic',
	'--no-first-run',
	'--disable-sync'
];

const port = Number(process.env.E2E_PORT ?? 4174);

export default defineConfig({
	testDir: 'tests/e2e',
	// Its own folder: Playwright empties outputDir at start, and test-results/ also holds the unit report.
	outputDir: 'test-results/e2e-output',
	timeout: 60_000,
	workers: 2,
	reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
	use: {
		baseURL: `http://127.0.0.1:${port}`,
		screenshot: 'only-on-failure',
		launchOptions: {
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: chromiumArgs
		}
	},
	// vite preview serves the build that svelte.config.js points at: FERRY_BUILD_DIR's when set (npm
	// test sets it, so it never serves or rebuilds what `npm start` serves), else the default one.
	webServer: {
		command: `npx vite preview --port ${port} --strictPort --host 127.0.0.1`,
		url: `http://127.0.0.1:${port}`,
		reuseExistingServer: false,
		timeout: 60_000
	}
});
