import type { Algorithm } from '../identity/credential';
import type { DateOrder, MalformedQuote, RowIssue } from '../types';
import { duplicateIssues } from '../validate/explain';
import { trimmedField } from '../validate/canonical';
import { ISSUE_BIT, ISSUE_CODES } from '../validate/codes';
import type { DuplicateKey, ValidationPlan } from '../validate/plan';
import { parseDate, resolveDate } from '../validate/rules/date';
import {
	countCredential,
	countMask,
	type CredentialCounts,
	type MaskCounts,
	type ValidationSummary
} from '../validate/verdicts';
import { applyEdits, type RowEdit } from './overlay';

const DUPLICATE_BITS = ISSUE_BIT.duplicate_user_id | ISSUE_BIT.duplicate_email;
const KEYS: readonly DuplicateKey[] = ['user_id', 'email'];
const KEY_BIT: Record<DuplicateKey, number> = {
	user_id: ISSUE_BIT.duplicate_user_id,
	email: ISSUE_BIT.duplicate_email
};

/** A row as the file holds it (re-read from the working copy), before any edit. */
export interface OriginalRecord {
	fields: string[];
	fieldCount: number;
	malformedQuote?: MalformedQuote;
	/** Too large to read (record_too_large): no edit makes it a row to import. */
	tooLarge?: boolean;
}

/** What a scan left behind that edits are judged against: never changed by them. */
export interface ScannedVerdicts {
	plan: ValidationPlan;
	summary: Pick<ValidationSummary, 'rowIssues' | 'duplicateOf' | 'dateOrders'>;
	/** The scan's first row of a normalised duplicate key (ScanResult.firstRowOfKey). */
	firstRowOfKey(key: DuplicateKey, value: string): number;
}

/** The counts of the verdicts with the edits: dropped rows are not in the file. */
export interface EditedCounts extends MaskCounts {
	duplicateRows: number;
	/** The credential census of the rows as edited: a dropped row's credential is out of it. */
	credentials: CredentialCounts;
	/** Rows with a replaced value that are not dropped ("fixed by hand"). */
	edited: number;
	dropped: number;
}

/**
 * A row's normalised duplicate key of one kind ('' = none), as the engines take it: the trimmed
 * value of the plan's check with that key (plan.keyText: an email lower-cased, the primary one of
 * an address list).
 */
export function duplicateKeyOf(plan: ValidationPlan, key: DuplicateKey, fields: string[]): string {
	const check = plan.checks.find((candidate) => candidate.key === key);
	if (!check) return '';
	const value = trimmedField(fields, check.column);
	return value === '' ? '' : plan.keyText(check, value);
}

/**
 * A row's issue bits but the duplicates, by the plan's rules, its slash dates read in the orders
 * the scan resolved for their columns: what the engines find for the same cells.
 */
export function rowMaskWithoutDuplicates(
	plan: ValidationPlan,
	orders: readonly DateOrder[],
	fields: string[],
	fieldCount: number,
	malformedQuote?: MalformedQuote
): number {
	let mask = plan.constantMask | plan.raggedBits(fields, fieldCount);
	if (malformedQuote) mask |= ISSUE_BIT.malformed_quotes;
	if (plan.hasRowRules) mask |= plan.rowBits((column) => trimmedField(fields, column));
	const instants = new Float64Array(plan.dateChecks.length).fill(NaN);
	for (const check of plan.checks) {
		const value = trimmedField(fields, check.column);
		if (value === '') {
			if (check.required) mask |= ISSUE_BIT.missing_required;
			continue;
		}
		mask |= plan.valueBits(check, value, (column) => trimmedField(fields, column));
		if (check.type !== 'date') continue;
		const instant = resolveDate(parseDate(value), orders[check.dateSlot]);
		if (Number.isNaN(instant)) mask |= ISSUE_BIT.invalid_date;
		instants[check.dateSlot] = instant;
	}
	for (const instant of instants) if (instant > plan.options.now) mask |= ISSUE_BIT.future_date;
	const { registrationSlot, loginSlot } = plan;
	if (registrationSlot >= 0 && loginSlot >= 0 && instants[loginSlot] < instants[registrationSlot])
		mask |= ISSUE_BIT.login_before_registration;
	return mask;
}

/**
 * The verdicts of a scanned file with an edit overlay, kept up to date one row at a time: an edit
 * re-checks that row's cells and re-links only the duplicate groups of the keys it left and joined
 * (found through the scan's key index and, built once, each first row's list of repeats), so one
 * edit on a million-row file reads no other row. The first occurrence of a key stays valid; a
 * dropped row holds no key.
 *
 * Known limit: a column's slash-date order stays the one the scan resolved (an edit that would
 * change a column's majority is read in the old order until the file is validated again).
 */
export class EditedVerdicts {
	readonly #scanned: ScannedVerdicts;
	readonly #orders: DateOrder[];
	readonly #overlay = new Map<number, RowEdit>();
	/** The current masks and first-row links (plus one; 0 = none), the scan's copied. */
	readonly masks: Uint32Array;
	readonly #firsts: Record<DuplicateKey, Uint32Array>;
	/** Per key kind: the current key of each edited, kept row, and the edited rows of each key. */
	readonly #editedKey: Record<DuplicateKey, Map<number, string>> = {
		user_id: new Map(),
		email: new Map()
	};
	readonly #rowsOfKey: Record<DuplicateKey, Map<string, Set<number>>> = {
		user_id: new Map(),
		email: new Map()
	};
	/** Per key kind, built on the first edit: the scan's repeats of each first row, in order. */
	#repeats: Record<DuplicateKey, Map<number, number[]>> | null = null;
	readonly #counts: EditedCounts;
	/** The row being edited: its counts are taken out while it changes. */
	#editing = -1;

	constructor(scanned: ScannedVerdicts, counts: Omit<EditedCounts, 'edited' | 'dropped'>) {
		this.#scanned = scanned;
		const { plan, summary } = scanned;
		this.#orders = plan.dateChecks.map(
			(check) =>
				summary.dateOrders.find((order) => order.column === check.column)?.used ??
				plan.options.dateOrder
		);
		this.masks = summary.rowIssues.slice();
		// A row's link may be set by an edit: one per row, also where the scan kept none.
		const links = (firsts: Uint32Array) => {
			const all = new Uint32Array(summary.rowIssues.length);
			all.set(firsts);
			return all;
		};
		this.#firsts = {
			user_id: links(summary.duplicateOf.firstUserIds),
			email: links(summary.duplicateOf.firstEmails)
		};
		this.#counts = {
			rows: counts.rows,
			valid: counts.valid,
			invalid: counts.invalid,
			warnings: counts.warnings,
			validWithWarnings: counts.validWithWarnings,
			issueCounts: { ...counts.issueCounts },
			duplicateRows: counts.duplicateRows,
			credentials: { ...counts.credentials },
			edited: 0,
			dropped: 0
		};
	}

	get counts(): EditedCounts {
		const counts = this.#counts;
		return {
			...counts,
			issueCounts: { ...counts.issueCounts },
			credentials: { ...counts.credentials }
		};
	}

	get overlay(): ReadonlyMap<number, RowEdit> {
		return this.#overlay;
	}

	edit(row: number): RowEdit | undefined {
		return this.#overlay.get(row);
	}

	isDropped(row: number): boolean {
		return this.#overlay.get(row)?.dropped === true;
	}

	/** The current first earlier row with this row's user_id, or email, or undefined. */
	firstOf(key: DuplicateKey, row: number): number | undefined {
		const first = this.#firsts[key][row];
		return first ? first - 1 : undefined;
	}

	/**
	 * A row's explained issues (from the scan's explain() of its current values) with its
	 * duplicates as the edits left them.
	 */
	explain(row: number, scanned: RowIssue[]): RowIssue[] {
		const issues = scanned.filter(
			(issue) => issue.code !== 'duplicate_user_id' && issue.code !== 'duplicate_email'
		);
		issues.push(
			...duplicateIssues(
				this.#scanned.plan,
				this.firstOf('user_id', row),
				this.firstOf('email', row)
			)
		);
		return issues.sort((a, b) => ISSUE_CODES.indexOf(a.code) - ISSUE_CODES.indexOf(b.code));
	}

	/** Sets one row's edit (null: none) and re-judges what it touches; `original` is the file's row. */
	set(row: number, edit: RowEdit | null, original: OriginalRecord): void {
		const before = this.#overlay.get(row);
		const keysBefore = this.#keysOf(row, original);
		countCredential(this.#counts.credentials, this.#credentialOf(row, original), -1);
		this.#uncount(row);
		this.#editing = row;
		if (before && !before.dropped && Object.keys(before.values).length > 0) this.#counts.edited--;
		if (before?.dropped) this.#counts.dropped--;
		if (edit) this.#overlay.set(row, edit);
		else this.#overlay.delete(row);
		if (edit && !edit.dropped && Object.keys(edit.values).length > 0) this.#counts.edited++;
		if (edit?.dropped) this.#counts.dropped++;

		const fields = applyEdits(original.fields, edit);
		// An edited row is written anew: a quote the file misplaced in it no longer is.
		const quote = edit ? undefined : original.malformedQuote;
		const cells = original.tooLarge
			? ISSUE_BIT.record_too_large
			: rowMaskWithoutDuplicates(
					this.#scanned.plan,
					this.#orders,
					fields,
					original.fieldCount,
					quote
				);
		this.masks[row] = cells | (this.masks[row] & DUPLICATE_BITS);
		const keysAfter = this.#keysOf(row, original);
		for (const key of KEYS) {
			const editedKeys = this.#editedKey[key];
			const old = editedKeys.get(row);
			if (old !== undefined) {
				editedKeys.delete(row);
				this.#rowsOfKey[key].get(old)?.delete(row);
			}
			if (edit && keysAfter[key] !== '') {
				editedKeys.set(row, keysAfter[key]);
				let rows = this.#rowsOfKey[key].get(keysAfter[key]);
				if (!rows) this.#rowsOfKey[key].set(keysAfter[key], (rows = new Set()));
				rows.add(row);
			}
			// Off every group until its new key's group takes it in.
			this.#link(key, row, 0);
			if (keysBefore[key] !== '') this.#regroup(key, keysBefore[key]);
			if (keysAfter[key] !== '' && keysAfter[key] !== keysBefore[key])
				this.#regroup(key, keysAfter[key]);
		}
		this.#editing = -1;
		this.#count(row);
		countCredential(this.#counts.credentials, this.#credentialOf(row, original));
	}

	/**
	 * A row's census entry as it reads now, by the scan's own classifier: none when dropped or too
	 * large to read (the scan counts no credential for such a row either).
	 */
	#credentialOf(row: number, original: OriginalRecord): Algorithm | 'invalid' | null {
		const edit = this.#overlay.get(row);
		if (edit?.dropped || original.tooLarge) return null;
		const fields = applyEdits(original.fields, edit);
		return this.#scanned.plan.rowAlgorithm((column) => trimmedField(fields, column));
	}

	/** A row's current keys: none when dropped, else from its current values. */
	#keysOf(row: number, original: OriginalRecord): Record<DuplicateKey, string> {
		const edit = this.#overlay.get(row);
		if (edit?.dropped) return { user_id: '', email: '' };
		const fields = applyEdits(original.fields, edit);
		return {
			user_id: duplicateKeyOf(this.#scanned.plan, 'user_id', fields),
			email: duplicateKeyOf(this.#scanned.plan, 'email', fields)
		};
	}

	/** Links every current row of one key to its first, in row order. */
	#regroup(key: DuplicateKey, value: string): void {
		const members: number[] = [];
		const first = this.#scanned.firstRowOfKey(key, value);
		if (first >= 0) {
			if (!this.#overlay.has(first)) members.push(first);
			for (const row of this.#repeatsOf(key, first)) if (!this.#overlay.has(row)) members.push(row);
		}
		for (const row of this.#rowsOfKey[key].get(value) ?? []) members.push(row);
		members.sort((a, b) => a - b);
		for (let i = 0; i < members.length; i++)
			this.#link(key, members[i], i === 0 ? 0 : members[0] + 1);
	}

	#repeatsOf(key: DuplicateKey, first: number): number[] {
		if (!this.#repeats) {
			const { duplicateOf } = this.#scanned.summary;
			this.#repeats = {
				user_id: repeatsByFirst(duplicateOf.firstUserIds),
				email: repeatsByFirst(duplicateOf.firstEmails)
			};
		}
		return this.#repeats[key].get(first) ?? [];
	}

	/** Sets a row's link (first row plus one, 0 = none) and its duplicate bit, keeping counts. */
	#link(key: DuplicateKey, row: number, first: number): void {
		if (this.#firsts[key][row] === first) return;
		this.#uncount(row);
		this.#firsts[key][row] = first;
		if (first) this.masks[row] |= KEY_BIT[key];
		else this.masks[row] &= ~KEY_BIT[key];
		this.#count(row);
	}

	#count(row: number, sign: 1 | -1 = 1): void {
		if (row === this.#editing || this.isDropped(row)) return;
		const mask = this.masks[row];
		countMask(this.#counts, mask, sign);
		if (mask & DUPLICATE_BITS) this.#counts.duplicateRows += sign;
	}

	#uncount(row: number): void {
		this.#count(row, -1);
	}
}

/** First row → its repeats in row order, from per-row links (first row plus one, 0 = none). */
function repeatsByFirst(firsts: Uint32Array): Map<number, number[]> {
	const repeats = new Map<number, number[]>();
	for (let row = 0; row < firsts.length; row++) {
		const first = firsts[row];
		if (first === 0) continue;
		const list = repeats.get(first - 1);
		if (list) list.push(row);
		else repeats.set(first - 1, [row]);
	}
	return repeats;
}
