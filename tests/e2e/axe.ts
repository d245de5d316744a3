import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, RunOptions } from 'axe-core';

// Evaluated rather than added with page.addScriptTag: the app's CSP (rightly) refuses an inline
// script, and Playwright's evaluate is not subject to it.
const axeSource = readFileSync(
	createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
	'utf8'
);

// Only violations are read, so axe need not collect (and build selectors for) every passing node:
// its documented performance option, which cut a run on a 30-column table from 3–5 s to under 1 s.
const RUN_OPTIONS: RunOptions = { resultTypes: ['violations'] };

export interface AxeViolation {
	rule: string;
	help: string;
	nodes: string[];
}

/** Runs axe-core on the page as it is now: each violated rule with the elements it found and why. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
	if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
	const results = await page.evaluate(
		(options) =>
			(
				window as unknown as {
					axe: { run(context: Document, options: RunOptions): Promise<AxeResults> };
				}
			).axe.run(document, options),
		RUN_OPTIONS
	);
	return results.violations.map((violation) => ({
		rule: violation.id,
		help: violation.help,
		nodes: violation.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary}`)
	}));
}

/** Records axe's violations as a failure of the test; `state` names the page and state in the message. */
export async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
	expect.soft(await axeViolations(page), `axe violations on ${state}`).toEqual([]);
}
