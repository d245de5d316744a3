import { expect, test } from '@playwright/test';

/**
 * Fails the test on any console error or uncaught exception in the page: a CSP violation, a Svelte
 * effect loop or a worker crash would otherwise pass unnoticed while the UI still looks right.
 * `allow` lists the console errors a test provokes on purpose (e.g. the browser's own report of a
 * request that failed while the test held the device offline); keep each pattern exact.
 */
export function failOnConsoleErrors(options: { allow?: RegExp[] } = {}): void {
	const allow = options.allow ?? [];
	let problems: string[] = [];
	test.beforeEach(({ page }) => {
		problems = [];
		page.on('console', (message) => {
			if (message.type() !== 'error') return;
			const text = message.text();
			if (!allow.some((pattern) => pattern.test(text))) problems.push(text);
		});
		page.on('pageerror', (error) => problems.push(error.message));
	});
	test.afterEach(() => {
		expect(problems).toEqual([]);
	});
}
