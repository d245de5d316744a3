import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';

// Evaluated rather than added with page.addScriptTag: the app's CSP (rightly) refuses an inline
// script, and Playwright's evaluate is not subject to it.
const axeSource = readFileSync(
	createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
	'utf8'
);

/**
 * Runs axe-core on the page as it is now and records its violations (each rule with the elements it
 * found and why) as a failure of the test; `state` names the page and state in the message.
 */
export async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
	if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
	const results = await page.evaluate(() =>
		(window as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run()
	);
	const violations = results.violations.map((violation) => ({
		rule: violation.id,
		help: violation.help,
		nodes: violation.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary}`)
	}));
	expect.soft(violations, `axe violations on ${state}`).toEqual([]);
}
