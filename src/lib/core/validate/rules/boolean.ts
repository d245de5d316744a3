/** The spellings of each boolean, lower-case (a destination's stored text may be any of them). */
export const BOOLEAN_SPELLINGS = {
	true: ['true', 'yes', 'y', '1'],
	false: ['false', 'no', 'n', '0']
} as const;

const TRUE = new Set<string>(BOOLEAN_SPELLINGS.true);
const FALSE = new Set<string>(BOOLEAN_SPELLINGS.false);

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
