/** Value shapes a header cell never has but data often does. */
const TYPED_VALUE_PATTERNS = [
	/^[^\s@]+@[^\s@]+\.[^\s@]+$/, // email
	/^[+-]?\d+(?:[.,]\d+)?$/, // number, id, epoch
	/^\d{4}-\d{2}-\d{2}(?:[T ].*)?$/, // ISO date
	/^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/, // local date
	/^\+?[\d ()-]{7,}$/, // phone
	/^(?:true|false)$/i
];

export function looksLikeValue(cell: string): boolean {
	const trimmed = cell.trim();
	return trimmed !== '' && TYPED_VALUE_PATTERNS.some((pattern) => pattern.test(trimmed));
}

/** Most non-empty values of the column below the first row are typed values. */
function columnIsTyped(rows: string[][], column: number): boolean {
	let filled = 0;
	let typed = 0;
	for (let r = 1; r < rows.length; r++) {
		const cell = rows[r][column] ?? '';
		if (cell.trim() === '') continue;
		filled++;
		if (looksLikeValue(cell)) typed++;
	}
	return filled > 0 && typed * 2 > filled;
}

/**
 * Whether the first row is a header: it is when a cell is a known header alias and no cell looks
 * like data; otherwise when a column's values below are typed (emails, dates, numbers) while its
 * first cell is plain text; without such evidence when every first-row cell is non-empty, unique text.
 * A first row holding an email, a number or a date is data (Firebase's CSV has no header).
 */
export function detectHeader(rows: string[][], isKnownAlias: (cell: string) => boolean): boolean {
	if (rows.length === 0) return false;
	const first = rows[0];
	if (first.some(looksLikeValue)) return false;
	if (first.some((cell) => cell.trim() !== '' && isKnownAlias(cell))) return true;
	if (first.some((cell, column) => cell.trim() !== '' && columnIsTyped(rows, column))) return true;
	const cells = first.map((cell) => cell.trim());
	return cells.every((cell) => cell !== '') && new Set(cells).size === cells.length;
}
