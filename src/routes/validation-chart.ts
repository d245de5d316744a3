import type { IssueCode } from '$lib/core/types';
import { ISSUE_CODES } from '$lib/core/validate/codes';

/** One part of the rows: every row is in exactly one. */
export interface OverviewPart {
	kind: 'valid' | 'warned' | 'invalid';
	label: string;
	rows: number;
	/** Share of all rows, 0..1. */
	share: number;
}

/**
 * The rows split three ways for one stacked bar: valid without warnings, valid with warnings,
 * invalid (an invalid row's warnings do not count twice).
 */
export function overviewParts(counts: {
	rows: number;
	valid: number;
	invalid: number;
	validWithWarnings: number;
}): OverviewPart[] {
	const share = (rows: number) => (counts.rows > 0 ? rows / counts.rows : 0);
	const clean = counts.valid - counts.validWithWarnings;
	return [
		{ kind: 'valid', label: 'Valid', rows: clean, share: share(clean) },
		{
			kind: 'warned',
			label: 'Valid with warnings',
			rows: counts.validWithWarnings,
			share: share(counts.validWithWarnings)
		},
		{ kind: 'invalid', label: 'Invalid', rows: counts.invalid, share: share(counts.invalid) }
	];
}

/** "99.7%", "<0.1%" for a share too small to round to one, "0%" for none. */
export function formatShare(share: number): string {
	if (share === 0) return '0%';
	if (share < 0.001) return '<0.1%';
	return `${Number((share * 100).toFixed(1))}%`;
}

/** The codes whose bars are shown: those some row carries, or every code when asked. */
export function shownCodes(issueCounts: Record<IssueCode, number>, all: boolean): IssueCode[] {
	return all ? [...ISSUE_CODES] : ISSUE_CODES.filter((code) => (issueCounts[code] ?? 0) > 0);
}
