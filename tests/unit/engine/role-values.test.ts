import { beforeAll, describe, expect, it } from 'vitest';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import type { ScanEngine } from '../../../src/lib/core/engine/types';
import { ROLE_VALUES_CAP } from '../../../src/lib/core/limits';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import type { Mapping } from '../../../src/lib/core/types';
import { ListValueCounts } from '../../../src/lib/core/validate/list-values';
import { ImportSession } from '../../../src/lib/pipeline/session';
import { loadEngines, OPTIONS, prepareFile, utf8, type Engines } from './helpers';

let engines: Engines;
beforeAll(async () => {
	engines = await loadEngines();
});

describe('ListValueCounts: parts added in order count as the cells one by one', () => {
	const cells = ['admin, editor', '', 'viewer;admin', '["a","b"]', 'admin', ' x ; ; y ', 'b'];
	it.each([
		{ cap: 10, cuts: [3] },
		{ cap: 10, cuts: [1, 2, 5] },
		{ cap: 3, cuts: [4] },
		{ cap: 2, cuts: [] }
	])('cap $cap, parts cut at $cuts', ({ cap, cuts }) => {
		const whole = new ListValueCounts(cap);
		for (const cell of cells) whole.add(cell);
		const merged = new ListValueCounts(cap);
		let exact = true;
		const bounds = [0, ...cuts, cells.length];
		for (let i = 0; i + 1 < bounds.length; i++) {
			const part = new ListValueCounts(cap);
			for (const cell of cells.slice(bounds[i], bounds[i + 1])) part.add(cell);
			exact = merged.addPart(part.toData()) && exact;
		}
		if (exact) expect(merged.distinct()).toEqual(whole.distinct());
		else expect(merged.distinct().more).toBe(true);
		// Exact whenever no part but the first left items out.
		expect(exact).toBe(cap >= 6 || cuts.length === 0);
	});
});

/** `rows` users; row i has role `r{i mod distinct}` and, every third row, `common` too. */
function rolesFile(rows: number, distinct: number): Uint8Array {
	const lines = ['user_id,email,roles'];
	for (let i = 0; i < rows; i++)
		lines.push(`${i},u${i}@example.com,"r${i % distinct}${i % 3 === 0 ? ';common' : ''}"`);
	return utf8(lines.join('\n') + '\n');
}

describe('a scan gathers the roles column (the value-mapping step reads no more)', () => {
	const mapping: Mapping = ['user_id', 'email', 'roles'];

	it.each([
		{ rows: 900, distinct: 40 },
		{ rows: 900, distinct: 600 }
	])('$rows rows, $distinct distinct roles: every engine as the reference', async (file) => {
		const prepared = await prepareFile(rolesFile(file.rows, file.distinct), { mapping });
		const reference = await referenceEngine.scan(prepared.request);
		expect(reference.roleValues?.column).toBe(2);
		expect(reference.roleValues?.values.length).toBe(Math.min(ROLE_VALUES_CAP, file.distinct + 1));
		expect(reference.roleValues?.more).toBe(file.distinct + 1 > ROLE_VALUES_CAP);
		const engines_: ScanEngine[] = [engines.simd, engines.scalar, await engines.ranged(4096)];
		for (const engine of engines_) {
			const { roleValues } = await engine.scan(prepared.request);
			// Ranges that each left roles out cannot be added up exactly: the step reads them again.
			if (roleValues === null) expect(file.distinct).toBeGreaterThan(ROLE_VALUES_CAP);
			else expect(roleValues).toEqual(reference.roleValues);
		}
	});

	it('ranges that each leave roles out give none, one range its own', async () => {
		const prepared = await prepareFile(rolesFile(2000, 500), { mapping });
		expect((await engines.simd.scan(prepared.request)).roleValues?.more).toBe(true);
		expect((await (await engines.ranged(16384)).scan(prepared.request)).roleValues).toBeNull();
	});

	it('a range with more spellings of the cell than it keeps apart gives none', async () => {
		// One range (the file is far under 4 MiB), 2,000 spellings: more than RAW_CELLS_CAP.
		const prepared = await prepareFile(rolesFile(3000, 2000), { mapping });
		expect((await engines.simd.scan(prepared.request)).roleValues).toBeNull();
		expect((await referenceEngine.scan(prepared.request)).roleValues?.more).toBe(true);
	});

	it('no column mapped to roles: nothing gathered', async () => {
		const prepared = await prepareFile(rolesFile(10, 3), { mapping: ['user_id', 'email', null] });
		for (const engine of [referenceEngine, engines.simd])
			expect((await engine.scan(prepared.request)).roleValues).toBeNull();
	});

	it('ImportSession.distinctValues: the gathered roles are what reading them again finds', async () => {
		for (const distinct of [40, 600]) {
			const bytes = rolesFile(900, distinct);
			const session = await ImportSession.open(new Blob([bytes as BlobPart]), 'u.csv', {
				profile: REFERENCE_PROFILE,
				engine: await engines.ranged(4096)
			});
			const call = { profile: REFERENCE_PROFILE, options: OPTIONS };
			// Roles not mapped: the column is read again.
			await session.scan({ ...call, mapping: ['user_id', 'email', null] });
			const read = await session.distinctValues(2, ROLE_VALUES_CAP, 7);
			await session.scan({ ...call, mapping });
			expect(await session.distinctValues(2, ROLE_VALUES_CAP, 7)).toEqual(read);
		}
	});
});
