const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);

/** true/false/yes/no/y/n/1/0 in any case; null when the value is none of them. */
export function parseBoolean(value: string): boolean | null {
	const lower = value.toLowerCase();
	if (TRUE.has(lower)) return true;
	if (FALSE.has(lower)) return false;
	return null;
}

export function isValidBoolean(value: string): boolean {
	return parseBoolean(value) !== null;
}
