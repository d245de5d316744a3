import { expect, type Page } from '@playwright/test';

/** 30 columns: known identity fields, a misspelt one (low confidence), 23 the mapping cannot place. */
export const CUSTOM = 23;
export const COLUMNS = [
	'user_id',
	'email',
	'first_name',
	'last_name',
	'phone',
	'created_at',
	'lokale',
	...Array.from({ length: CUSTOM }, (_, i) => `custom attribute number ${i + 1}`)
];

/** A 30-column CSV of `rows` rows; every 7th email is broken. */
export function wideCsv(rows: number): Buffer {
	const lines = [COLUMNS.join(',')];
	for (let row = 1; row <= rows; row++) {
		const email = row % 7 === 0 ? `broken-${row}@` : `person${row}@example.com`;
		lines.push(
			[
				`u${row}`,
				email,
				`Given${row}`,
				`Family${row}`,
				'+14155550100',
				'2024-03-04',
				'en',
				...Array.from({ length: CUSTOM }, (_, i) => `value ${row}-${i + 1} of a long custom field`)
			].join(',')
		);
	}
	return Buffer.from(lines.join('\n') + '\n');
}

/** The page never scrolls sideways (wide tables scroll in their own region); names what sticks out. */
export async function expectFits(page: Page, state: string): Promise<void> {
	const { scrollWidth, innerWidth, overflowing } = await page.evaluate(() => ({
		scrollWidth: document.documentElement.scrollWidth,
		innerWidth: window.innerWidth,
		// The outermost elements past the right edge.
		overflowing: [...document.querySelectorAll('body *')]
			.filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
			.filter((element) => {
				for (let up = element.parentElement; up; up = up.parentElement)
					if (getComputedStyle(up).overflowX !== 'visible') return false;
				return true;
			})
			.slice(0, 5)
			.map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}`)
	}));
	expect
		.soft(scrollWidth, `page width of ${state} at ${innerWidth} px (${overflowing.join(', ')})`)
		.toBeLessThanOrEqual(innerWidth);
}
