/**
 * Which rows of the table to draw, and where, for rows of one fixed height: arithmetic on the
 * scroll position, so a table of millions of rows keeps nothing per row. (A virtual list that
 * measures rows keeps 16 to 24 bytes for each: 20 MB of the page at 862,000 rows, 200 MB at 8.6
 * million.) Browsers cap an element's height near 2²⁵ px (Chromium: 33,554,400 px, 1.2 million
 * rows of 28 px), so past MAX_SCROLL_HEIGHT the scroll range stands for all the rows, scaled.
 */
export const MAX_SCROLL_HEIGHT = 10_000_000;

export interface RowsWindow {
	/** The rows to draw: [first, end). */
	first: number;
	end: number;
	/** Where row i goes in the scrolled content: i × rowHeight + offset. */
	offset: number;
	/** The height of the scrolled content. */
	height: number;
}

export function rowsWindow(
	rows: number,
	rowHeight: number,
	scrollTop: number,
	viewportHeight: number,
	overscan: number
): RowsWindow {
	const full = rows * rowHeight;
	const height = Math.min(full, MAX_SCROLL_HEIGHT);
	const scrollable = Math.max(0, height - viewportHeight);
	const top = Math.min(Math.max(0, scrollTop), scrollable);
	// Where the view's top falls among all the rows: the same place as top when nothing is scaled.
	const virtualTop = scrollable > 0 ? (top / scrollable) * Math.max(0, full - viewportHeight) : 0;
	const first = Math.max(0, Math.floor(virtualTop / rowHeight) - overscan);
	const end = Math.min(rows, Math.ceil((virtualTop + viewportHeight) / rowHeight) + overscan);
	return { first, end, offset: top - virtualTop, height };
}
