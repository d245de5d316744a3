import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import { remappedColumn, remapResult, type CheckCall } from '../../../src/lib/core/engine/remap';
import type { ScanEngine, ScanResult } from '../../../src/lib/core/engine/types';
import { transformRecord } from '../../../src/lib/core/formats/presets';
import { PROFILES, REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import type { DestinationProfile } from '../../../src/lib/core/profiles/types';
import { readRows } from '../../../src/lib/core/read';
import { FIELDS } from '../../../src/lib/core/schema/fields';
import { ValidationPlan } from '../../../src/lib/core/validate/plan';
import type { FieldName, Mapping } from '../../../src/lib/core/types';
import {
	expectSameOutcome,
	generateExport,
	loadEngines,
	outcome,
	prepareFile,
	random,
	utf8,
	type Outcome,
	type Prepared
} from './helpers';

const presets = join(import.meta.dirname, '../../fixtures/presets');
const e2e = join(import.meta.dirname, '../../fixtures/e2e');
const spectrum = '/work/shared/corpora/csv-spectrum/csvs';

/** Every field, and none: what a column's field can be changed to. */
const TARGETS: (FieldName | null)[] = [null, ...FIELDS.map((field) => field.name)];

/** The profile a fixture was exported for (its name says), besides the reference one. */
function profilesOf(name: string): DestinationProfile[] {
	const own = Object.entries(PROFILES).find(([profile]) => name.startsWith(profile))?.[1];
	return own && own !== REFERENCE_PROFILE ? [REFERENCE_PROFILE, own] : [REFERENCE_PROFILE];
}

/** The calls one column's change makes from `mapping` that take the fast path. */
function fastChanges(call: CheckCall, columns: number): { column: number; after: CheckCall }[] {
	const changes: { column: number; after: CheckCall }[] = [];
	for (let column = 0; column < call.mapping.length; column++)
		for (const field of TARGETS) {
			const mapping = call.mapping.map((f, c) => (c === column ? field : f));
			const after = { ...call, mapping };
			if (remappedColumn(call, after, columns) === column) changes.push({ column, after });
		}
	return changes;
}

/** The result of `after` made from `result` (the result of `before`), or null when it falls back. */
function remapped(
	engine: ScanEngine,
	prepared: Prepared,
	result: ScanResult,
	before: CheckCall,
	after: CheckCall,
	column: number
): Promise<ScanResult | null> {
	const { layout, request } = prepared;
	return remapResult(
		result,
		{ before, after, column, columns: layout.columns },
		{
			// As the session scans again: with the row places the earlier scan found.
			scan: (mapping: Mapping, profile: DestinationProfile) =>
				engine.scan({ ...request, ...after, mapping, profile, places: result }),
			readRows: (rows) => readRows(request.source, result, rows, layout, transformRecord)
		}
	);
}

/**
 * Whole scans of one file, each call scanned once and answered to every engine under test: the
 * engines give the same outcome of a whole scan (the differential tests), so each engine's
 * re-scans are held to that one, and the file is not scanned whole again per engine.
 */
type WholeScans = (call: CheckCall) => Promise<Outcome>;

function wholeScans(prepared: Prepared): WholeScans {
	const scans = new Map<string, Promise<Outcome>>();
	return (call) => {
		const { mapping, profile, options, maxRows } = call;
		const key = JSON.stringify([mapping, profile.name, options, maxRows]);
		let scan = scans.get(key);
		if (!scan) {
			scan = outcome(engines.simd, { ...prepared.request, mapping, profile, options, maxRows });
			scans.set(key, scan);
		}
		return scan;
	};
}

/**
 * Every one-column change of the file's mapping that takes the fast path gives exactly the result
 * of a whole scan with the new mapping; then the changes one after another, each from the last.
 */
async function expectRemapsExact(
	engine: ScanEngine,
	prepared: Prepared,
	label: string,
	whole: WholeScans
) {
	let taken = 0;
	for (const profile of profilesOf(label)) {
		const before: CheckCall = { ...prepared.request, profile };
		const first = await outcome(engine, { ...prepared.request, profile });
		if (!('result' in first)) continue;
		const changes = fastChanges(before, prepared.layout.columns.length);
		for (const { column, after } of changes) {
			const name = `${label} ${engine.name} ${profile.name}: column ${column} ${before.mapping[column]} → ${after.mapping[column]}`;
			const result = await remapped(engine, prepared, first.result, before, after, column);
			if (!result) continue;
			taken++;
			expectSameOutcome(await whole(after), { result, progress: [] }, prepared, name);
		}
		// One change after another: each result made from the previous made one.
		let call = before;
		let result = first.result;
		for (const { column, after } of changes.filter((_, i) => i % 3 === 0)) {
			const next = {
				...call,
				mapping: call.mapping.map((f, c) => (c === column ? after.mapping[column] : f))
			};
			if (remappedColumn(call, next, prepared.layout.columns.length) !== column) continue;
			const made = await remapped(engine, prepared, result, call, next, column);
			if (!made) continue;
			expectSameOutcome(
				await whole(next),
				{ result: made, progress: [] },
				prepared,
				`${label} chained ${column}`
			);
			[call, result] = [next, made];
		}
	}
	return taken;
}

let engines: Awaited<ReturnType<typeof loadEngines>>;
let tiny: ScanEngine;
beforeAll(async () => {
	engines = await loadEngines();
	// Tiny ranges read in tiny slices: every boundary case occurs.
	tiny = await engines.sliced(7);
});

const files = [
	...readdirSync(presets).map((name) => ({ name, path: join(presets, name) })),
	...readdirSync(e2e).map((name) => ({ name, path: join(e2e, name) }))
];

describe('a one-column mapping change: the same result as a whole scan', () => {
	it.each(files)('$name', async ({ name, path }) => {
		const prepared = await prepareFile(readFileSync(path));
		const whole = wholeScans(prepared);
		let taken = 0;
		for (const engine of [referenceEngine, engines.simd, tiny])
			taken += await expectRemapsExact(engine, prepared, name, whole);
		expect(taken, name).toBeGreaterThan(0);
	});

	it('csv-spectrum corpus', async () => {
		for (const name of readdirSync(spectrum).filter((file) => file.endsWith('.csv'))) {
			const prepared = await prepareFile(readFileSync(join(spectrum, name)));
			const whole = wholeScans(prepared);
			for (const engine of [referenceEngine, tiny])
				await expectRemapsExact(engine, prepared, name, whole);
		}
	});

	it('a generated export with issues in every column', async () => {
		const prepared = await prepareFile(utf8(generateExport(random(3), { rows: 150 })));
		const whole = wholeScans(prepared);
		for (const engine of [referenceEngine, engines.simd, tiny])
			expect(await expectRemapsExact(engine, prepared, 'export', whole)).toBeGreaterThan(0);
	}, 120_000);
});

describe('remappedColumn: which changes take the fast path', () => {
	const call: CheckCall = {
		mapping: ['user_id', 'email', 'name', 'locale', 'registration_date', null],
		profile: REFERENCE_PROFILE,
		options: { dateOrder: 'dmy', defaultRegion: 'US', now: 0 }
	};
	const change = (column: number, field: FieldName | null): CheckCall => ({
		...call,
		mapping: call.mapping.map((f, c) => (c === column ? field : f))
	});

	it('one plain column to another plain field, or to none', () => {
		expect(remappedColumn(call, change(2, 'nickname'), 6)).toBe(2);
		expect(remappedColumn(call, change(3, null), 6)).toBe(3);
		expect(remappedColumn(call, change(5, 'phone_number'), 6)).toBe(5);
	});

	it('not keys, dates, credentials, fields mapped twice, several columns, other options', () => {
		expect(remappedColumn(call, change(0, 'username'), 6)).toBe(-1);
		expect(remappedColumn(call, change(1, 'nickname'), 6)).toBe(-1);
		expect(remappedColumn(call, change(4, 'nickname'), 6)).toBe(-1);
		expect(remappedColumn(call, change(5, 'password_hash'), 6)).toBe(-1);
		expect(remappedColumn(call, change(5, 'name'), 6)).toBe(-1);
		expect(remappedColumn(call, call, 6)).toBe(-1);
		const two = { ...change(2, 'nickname'), mapping: change(2, 'nickname').mapping.with(3, null) };
		expect(remappedColumn(call, two, 6)).toBe(-1);
		const options = { ...change(2, 'nickname'), options: { ...call.options, now: 1 } };
		expect(remappedColumn(call, options, 6)).toBe(-1);
		const profile = { ...change(2, 'nickname'), profile: PROFILES.auth0 };
		expect(remappedColumn(call, profile, 6)).toBe(-1);
		expect(remappedColumn({ ...call, maxRows: 5 }, { ...change(2, null), maxRows: 5 }, 6)).toBe(-1);
	});
});

describe('a re-scan given the first scan row places and duplicates: the same result as a fresh scan', () => {
	/** Every one-column change that keeps the key checks as they were (keys are then taken). */
	async function expectKeysTakenExact(
		engine: ScanEngine,
		prepared: Prepared,
		label: string,
		whole: WholeScans
	) {
		let taken = 0;
		const columns = prepared.layout.columns;
		const signatureOf = (call: CheckCall) => new ValidationPlan({ ...call, columns }).keySignature;
		for (const profile of profilesOf(label)) {
			const before: CheckCall = { ...prepared.request, profile };
			const first = await outcome(engine, { ...prepared.request, profile });
			if (!('result' in first)) continue;
			const signature = signatureOf(before);
			if (signature === null) continue;
			const { duplicateOf, firstRowOfKey } = first.result;
			for (let column = 0; column < before.mapping.length; column++)
				for (const field of TARGETS) {
					const after = { ...before, mapping: before.mapping.with(column, field) };
					if (signatureOf(after) !== signature) continue;
					const known = await outcome(engine, {
						...prepared.request,
						...after,
						places: first.result,
						keys: { signature, duplicateOf, firstRowOfKey }
					});
					expectSameOutcome(await whole(after), known, prepared, `${label} ${column} → ${field}`);
					taken++;
				}
		}
		return taken;
	}

	it.each(files)('$name', async ({ name, path }) => {
		const prepared = await prepareFile(readFileSync(path));
		const whole = wholeScans(prepared);
		for (const engine of [engines.simd, tiny])
			await expectKeysTakenExact(engine, prepared, name, whole);
	});

	it('a generated export with issues in every column', async () => {
		const prepared = await prepareFile(utf8(generateExport(random(5), { rows: 150 })));
		const whole = wholeScans(prepared);
		for (const engine of [engines.simd, tiny])
			expect(await expectKeysTakenExact(engine, prepared, 'export', whole)).toBeGreaterThan(100);
	}, 120_000);
});
