import { beforeAll, describe, expect, it } from 'vitest';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import { warmUpCsv } from '../../../src/lib/core/engine/warm-up';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import type { IssueCode } from '../../../src/lib/core/types';
import { ImportSession } from '../../../src/lib/pipeline/session';
import { loadEngines, OPTIONS, type Engines } from './helpers';

let engines: Engines;
beforeAll(async () => {
	engines = await loadEngines();
});

/** The issues the warm-up's rows are made to have: each rule's failing way runs before a drop. */
const EXERCISED: IssueCode[] = [
	'missing_required',
	'invalid_email',
	'invalid_date',
	'invalid_phone',
	'duplicate_user_id',
	'duplicate_email',
	'invalid_password_hash'
];

describe('the warm-up export (parse worker, before the first drop)', () => {
	it('maps every column but notes to the field of its name, as the reference profile proposes', async () => {
		const session = await ImportSession.open(new Blob([warmUpCsv(10)]), 'warm-up.csv', {
			profile: REFERENCE_PROFILE
		});
		const { columns } = session.preview.layout;
		const fields = session.preview.proposals.map((proposal) => proposal.field);
		expect(fields).toEqual(columns.map((column) => (column === 'notes' ? null : column)));
	});

	it('takes the rules through valid rows and each failing way, the same with ranges as without', async () => {
		const rows = 3000;
		const summaries = [];
		for (const engine of [referenceEngine, await engines.ranged(64 << 10)]) {
			const session = await ImportSession.open(new Blob([warmUpCsv(rows)]), 'warm-up.csv', {
				profile: REFERENCE_PROFILE,
				engine
			});
			const mapping = session.preview.proposals.map((proposal) => proposal.field);
			summaries.push(await session.scan({ mapping, options: OPTIONS, profile: REFERENCE_PROFILE }));
		}
		const [reference, ranged] = summaries;
		expect(ranged.engine).toBe('wasm-simd');
		expect(reference.rows).toBe(rows);
		expect(reference.valid).toBeGreaterThan(rows / 4);
		for (const code of EXERCISED) expect(reference.issueCounts[code], code).toBeGreaterThan(0);
		for (const key of ['rows', 'valid', 'invalid', 'warnings', 'issueCounts'] as const)
			expect(ranged[key]).toEqual(reference[key]);
	});
});
