/**
 * The credential census follows the edits: an edited or dropped row's credential leaves the count
 * and its edited one joins it, so the census (and the sentence made of it) is what a scan of the
 * file written with the edits would say.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEngines, OPTIONS, prepareFile, utf8 } from '../engine/helpers';
import { HASHES } from '../identity/fixtures';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import type { ScanEngine, ScanResult } from '../../../src/lib/core/engine/types';
import {
	applyEdits,
	applyStep,
	inverseStep,
	withCell,
	withDropped,
	type EditStep,
	type RowEdit
} from '../../../src/lib/core/edits/overlay';
import type { EditedVerdicts } from '../../../src/lib/core/edits/verdicts';
import { editedVerdictsOf } from './helpers';
import { censusSentence } from '../../../src/lib/core/identity/census';
import {
	profileFromApiSchema,
	REFERENCE_API_SCHEMA
} from '../../../src/lib/core/profiles/catalogue';
import type { Mapping } from '../../../src/lib/core/types';
import type { CredentialCounts } from '../../../src/lib/core/validate/verdicts';

// A destination that takes bcrypt only, so md5 rows are unsupported and the sentence says so.
const PROFILE = profileFromApiSchema({ ...REFERENCE_API_SCHEMA, acceptedAlgorithms: ['bcrypt'] });
const COLUMNS = ['user_id', 'email', 'name', 'password_hash'];
const MAPPING: Mapping = ['user_id', 'email', 'name', 'password_hash'];
const HASH = 3;
const BAD_BCRYPT = '$2a$10$too-short';
const structured = (algorithm: string, hash: string) => JSON.stringify({ algorithm, hash });
const ROWS = [
	['u1', 'a@x.com', 'Ada', HASHES.md5],
	['u2', 'b@x.com', 'Bo', HASHES.bcrypt2a],
	['u3', 'c@x.com', 'Cy', BAD_BCRYPT],
	['u4', 'd@x.com', 'Dee', ''],
	['u5', 'e@x.com', 'Eve', structured('md5', HASHES.md5)]
];
const SCANNED: CredentialCounts = { md5: 2, bcrypt: 1, invalid: 1 };

/** One admin action: a cell set, a row dropped or taken back, or the row's last action undone. */
type Action =
	| { row: number; column: number; value: string }
	| { row: number; dropped: boolean }
	| { undo: true };

const CASES: { name: string; actions: Action[]; census: CredentialCounts }[] = [
	{
		name: 'md5 → bcrypt',
		actions: [{ row: 0, column: HASH, value: HASHES.bcrypt2b }],
		census: { md5: 1, bcrypt: 2, invalid: 1 }
	},
	{
		name: 'bcrypt → garbage that does not parse',
		actions: [{ row: 1, column: HASH, value: '$2a$10$garbage' }],
		census: { md5: 2, invalid: 2 }
	},
	{
		name: 'bcrypt → text of no known shape',
		actions: [{ row: 1, column: HASH, value: 'not a hash' }],
		census: { md5: 2, unknown: 1, invalid: 1 }
	},
	{
		name: 'a bad bcrypt string fixed',
		actions: [{ row: 2, column: HASH, value: HASHES.bcrypt2a }],
		census: { md5: 2, bcrypt: 2 }
	},
	{
		name: 'a hash given to a row without one',
		actions: [{ row: 3, column: HASH, value: HASHES.sha1 }],
		census: { md5: 2, bcrypt: 1, invalid: 1, sha1: 1 }
	},
	{
		name: 'a hash cleared',
		actions: [{ row: 1, column: HASH, value: '' }],
		census: { md5: 2, invalid: 1 }
	},
	{
		name: 'the algorithm of a structured credential changed',
		actions: [{ row: 4, column: HASH, value: structured('bcrypt', HASHES.bcrypt2a) }],
		census: { md5: 1, bcrypt: 2, invalid: 1 }
	},
	{
		name: 'a row dropped',
		actions: [{ row: 0, dropped: true }],
		census: { md5: 1, bcrypt: 1, invalid: 1 }
	},
	{
		name: 'an edited row dropped: neither its old nor its new credential counts',
		actions: [
			{ row: 2, column: HASH, value: HASHES.bcrypt2a },
			{ row: 2, dropped: true }
		],
		census: { md5: 2, bcrypt: 1 }
	},
	{
		name: 'a dropped row taken back',
		actions: [
			{ row: 0, dropped: true },
			{ row: 0, dropped: false }
		],
		census: SCANNED
	},
	{
		name: 'a non-credential cell edited leaves the census',
		actions: [
			{ row: 0, column: 2, value: 'Adam' },
			{ row: 2, column: 1, value: 'bad' }
		],
		census: SCANNED
	},
	{
		name: 'an edit undone restores the census',
		actions: [{ row: 0, column: HASH, value: HASHES.bcrypt2b }, { undo: true }],
		census: SCANNED
	},
	{
		name: 'a drop undone restores the census',
		actions: [{ row: 4, dropped: true }, { undo: true }],
		census: SCANNED
	}
];

function csvCell(value: string): string {
	return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

async function scan(engine: ScanEngine, rows: string[][]): Promise<ScanResult> {
	const text = [COLUMNS, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
	const prepared = await prepareFile(utf8(text), { mapping: MAPPING, profile: PROFILE });
	return engine.scan(prepared.request);
}

function editedVerdicts(result: ScanResult): EditedVerdicts {
	return editedVerdictsOf(result, {
		profile: PROFILE,
		mapping: MAPPING,
		columns: COLUMNS,
		options: OPTIONS
	});
}

/** The step an action makes, as the session makes it (undo: the inverse of the last step). */
function stepOf(action: Action, overlay: Map<number, RowEdit>, done: EditStep[]): EditStep {
	if ('undo' in action) return inverseStep(done.pop()!);
	const before = overlay.get(action.row) ?? null;
	const after =
		'dropped' in action
			? withDropped(before, action.dropped)
			: withCell(before, action.column, action.value, ROWS[action.row][action.column]);
	return { label: 'test', changes: [{ row: action.row, before, after }] };
}

const sentence = (census: CredentialCounts, unsupported: number) =>
	censusSentence(census, PROFILE, unsupported);

describe('the credential census after edits', () => {
	let engines: { name: string; engine: ScanEngine }[];
	beforeAll(async () => {
		engines = [
			{ name: 'reference', engine: referenceEngine },
			{ name: 'wasm-simd', engine: (await loadEngines()).simd }
		];
	}, 120_000);

	it('starts as the scan counted it, with md5 rows told to reset', async () => {
		const scanned = await scan(referenceEngine, ROWS);
		expect(scanned.credentials).toEqual(SCANNED);
		expect(sentence(scanned.credentials, scanned.issueCounts.unsupported_password_hash)).toBe(
			'2 md5, 1 bcrypt, 1 invalid — Ferry reference import API takes bcrypt only: 2 users will reset their password'
		);
	});

	for (const engineName of ['reference', 'wasm-simd'])
		for (const { name, actions, census } of CASES)
			it(`${engineName}: ${name}`, async () => {
				const { engine } = engines.find((entry) => entry.name === engineName)!;
				const verdicts = editedVerdicts(await scan(engine, ROWS));
				const overlay = new Map<number, RowEdit>();
				const done: EditStep[] = [];
				for (const action of actions) {
					const step = stepOf(action, overlay, done);
					if (!('undo' in action)) done.push(step);
					applyStep(overlay, step);
					for (const { row, after } of step.changes)
						verdicts.set(row, after, { fields: ROWS[row], fieldCount: ROWS[row].length });
				}
				const { credentials, issueCounts } = verdicts.counts;
				expect(credentials).toEqual(census);
				// The census and its sentence are those of the file written with the edits.
				const kept = ROWS.flatMap((fields, row) =>
					overlay.get(row)?.dropped ? [] : [applyEdits(fields, overlay.get(row))]
				);
				const fresh = await scan(engine, kept);
				expect(credentials).toEqual(fresh.credentials);
				expect(issueCounts.unsupported_password_hash).toBe(
					fresh.issueCounts.unsupported_password_hash
				);
				expect(sentence(credentials, issueCounts.unsupported_password_hash)).toBe(
					sentence(fresh.credentials, fresh.issueCounts.unsupported_password_hash)
				);
			});
});
