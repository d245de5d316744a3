/**
 * The pre-flight of a conversion: before anything is written, what the target cannot take and
 * what happens to it, counted over the records (so nothing is lost silently).
 */
import type { Algorithm, Credential } from '../identity/credential';
import { credentialTakenBy, credentialVerdict } from '../profiles/rules';
import { fieldByName } from '../schema/fields';
import type { FieldName } from '../types';
import type { CanonicalRecord } from '../validate/normalize';
import { hankoUserId } from './hanko';
import { chosenRecords, credentialOf, text } from './records';
import type { ConvertOptions, SkipReason, Target } from './types';

export interface ConvertCensus {
	records: number;
	/** Records left out, per reason. */
	skipped: Partial<Record<SkipReason, number>>;
	/** Written records whose password the target cannot take, per algorithm: they reset it. */
	resets: Partial<Record<Algorithm, number>>;
	/**
	 * Written records whose password the target takes written another way (the same hash,
	 * identity/spellings.ts), per algorithm: they keep it.
	 */
	respelled: Partial<Record<Algorithm, number>>;
	/** Written records holding a field the target's files have no place for, per field. */
	dropped: Partial<Record<FieldName, number>>;
	/** Source user ids written as another id (Hanko's v5 ids, listed in id-map.csv). */
	rewrittenIds: number;
}

/** Counts records one at a time, as the writer will judge them. */
export class CensusBuilder {
	readonly census: ConvertCensus = {
		records: 0,
		skipped: {},
		resets: {},
		respelled: {},
		dropped: {},
		rewrittenIds: 0
	};
	/** One credential per algorithm the target refused, for the pre-flight's reason. */
	readonly refused = new Map<Algorithm, Credential>();
	/** One credential per algorithm as the target writes it in another spelling, for the pre-flight. */
	readonly respelledAs = new Map<Algorithm, Credential>();
	readonly #holds: ReadonlySet<FieldName>;

	constructor(readonly target: Target) {
		this.#holds = new Set(target.holds);
	}

	add(record: CanonicalRecord): void {
		const { census, target } = this;
		census.records++;
		const reason = target.skipReason(record);
		if (reason) {
			census.skipped[reason] = (census.skipped[reason] ?? 0) + 1;
			return;
		}
		for (const field of Object.keys(record) as FieldName[])
			if (!this.#holds.has(field)) census.dropped[field] = (census.dropped[field] ?? 0) + 1;
		const credential = credentialOf(record);
		if (credential && !target.keepsPassword(credential)) {
			census.resets[credential.algorithm] = (census.resets[credential.algorithm] ?? 0) + 1;
			if (!this.refused.has(credential.algorithm))
				this.refused.set(credential.algorithm, credential);
		} else if (credential && target.profile) {
			const written = credentialTakenBy(target.profile, credential)?.credential;
			if (written && written !== credential) {
				const { algorithm } = credential;
				census.respelled[algorithm] = (census.respelled[algorithm] ?? 0) + 1;
				if (!this.respelledAs.has(algorithm)) this.respelledAs.set(algorithm, written);
			}
		}
		const userId = text(record, 'user_id');
		if (target.name === 'hanko' && userId && hankoUserId(userId) !== userId) census.rewrittenIds++;
	}
}

/** The census of records as the target would write them (the sample and chosen fields applied). */
export async function censusOf(
	target: Target,
	records: AsyncIterable<CanonicalRecord>,
	options: ConvertOptions = {}
): Promise<{ census: ConvertCensus; builder: CensusBuilder }> {
	const builder = new CensusBuilder(target);
	for await (const [record] of chosenRecords(records, options)) builder.add(record);
	return { census: builder.census, builder };
}

export interface PreflightItem {
	count: number;
	outcome: 'left_out' | 'reset' | 'dropped' | 'rewritten';
	/** What it is about: a skip reason, an algorithm, a field, or `user_id`. */
	subject: string;
	message: string;
}

const SKIPPED: Record<SkipReason, string> = {
	no_email: 'users without an email address',
	no_primary_email: 'users without a primary email address',
	several_primary_emails: 'users with several primary email addresses',
	no_username: 'users without a user id or username',
	username_with_whitespace: 'users whose username holds a space or tab',
	no_user_id: 'users without a user id',
	too_large: 'users too large for one import file'
};

const users = (count: number) => `${count.toLocaleString('en')} ${count === 1 ? 'user' : 'users'}`;

/** What the target cannot take and what happens to it, from the census of the records. */
export function preflight(builder: CensusBuilder): PreflightItem[] {
	const { census, target } = builder;
	const items: PreflightItem[] = [];
	for (const [reason, count] of Object.entries(census.skipped) as [SkipReason, number][])
		items.push({
			count,
			outcome: 'left_out',
			subject: reason,
			message: `${count.toLocaleString('en')} ${SKIPPED[reason]} → left out (${target.label} cannot take them).`
		});
	let said = false;
	for (const [algorithm, count] of Object.entries(census.resets) as [Algorithm, number][]) {
		const credential = builder.refused.get(algorithm)!;
		const verdict = target.profile ? credentialVerdict(target.profile, credential) : null;
		let why: string;
		if (verdict?.verdict === 'unsupported') {
			// What the target takes is said once, with the first algorithm it refuses.
			why = said ? '' : ` ${verdict.reason}`;
			said = true;
		} else {
			// The algorithm is taken, this hash is not: say why for each such algorithm.
			const problem = target.passwordProblem?.(credential);
			why = ` ${target.label} cannot express this ${algorithm} hash${problem ? `: ${problem}` : ''}.`;
		}
		items.push({
			count,
			outcome: 'reset',
			subject: algorithm,
			message: `${count.toLocaleString('en')} ${algorithm} password ${count === 1 ? 'hash' : 'hashes'} → ${count === 1 ? 'that user resets the password' : 'those users reset their password'}.${why}`
		});
	}
	for (const [field, count] of Object.entries(census.dropped) as [FieldName, number][])
		items.push({
			count,
			outcome: 'dropped',
			subject: field,
			message: `${users(count)} with ${fieldByName(field).label.toLowerCase()} (${field}) → written without it (${target.label} has no place for it).`
		});
	for (const [algorithm, count] of Object.entries(census.respelled) as [Algorithm, number][]) {
		const { hash } = builder.respelledAs.get(algorithm)!;
		// The scheme only ($pbkdf2-sha256$…, $2a$…): never the hash itself.
		const spelling = `${hash.slice(0, hash.indexOf('$', 1) + 1)}…`;
		items.push({
			count,
			outcome: 'rewritten',
			subject: algorithm,
			message: `${count.toLocaleString('en')} ${algorithm} password ${count === 1 ? 'hash' : 'hashes'} → written as ${spelling}, the way ${target.label} takes ${count === 1 ? 'it' : 'them'}: the same hash, so ${count === 1 ? 'that user keeps the password' : 'those users keep their password'}.`
		});
	}
	if (census.rewrittenIds > 0)
		items.push({
			count: census.rewrittenIds,
			outcome: 'rewritten',
			subject: 'user_id',
			message: `${census.rewrittenIds.toLocaleString('en')} user ids that are not UUID v4 → written as deterministic UUID v5, each listed in id-map.csv.`
		});
	return items;
}
