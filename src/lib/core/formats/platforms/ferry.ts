import { REPORT_COLUMNS, restoreFormula } from '../../report/csv';
import type { Preset } from '../preset';

/**
 * A failure report Ferry wrote (docs/report-format.md), fixed and dropped again: its own columns
 * are not imported, the source's columns map as they did, and every cell loses the quote the
 * report's formula protection added (`'+14155550100` is read as `+14155550100`).
 */
export const ferryFailureReport: Preset = {
	id: 'ferry-failure-report',
	label: 'Ferry failure report',
	detect: (input) =>
		input.format === 'csv' &&
		input.header &&
		REPORT_COLUMNS.every((column, index) => input.keys[index] === column),
	mapping: Object.fromEntries(REPORT_COLUMNS.map((column) => [column, null])),
	restoreCell: restoreFormula,
	restoreNote: { done: 'un-escaped', why: 'the quote its formula protection added is taken off' }
};
