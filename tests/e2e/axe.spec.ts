import { expect, test } from '@playwright/test';
import { axeViolations } from './axe';

// The accessibility checks of the other tests run axe with violations only: every failing node must
// still be reported, also when nodes before it pass the same rule.
test('axe as the tests run it reports every violating node, after passing ones too', async ({
	page
}) => {
	await page.setContent(`<!doctype html><html lang="en"><head><title>t</title></head><body><main>
		<img src="data:," alt="a logo">
		<img id="first-bare" src="data:,">
		<img id="second-bare" src="data:,">
		<p style="color:#000;background:#fff">readable</p>
		<p id="faint" style="color:#eee;background:#fff">faint</p>
	</main></body></html>`);
	const violations = await axeViolations(page);
	const nodes = Object.fromEntries(
		violations.map((v) => [v.rule, v.nodes.map((n) => n.split(':')[0])])
	);
	expect(nodes['image-alt']).toEqual(['#first-bare', '#second-bare']);
	expect(nodes['color-contrast']).toEqual(['#faint']);
});
