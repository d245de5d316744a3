/**
 * Convert any source into a target's import file (DESIGN.md "Convert targets"). A caller (the CLI,
 * the app's worker) takes the census first for the pre-flight, then streams the pieces `convert`
 * yields to files or a ZIP.
 */
import { auth0Target } from './auth0';
import { cognitoTarget } from './cognito';
import { firebaseTarget } from './firebase';
import { hankoTarget } from './hanko';
import { csvTarget, jsonTarget, loginSignTarget, ndjsonTarget, WRITABLE_FIELDS } from './tables';
import type { ConvertOptions, ConvertPiece, Target, TargetName } from './types';
import type { CanonicalRecord } from '../validate/normalize';

export {
	CensusBuilder,
	censusOf,
	preflight,
	type ConvertCensus,
	type PreflightItem
} from './census';
export { WRITABLE_FIELDS };
export {
	TARGET_NAMES,
	type ConvertOptions,
	type ConvertPiece,
	type FileLimits,
	type SkipReason,
	type Target,
	type TargetName
} from './types';

export const TARGETS: Readonly<Record<TargetName, Target>> = {
	auth0: auth0Target,
	hanko: hankoTarget,
	cognito: cognitoTarget,
	firebase: firebaseTarget,
	loginsign: loginSignTarget,
	csv: csvTarget,
	json: jsonTarget,
	ndjson: ndjsonTarget
};

/** The target of that name (the CLI's `--to`), or null. */
export function targetByName(name: string): Target | null {
	return Object.hasOwn(TARGETS, name) ? TARGETS[name as TargetName] : null;
}

/** Whether the target's output names can be renamed (its own format fixes a platform's). */
export const renamable = (target: Target) => target.profile === null;

/** The pieces of the target's files for these records. */
export function convert(
	target: Target,
	records: AsyncIterable<CanonicalRecord>,
	options: ConvertOptions = {}
): AsyncIterable<ConvertPiece> {
	return target.write(records, options);
}
