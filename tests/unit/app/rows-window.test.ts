import { describe, expect, it } from 'vitest';
import { MAX_SCROLL_HEIGHT, rowsWindow } from '../../../src/routes/rows-window';

const H = 28;
const VIEW = 560;

/** The rows wholly inside the view [top, top + VIEW) of the scrolled content. */
function onScreen(rows: number, top: number): number[] {
	const { first, end, offset } = rowsWindow(rows, H, top, VIEW, 0);
	const shown: number[] = [];
	for (let row = first; row < end; row++) {
		const at = row * H + offset;
		if (at >= top && at + H <= top + VIEW) shown.push(row);
	}
	return shown;
}

describe('rowsWindow', () => {
	it.each([
		{ rows: 0, top: 0, expected: { first: 0, end: 0, offset: 0, height: 0 } },
		{ rows: 5, top: 0, expected: { first: 0, end: 5, offset: 0, height: 140 } },
		{ rows: 1000, top: 0, expected: { first: 0, end: 23, offset: 0, height: 28_000 } },
		{ rows: 1000, top: 2800, expected: { first: 97, end: 123, offset: 0, height: 28_000 } },
		// Past the end (a shorter table after a re-scan): the last rows.
		{ rows: 1000, top: 99_999, expected: { first: 977, end: 1000, offset: 0, height: 28_000 } }
	])('$rows rows scrolled to $top', ({ rows, top, expected }) => {
		expect(rowsWindow(rows, H, top, VIEW, 3)).toEqual(expected);
	});

	it.each([1_000, 357_142, 862_105, 8_600_000, 20_000_000])(
		'%i rows: the first and the last rows are reached, and the rows on screen follow each other',
		(rows) => {
			const { height } = rowsWindow(rows, H, 0, VIEW, 0);
			expect(height).toBe(Math.min(rows * H, MAX_SCROLL_HEIGHT));
			expect(onScreen(rows, 0)[0]).toBe(0);
			expect(onScreen(rows, height - VIEW).at(-1)).toBe(rows - 1);
			for (const top of [1, 2, 3, 1000, 1001, height / 2, height / 2 + 1, height - VIEW - 1]) {
				const shown = onScreen(rows, top);
				expect(shown.length).toBeGreaterThanOrEqual(VIEW / H - 1);
				for (let i = 1; i < shown.length; i++) expect(shown[i]).toBe(shown[i - 1] + 1);
			}
		}
	);

	it("the row drawn at the view's top is the one the scroll position stands for", () => {
		const rows = 8_600_000;
		for (const top of [123_456, 5_000_000, MAX_SCROLL_HEIGHT - VIEW]) {
			const { first, end, offset } = rowsWindow(rows, H, top, VIEW, 20);
			expect(end - first).toBeLessThanOrEqual(Math.ceil(VIEW / H) + 1 + 40);
			const topRow = first + 20;
			// At or just above the view's top, and as far through the rows as top is through the range.
			const at = topRow * H + offset;
			expect(top - at).toBeGreaterThanOrEqual(0);
			expect(top - at).toBeLessThan(H);
			const through = top / (MAX_SCROLL_HEIGHT - VIEW);
			expect(Math.abs(topRow - through * (rows - VIEW / H))).toBeLessThanOrEqual(1);
		}
	});
});
