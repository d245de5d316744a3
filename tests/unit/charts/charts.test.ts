import { describe, expect, it } from 'vitest';
import { formatDuration, timeLeftMs } from '../../../src/lib/core/progress';
import type { IssueCode } from '../../../src/lib/core/types';
import { ISSUE_CODES } from '../../../src/lib/core/validate/codes';
import { formatShare, overviewParts, shownCodes } from '../../../src/routes/validation-chart';

describe('timeLeftMs', () => {
	it('is unknown before a second has passed or before anything is done', () => {
		expect(timeLeftMs(500, 1000, 999)).toBeNull();
		expect(timeLeftMs(0, 1000, 5000)).toBeNull();
		expect(timeLeftMs(10, 0, 5000)).toBeNull();
	});

	it('extrapolates the pace so far', () => {
		expect(timeLeftMs(250, 1000, 2000)).toBe(6000);
		expect(timeLeftMs(1000, 1000, 2000)).toBe(0);
		expect(timeLeftMs(1200, 1000, 2000)).toBe(0);
	});

	it('reads as seconds, minutes or hours', () => {
		expect(formatDuration(null)).toBe('—');
		expect(formatDuration(6000)).toBe('6 s');
		expect(formatDuration(185_000)).toBe('3 min 5 s');
		expect(formatDuration(3_840_000)).toBe('1 h 4 min');
	});
});

describe('overviewParts', () => {
	it('splits every row into exactly one part, shares of the row count', () => {
		const parts = overviewParts({ rows: 10_000, valid: 9_970, invalid: 30, validWithWarnings: 70 });
		expect(parts.map((part) => [part.kind, part.rows])).toEqual([
			['valid', 9_900],
			['warned', 70],
			['invalid', 30]
		]);
		expect(parts.reduce((sum, part) => sum + part.rows, 0)).toBe(10_000);
		expect(parts.reduce((sum, part) => sum + part.share, 0)).toBeCloseTo(1);
		expect(parts[2].share).toBeCloseTo(0.003);
	});

	it('has empty shares for an empty file', () => {
		const parts = overviewParts({ rows: 0, valid: 0, invalid: 0, validWithWarnings: 0 });
		expect(parts.every((part) => part.share === 0)).toBe(true);
	});

	it('says small shares without rounding them away', () => {
		expect(formatShare(0)).toBe('0%');
		expect(formatShare(0.0004)).toBe('<0.1%');
		expect(formatShare(0.003)).toBe('0.3%');
		expect(formatShare(0.99)).toBe('99%');
		expect(formatShare(1)).toBe('100%');
	});
});

describe('shownCodes', () => {
	const counts = Object.fromEntries(ISSUE_CODES.map((code) => [code, 0])) as Record<
		IssueCode,
		number
	>;
	counts.invalid_email = 3;
	counts.duplicate_user_id = 1;

	it('hides the codes no row carries', () => {
		expect(shownCodes(counts, false)).toEqual(
			ISSUE_CODES.filter((code) => code === 'invalid_email' || code === 'duplicate_user_id')
		);
	});

	it('shows every code when asked, in their usual order', () => {
		expect(shownCodes(counts, true)).toEqual(ISSUE_CODES);
	});
});
