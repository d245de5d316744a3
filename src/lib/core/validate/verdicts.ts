import { Growable } from '../engine/growable';
import type { Algorithm } from '../identity/credential';
import type { DateColumnOrder, DateOrder, IssueCode } from '../types';
import { ERROR_MASK, ISSUE_BIT, ISSUE_CODES, WARNING_MASK } from './codes';
import { RowLinks } from './links';
import { DateKind } from '../wasm/layout';
import type { Check, ValidationPlan } from './plan';
import { slashEvidence, type ParsedDate } from './rules/date';

export interface ValidationSummary {
	rows: number;
	valid: number;
	invalid: number;
	warnings: number;
	/** Valid rows that carry a warning. */
	validWithWarnings: number;
	/** Rows carrying each code. */
	issueCounts: Record<IssueCode, number>;
	/** Per row bitmask of ISSUE_CODES (length = rows). */
	rowIssues: Uint32Array;
	/** Row → first row with the same user_id (or, failing that, the same email). */
	duplicateOf: RowLinks;
	/** One entry per date column that held slash dates. */
	dateOrders: DateColumnOrder[];
	/** Rows per algorithm of their password credential ('invalid': it does not parse). */
	credentials: CredentialCounts;
}

/** Rows per credential algorithm: the census the summary and the CLI show. */
export type CredentialCounts = Partial<Record<Algorithm | 'invalid', number>>;

/** Adds a range's census to the file's. */
export function addCredentials(into: CredentialCounts, from: CredentialCounts): void {
	for (const [algorithm, rows] of Object.entries(from) as [keyof CredentialCounts, number][])
		into[algorithm] = (into[algorithm] ?? 0) + rows;
}

/**
 * Adds one row's algorithm (plan.rowAlgorithm) to a census, or with sign -1 takes it out (an
 * edited or dropped row); an algorithm no row has left is no key, as a scan never writes one.
 */
export function countCredential(
	counts: CredentialCounts,
	algorithm: Algorithm | 'invalid' | null,
	sign: 1 | -1 = 1
) {
	if (algorithm === null) return;
	const rows = (counts[algorithm] ?? 0) + sign;
	if (rows === 0) delete counts[algorithm];
	else counts[algorithm] = rows;
}

// The bits a row or a date cell may get, read once: no per-row or per-cell code reads ISSUE_BIT.
const BIT_INVALID_DATE = ISSUE_BIT.invalid_date;
const BIT_DUPLICATE_EMAIL = ISSUE_BIT.duplicate_email;
const BIT_DUPLICATE_USER_ID = ISSUE_BIT.duplicate_user_id;
const BIT_FUTURE_DATE = ISSUE_BIT.future_date;
const BIT_LOGIN_BEFORE_REGISTRATION = ISSUE_BIT.login_before_registration;

/** The counts of a summary that follow from its row masks. */
export type MaskCounts = Pick<
	ValidationSummary,
	'rows' | 'valid' | 'invalid' | 'warnings' | 'validWithWarnings' | 'issueCounts'
>;

/** Adds one row's mask to `counts`, or with sign -1 takes it out (an edited or dropped row). */
export function countMask(counts: MaskCounts, mask: number, sign: 1 | -1 = 1): void {
	const valid = (mask & ERROR_MASK) === 0;
	const warned = (mask & WARNING_MASK) !== 0;
	counts.rows += sign;
	if (valid) counts.valid += sign;
	else counts.invalid += sign;
	if (warned) counts.warnings += sign;
	if (valid && warned) counts.validWithWarnings += sign;
	if (mask === 0) return;
	for (let bit = 0; bit < ISSUE_CODES.length; bit++)
		if (mask & (1 << bit)) counts.issueCounts[ISSUE_CODES[bit]] += sign;
}

/**
 * The counts of a summary from its row masks: countMask for every row, in one pass that visits only
 * the bits a row has set (most rows have none, the others one or two). It runs once the last range
 * is in, so its time is waited for: testing every possible bit of every row took about 20 ms for
 * as many rows as the 100 MB bench export has (862,105), this about 5.
 */
export function tally(masks: Uint32Array): MaskCounts {
	// Int32, not Float64: the counts must be small integers to V8. issueCounts has ISSUE_BIT's
	// keys in ISSUE_BIT's order, so the two share hidden classes, and doubles here made V8
	// deoptimise the code reading ISSUE_BIT again and again (a quarter more time per scan).
	const rowsOfBit = new Int32Array(32);
	let valid = 0;
	let warnings = 0;
	let validWithWarnings = 0;
	for (let row = 0; row < masks.length; row++) {
		let mask = masks[row];
		if (mask === 0) {
			valid++;
			continue;
		}
		const warned = (mask & WARNING_MASK) !== 0;
		if (warned) warnings++;
		if ((mask & ERROR_MASK) === 0) {
			valid++;
			if (warned) validWithWarnings++;
		}
		for (; mask !== 0; mask &= mask - 1) rowsOfBit[31 - Math.clz32(mask & -mask)]++;
	}
	return {
		rows: masks.length,
		valid,
		invalid: masks.length - valid,
		warnings,
		validWithWarnings,
		issueCounts: Object.fromEntries(
			ISSUE_CODES.map((code, bit) => [code, rowsOfBit[bit]])
		) as Record<IssueCode, number>
	};
}

/**
 * Date slots as DateKind values (wasm/layout.mjs: the row kernel writes them too) with their
 * instants (exact: dateA; slash: dateA dmy, dateB mdy).
 */
export interface DateSlots {
	dateKinds: Uint8Array;
	dateA: Float64Array;
	dateB: Float64Array;
}

/** Writes what a date value parsed as into slot `at`; answers invalid_date for a bad exact date. */
export function recordDate(slots: DateSlots, at: number, parsed: ParsedDate): number {
	if (parsed.kind === 'exact') {
		slots.dateKinds[at] = DateKind.EXACT;
		slots.dateA[at] = parsed.ms;
		return Number.isNaN(parsed.ms) ? BIT_INVALID_DATE : 0;
	}
	const evidence = slashEvidence(parsed);
	slots.dateKinds[at] =
		evidence === 'dmy'
			? DateKind.SLASH_DMY
			: evidence === 'mdy'
				? DateKind.SLASH_MDY
				: DateKind.SLASH;
	slots.dateA[at] = parsed.dmy;
	slots.dateB[at] = parsed.mdy;
	return 0;
}

interface DateSlot {
	check: Check;
	slashValues: number;
	dmyEvidence: number;
	mdyEvidence: number;
	order: DateOrder;
}

/**
 * The verdicts of one file, committed row by row in order once each row's cells are checked:
 * the column-wide slash-date orders, the duplicates (the callers find each key's first row) and
 * the per-row Uint32 issue masks. Only rows with slash dates keep their candidate instants until
 * finish().
 */
export class VerdictBook implements DateSlots {
	/** The date slots of the row being committed (DateKind values, instants); commit() clears them. */
	readonly dateKinds: Uint8Array;
	readonly dateA: Float64Array;
	readonly dateB: Float64Array;
	/** The credential census, added to as rows are checked (countCredential). */
	readonly credentials: CredentialCounts = {};

	readonly #plan: ValidationPlan;
	readonly #dates: DateSlot[];
	readonly #masks = new Growable((n) => new Uint32Array(n));
	/** Rows awaiting the column orders: [row, slash-slot bits, (dmy, mdy) per date slot…]. */
	readonly #deferred = new Growable((n) => new Float64Array(n));
	/**
	 * Per row: the first row with its user_id, and with its email, plus one (0 = none); kept from
	 * the first duplicate on (rows before it are 0), so a file without any costs nothing.
	 */
	readonly #firstUserIds = new Growable((n) => new Uint32Array(n), 1);
	readonly #firstEmails = new Growable((n) => new Uint32Array(n), 1);
	/** The rows reserve() made room for: the first links get as much. */
	#reserved = 0;
	/** The links of an earlier scan that found the same duplicates (useLinks): none are kept here. */
	#knownLinks: RowLinks | null = null;
	/** One instant per date slot, NaN for none: what #dateWarnings judges. */
	readonly #instants: Float64Array;
	#linked = 0;
	#summary: ValidationSummary | null = null;

	constructor(plan: ValidationPlan) {
		this.#plan = plan;
		this.#dates = plan.dateChecks.map((check) => ({
			check,
			slashValues: 0,
			dmyEvidence: 0,
			mdyEvidence: 0,
			order: plan.options.dateOrder
		}));
		this.dateKinds = new Uint8Array(this.#dates.length);
		this.dateA = new Float64Array(this.#dates.length);
		this.dateB = new Float64Array(this.#dates.length);
		this.#instants = new Float64Array(this.#dates.length);
	}

	get rows(): number {
		return this.#masks.length;
	}

	/**
	 * The rows' links are these, from a scan that keyed the same columns (the first rows given to
	 * commit must agree): the summary shares them rather than keeping a copy.
	 */
	useLinks(links: RowLinks): void {
		this.#knownLinks = links;
	}

	/** Room for `rows` rows in all (a count estimated ahead spares growing the per-row arrays). */
	reserve(rows: number): void {
		this.#masks.reserve(rows);
		this.#reserved = rows;
	}

	/**
	 * Adds the next row: its cell issue bits, the first earlier rows with its user_id and email
	 * (-1 for none) and its date slots as set in dateKinds/dateA/dateB.
	 */
	commit(cellMask: number, firstUserId: number, firstEmail: number): void {
		this.#commitRow(cellMask, firstUserId, firstEmail, this, 0);
		this.dateKinds.fill(DateKind.NONE);
	}

	/**
	 * commit() for a run of rows at once (a range's): row r has cell issue bits masks[r], first
	 * rows firstUserIds[r] and firstEmails[r] (-1 for none) and its date slots in `dates` from
	 * r × (date slots) on.
	 */
	commitRows(
		masks: Uint32Array,
		firstUserIds: Int32Array,
		firstEmails: Int32Array,
		dates: DateSlots
	): void {
		const slots = this.#dates.length;
		for (let r = 0; r < masks.length; r++)
			this.#commitRow(masks[r], firstUserIds[r], firstEmails[r], dates, r * slots);
	}

	#commitRow(
		cellMask: number,
		firstUserId: number,
		firstEmail: number,
		dates: DateSlots,
		at: number
	): void {
		if (this.#summary) throw new Error('VerdictBook.commit() after finish()');
		const row = this.#masks.length;
		let mask = cellMask;
		let slash = 0;
		let dated = false;
		const kinds = dates.dateKinds;
		for (let slot = 0; slot < this.#dates.length; slot++) {
			const kind = kinds[at + slot];
			if (kind === DateKind.NONE) continue;
			dated = true;
			if (kind === DateKind.EXACT) continue;
			slash |= 1 << slot;
			const date = this.#dates[slot];
			date.slashValues++;
			if (kind === DateKind.SLASH_DMY) date.dmyEvidence++;
			else if (kind === DateKind.SLASH_MDY) date.mdyEvidence++;
		}
		if (slash) this.#defer(row, slash, dates, at);
		else if (dated) {
			const instants = this.#instants;
			for (let slot = 0; slot < instants.length; slot++)
				instants[slot] = kinds[at + slot] === DateKind.EXACT ? dates.dateA[at + slot] : NaN;
			mask |= this.#dateWarnings(instants);
		}

		if (firstEmail >= 0) mask |= BIT_DUPLICATE_EMAIL;
		if (firstUserId >= 0) mask |= BIT_DUPLICATE_USER_ID;
		// Known links are not kept again (useLinks).
		if (!this.#knownLinks && (firstEmail >= 0 || firstUserId >= 0)) {
			if (this.#linked === 0) this.#startLinks(row);
			this.#linked++;
		}
		if (this.#linked > 0) {
			this.#firstEmails.push(firstEmail + 1);
			this.#firstUserIds.push(firstUserId + 1);
		}
		this.#masks.push(mask);
	}

	/** The first duplicate, at `row`: the rows before it are linked to none. */
	#startLinks(row: number): void {
		for (const links of [this.#firstUserIds, this.#firstEmails]) {
			links.reserve(Math.max(this.#reserved, row + 1));
			const at = links.extend(row);
			links.data.fill(0, at, at + row);
		}
	}

	#defer(row: number, slashBits: number, dates: DateSlots, at: number): void {
		this.#deferred.push(row);
		this.#deferred.push(slashBits);
		for (let slot = 0; slot < this.#dates.length; slot++) {
			const kind = dates.dateKinds[at + slot];
			const a = dates.dateA[at + slot];
			this.#deferred.push(kind === DateKind.NONE ? NaN : a);
			this.#deferred.push(
				kind === DateKind.NONE ? NaN : kind === DateKind.EXACT ? a : dates.dateB[at + slot]
			);
		}
	}

	/** future_date and login_before_registration from the resolved instants (NaN = none). */
	#dateWarnings(instants: Float64Array): number {
		const { registrationSlot, loginSlot, options } = this.#plan;
		let mask = 0;
		for (let slot = 0; slot < this.#dates.length; slot++)
			if (instants[slot] > options.now) mask |= BIT_FUTURE_DATE;
		if (registrationSlot >= 0 && loginSlot >= 0)
			if (instants[loginSlot] < instants[registrationSlot]) mask |= BIT_LOGIN_BEFORE_REGISTRATION;
		return mask;
	}

	/** Resolves column-wide slash-date orders, then returns the verdicts. */
	finish(): ValidationSummary {
		if (this.#summary) return this.#summary;
		const dateOrders = this.#resolveOrders();
		const masks = this.#masks.toArray();
		this.#judgeDeferred(masks);

		this.#summary = {
			...tally(masks),
			rowIssues: masks,
			duplicateOf:
				this.#knownLinks ??
				new RowLinks(this.#firstUserIds.toArray(), this.#firstEmails.toArray(), this.#linked),
			dateOrders,
			credentials: this.credentials
		};
		return this.#summary;
	}

	/**
	 * A part above 12 can only be a day: such values are evidence for their column's order. Both
	 * kinds of evidence make the column mixed: the majority decides and the minority is invalid.
	 */
	#resolveOrders(): DateColumnOrder[] {
		const orders: DateColumnOrder[] = [];
		for (const slot of this.#dates) {
			if (slot.slashValues === 0) continue;
			const { dmyEvidence: dmy, mdyEvidence: mdy } = slot;
			const evidence = dmy && mdy ? 'mixed' : dmy ? 'dmy' : mdy ? 'mdy' : 'ambiguous';
			slot.order = dmy > mdy ? 'dmy' : mdy > dmy ? 'mdy' : this.#plan.options.dateOrder;
			orders.push({ column: slot.check.column, evidence, used: slot.order });
		}
		return orders;
	}

	#judgeDeferred(masks: Uint32Array): void {
		const records = this.#deferred.toArray();
		const stride = 2 + 2 * this.#dates.length;
		const instants = this.#instants;
		for (let at = 0; at < records.length; at += stride) {
			const row = records[at];
			const slashBits = records[at + 1];
			let mask = 0;
			for (let slot = 0; slot < this.#dates.length; slot++) {
				const offset = at + 2 + 2 * slot + (this.#dates[slot].order === 'dmy' ? 0 : 1);
				instants[slot] = records[offset];
				if (slashBits & (1 << slot) && Number.isNaN(instants[slot])) mask |= BIT_INVALID_DATE;
			}
			masks[row] |= mask | this.#dateWarnings(instants);
		}
	}

	/** After finish(): the order slash dates of a date slot were read in. */
	orderOf(slot: number): DateOrder {
		return this.#dates[slot].order;
	}

	/** The first earlier row with this row's user_id, or undefined. */
	firstUserIdOf(row: number): number | undefined {
		return this.#summary?.duplicateOf.firstUserIdOf(row);
	}

	firstEmailOf(row: number): number | undefined {
		return this.#summary?.duplicateOf.firstEmailOf(row);
	}

	/** After finish(): the issue bits of one row. */
	maskOf(row: number): number {
		if (!this.#summary) throw new Error('VerdictBook.maskOf() before finish()');
		return this.#summary.rowIssues[row];
	}

	get finished(): boolean {
		return this.#summary !== null;
	}
}
