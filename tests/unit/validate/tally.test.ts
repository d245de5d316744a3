import { describe, expect, it } from 'vitest';
import { ERROR_MASK, ISSUE_CODES, WARNING_MASK } from '../../../src/lib/core/validate/codes';
import { countMask, tally, type MaskCounts } from '../../../src/lib/core/validate/verdicts';
import { random } from '../engine/helpers';

/** The slow twin: countMask row by row. */
function countedRowByRow(masks: Uint32Array): MaskCounts {
	const counts: MaskCounts = {
		rows: 0,
		valid: 0,
		invalid: 0,
		warnings: 0,
		validWithWarnings: 0,
		issueCounts: Object.fromEntries(
			ISSUE_CODES.map((code) => [code, 0])
		) as MaskCounts['issueCounts']
	};
	for (const mask of masks) countMask(counts, mask);
	return counts;
}

const lowestBit = (mask: number) => mask & -mask;

describe('tally', () => {
	const cases = [
		{ name: 'no rows', masks: [] },
		{ name: 'clean rows', masks: [0, 0, 0] },
		{ name: 'an error only', masks: [lowestBit(ERROR_MASK)] },
		{ name: 'a warning only', masks: [lowestBit(WARNING_MASK)] },
		{ name: 'an error and a warning', masks: [lowestBit(ERROR_MASK) | lowestBit(WARNING_MASK)] },
		{ name: 'every issue', masks: [ERROR_MASK | WARNING_MASK] },
		{ name: 'the top bit and bits past the codes', masks: [0x80000000, 0xffffffff, 1 << 31] }
	];
	for (const { name, masks } of cases)
		it(`counts as countMask row by row: ${name}`, () => {
			const typed = new Uint32Array(masks);
			expect(tally(typed)).toEqual(countedRowByRow(typed));
		});

	it('counts as countMask row by row on random masks of few and of many bits', () => {
		const next = random(3);
		const masks = new Uint32Array(20_000);
		for (let row = 0; row < masks.length; row++) {
			const bits = next() < 0.5 ? 0 : next() < 0.8 ? 1 : 1 + Math.floor(next() * 8);
			for (let k = 0; k < bits; k++) masks[row] |= 1 << Math.floor(next() * 32);
		}
		const counts = tally(masks);
		expect(counts).toEqual(countedRowByRow(masks));
		expect(counts.invalid).toBeGreaterThan(1000);
		expect(counts.validWithWarnings).toBeGreaterThan(100);
	});
});
