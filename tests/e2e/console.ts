import { expect, test } from '@playwright/test';

/**
 * Fails the test on any console error or uncaught exception in the page: a CSP violation, a Svelte
 * effect loop or a worker crash would otherwise pass unnoticed while the UI still looks right.
 */
export function failOnConsoleErrors(): void {
	let problems: string[] = [];
	test.beforeEach(({ page }) => {
		problems = [];
		page.on('console', (message) => {
			if (message.type() === 'error') problems.push(message.text());
		});
		page.on('pageerror', (error) => problems.push(error.message));
	});
	test.afterEach(() => {
		expect(problems).toEqual([]);
	});
}
