import { beforeAll, describe, expect, it } from 'vitest';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import { expectSameOutcome, outcome, pick, prepareBytes, random, utf8 } from './helpers';
import { generateJson, loadJsonEngines, mutate, type JsonEngines } from './json-helpers';

let engines: JsonEngines;
beforeAll(async () => {
	engines = await loadJsonEngines();
});

describe('seeded fuzz: mutated JSON exports', () => {
	it('the JSON scan gives the reference outcome, whole and sliced, with and without maxRows', async () => {
		const next = random(20250612);
		const tally = { results: 0, invalid_json: 0, invalid_utf8: 0 };
		const cases = 600;
		for (let n = 0; n < cases; n++) {
			const text = generateJson(next, {
				rows: 2 + Math.floor(next() * 15),
				shape: pick(next, ['ndjson', 'array', 'root'] as const),
				pretty: next() < 0.5,
				newline: pick(next, ['\n', '\r\n', '\r', 'mixed'])
			});
			// The layout is the one the intact text gives; the data after its start is mutated.
			const { dataStart } = prepareBytes(utf8(text), text).layout;
			const bytes = mutate(next, utf8(text), dataStart);
			const prepared = prepareBytes(bytes, text);
			const label = JSON.stringify({ n, text: new TextDecoder().decode(bytes) });

			const reference = await outcome(referenceEngine, prepared.request);
			if ('error' in reference) {
				const code = reference.error.code as 'invalid_json' | 'invalid_utf8';
				expect(['invalid_json', 'invalid_utf8']).toContain(code);
				tally[code]++;
			} else tally.results++;
			const engine = pick(next, [engines.simd, engines.scalar]);
			expectSameOutcome(reference, await outcome(engine, prepared.request), prepared, label, true);
			const sliceSize = 1 + Math.floor(next() * 100);
			const sliced = engines.sliced(sliceSize, pick(next, ['simd', 'scalar'] as const));
			expectSameOutcome(
				reference,
				await outcome(sliced, prepared.request),
				prepared,
				`${label} slice ${sliceSize}`,
				true
			);
			const maxRows = Math.floor(next() * 12);
			expectSameOutcome(
				await outcome(referenceEngine, prepared.request, { maxRows }),
				await outcome(sliced, prepared.request, { maxRows }),
				prepared,
				`${label} slice ${sliceSize} maxRows ${maxRows}`,
				true
			);
		}
		// The mutations must leave each outcome common enough to be judged.
		expect(tally.results).toBeGreaterThan(cases / 10);
		expect(tally.invalid_json).toBeGreaterThan(cases / 5);
		expect(tally.invalid_utf8).toBeGreaterThan(cases / 20);
	});
});
