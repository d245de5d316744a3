import type { DestinationProfile } from '../profiles/types';
import { fieldByName } from '../schema/fields';
import type { FieldName, Mapping, RecordSpan, ValidationOptions } from '../types';
import { trimmedField } from '../validate/canonical';
import { ISSUE_BIT } from '../validate/codes';
import { explainRow, type ExplainBook } from '../validate/explain';
import { ValidationPlan, type CellReader } from '../validate/plan';
import { tally } from '../validate/verdicts';
import type { ScanResult } from './types';

/** What a scan's verdicts depend on besides the file. */
export interface CheckCall {
	mapping: Mapping;
	profile: DestinationProfile;
	options: ValidationOptions;
	maxRows?: number;
}

/**
 * Fields whose verdicts reach past their own cell: duplicate keys, the credential and its salt
 * (read together), `email` and `emails` (one reads the other).
 */
const ROW_WIDE_FIELDS: readonly FieldName[] = [
	'user_id',
	'email',
	'emails',
	'password',
	'password_hash',
	'password_salt'
];

/** Bits a row gets from how it was read, never from a check of one of its cells. */
const READ_BITS = ISSUE_BIT.malformed_quotes | ISSUE_BIT.ragged_row | ISSUE_BIT.record_too_large;

/**
 * Rows re-read at most to tell which of their bits another column gave (one read per run of
 * rows): beyond that, checking the whole file again is likely quicker. A guess, not measured.
 */
export const MAX_REREAD_ROWS = 5000;

/** The field takes part in a verdict on the whole row: a duplicate key, a date, a row rule. */
function isRowWide(profile: DestinationProfile, field: FieldName): boolean {
	const { rules } = profile;
	return (
		ROW_WIDE_FIELDS.includes(field) ||
		fieldByName(field).type === 'date' ||
		rules.unique.includes(field) ||
		rules.requireOneOf.some((group) => group.includes(field)) ||
		rules.requireOneTrue.includes(field)
	);
}

/**
 * The one column a new call re-checks alone, or -1 when the file is checked whole: the call
 * changes only that column's field (profile, options and every other column as before), and
 * neither its old nor its new field takes part in a row-wide verdict or is mapped twice (the
 * first column of a field mapped twice wins, so another column's check would move).
 */
export function remappedColumn(before: CheckCall, after: CheckCall, columns: number): number {
	if (before.maxRows !== undefined || after.maxRows !== undefined) return -1;
	if (JSON.stringify(before.profile) !== JSON.stringify(after.profile)) return -1;
	if (JSON.stringify(before.options) !== JSON.stringify(after.options)) return -1;
	if (before.mapping.length !== after.mapping.length) return -1;
	let column = -1;
	for (let c = 0; c < after.mapping.length; c++) {
		if (before.mapping[c] === after.mapping[c]) continue;
		if (column >= 0) return -1;
		column = c;
	}
	if (column < 0 || column >= columns) return -1;
	for (const mapping of [before.mapping, after.mapping]) {
		const field = mapping[column];
		if (!field) continue;
		if (mapping.indexOf(field) !== mapping.lastIndexOf(field)) return -1;
		if (isRowWide(after.profile, field)) return -1;
	}
	return column;
}

/**
 * The profile with only `field`'s own rules: no other field required, no rule over a row's fields
 * together. A scan mapping only `field` by it gives each row the bits of that one check (and of
 * how the row was read).
 */
function checkedAlone(profile: DestinationProfile, field: FieldName): DestinationProfile {
	return {
		...profile,
		fields: profile.fields.map((f) =>
			f.name === field || !f.required ? f : { ...f, required: false }
		),
		rules: { ...profile.rules, requireOneOf: [], requireOneTrue: [] }
	};
}

/** The bits a row's cells give by every check of `plan` but the one of `column`, and its row rules. */
function otherCellBits(plan: ValidationPlan, column: number, cellOf: CellReader): number {
	let mask = plan.hasRowRules ? plan.rowBits(cellOf) : 0;
	for (const check of plan.checks) {
		if (check.column === column) continue;
		const value = cellOf(check.column);
		if (value === '') mask |= check.required ? ISSUE_BIT.missing_required : 0;
		else mask |= plan.valueBits(check, value, cellOf);
	}
	return mask;
}

export interface Remap {
	before: CheckCall;
	after: CheckCall;
	/** remappedColumn(before, after): the column whose field changed. */
	column: number;
	/** The layout's columns. */
	columns: string[];
}

/** What a remap reads: the file scanned again by another mapping and profile, and some rows. */
export interface RemapReader {
	scan(mapping: Mapping, profile: DestinationProfile): Promise<ScanResult>;
	readRows(rows: number[]): Promise<RecordSpan[]>;
}

/**
 * The result of `after` from the result of `before` when only one plain column's field changed:
 * the file scanned again checking that column alone, and each row's mask rebuilt as the new
 * plan's constant bits | the old mask without the bits the old check could have given | the new
 * check's bits. Where the old mask has a bit the old check could have given and nothing new gives,
 * another column may have given it too: those rows (few: rows with issues) are re-read and their
 * other cells checked again. Duplicates, date orders and credentials stay, as no field of them
 * changed. Null when it would not be quicker: a required field newly mapped (every row's
 * missing_required is in question), or more than MAX_REREAD_ROWS rows to re-read.
 */
export async function remapResult(
	result: ScanResult,
	remap: Remap,
	reader: RemapReader
): Promise<ScanResult | null> {
	const { before, after, column, columns } = remap;
	const oldPlan = new ValidationPlan({ ...before, columns });
	const plan = new ValidationPlan({ ...after, columns });
	const constant = plan.constantMask;
	if ((oldPlan.constantMask & ~constant) !== 0) return null;
	const oldCheck = oldPlan.checks.find((check) => check.column === column);
	const newCheck = plan.checks.find((check) => check.column === column);
	const possible = oldCheck ? oldPlan.possibleBits(oldCheck) : 0;
	// The old check's bits that another check or a row rule could have given too: only those are
	// in question where nothing new gives them (invalid_phone, say, is often the old check's alone).
	let shared = plan.hasRowRules ? ISSUE_BIT.missing_required : 0;
	for (const check of plan.checks) if (check.column !== column) shared |= plan.possibleBits(check);

	let scanned: ScanResult | null = null;
	if (newCheck) {
		const alone = after.mapping.map((field, c) => (c === column ? field : null));
		scanned = await reader.scan(alone, checkedAlone(after.profile, newCheck.field));
		if (scanned.rows !== result.rows) return null;
	}
	const fresh = scanned?.rowIssues ?? null;

	const old = result.rowIssues;
	// The new masks take the place of the one-column scan's own (no third array of a mask a row).
	const masks = fresh ?? new Uint32Array(result.rows);
	const reread: number[] = [];
	for (let row = 0; row < masks.length; row++) {
		// Its cells were never read: record_too_large stays its only issue.
		if (old[row] & ISSUE_BIT.record_too_large) {
			masks[row] = old[row];
			continue;
		}
		const given = (fresh ? fresh[row] & ~READ_BITS : 0) | constant;
		masks[row] = (old[row] & ~possible) | given;
		if (old[row] & possible & shared & ~given) reread.push(row);
	}
	if (reread.length > MAX_REREAD_ROWS) return null;
	const records = reread.length > 0 ? await reader.readRows(reread) : [];
	reread.forEach((row, i) => {
		const { fields } = records[i];
		masks[row] |= otherCellBits(plan, column, (c) => trimmedField(fields, c)) & possible;
	});

	const { duplicateOf, dateOrders } = result;
	const book: ExplainBook = {
		finished: true,
		maskOf: (row) => masks[row],
		orderOf: (slot) =>
			dateOrders.find((order) => order.column === plan.dateChecks[slot].column)?.used ??
			plan.options.dateOrder,
		firstUserIdOf: (row) => duplicateOf.firstUserIdOf(row),
		firstEmailOf: (row) => duplicateOf.firstEmailOf(row)
	};
	// The roles' items are the file's own: they change only with the column mapped to roles.
	const roleValues =
		newCheck?.field === 'roles'
			? (scanned?.roleValues ?? null)
			: oldCheck?.field === 'roles'
				? null
				: result.roleValues;
	return {
		...result,
		...tally(masks),
		roleValues,
		rowIssues: masks,
		explain: (row, fields, fieldCount, malformedQuote) =>
			explainRow(plan, book, row, fields, fieldCount, malformedQuote)
	};
}
