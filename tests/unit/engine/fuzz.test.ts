import { beforeAll, describe, expect, it } from 'vitest';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import type { ScanEngine } from '../../../src/lib/core/engine/types';
import {
	expectSameOutcome,
	generateExport,
	loadEngines,
	outcome,
	pick,
	prepareBytes,
	random,
	utf8,
	type Engines
} from './helpers';

/** Structural bytes, multi-byte characters, and bytes that are not UTF-8 (alone or cut). */
const INSERTS: number[][] = [
	[0x22],
	[0x22, 0x22],
	[0x2c],
	[0x3b],
	[0x0a],
	[0x0d],
	[0x0d, 0x0a],
	[0x20],
	[0x22, 0x0d, 0x0a],
	[...utf8('\u00a0')],
	[...utf8('é')],
	[...utf8('😀')],
	[0xff],
	[0xe9],
	[0xc3],
	[0xe2, 0x80],
	[0xf0, 0x9f, 0x98],
	[0x80]
];

let engines: Engines;
beforeAll(async () => {
	engines = await loadEngines();
});

/**
 * A few random byte edits: inserts, cuts (which may split a character), repeats; and now and then
 * the end cut off (often inside a quoted field).
 */
function mutate(next: () => number, bytes: Uint8Array): Uint8Array {
	let result = [...bytes];
	if (next() < 0.2) result = result.slice(0, Math.floor(next() * result.length));
	const edits = 1 + Math.floor(next() * 4);
	for (let e = 0; e < edits; e++) {
		const at = Math.floor(next() * (result.length + 1));
		const kind = next();
		if (kind < 0.55) result.splice(at, 0, ...pick(next, INSERTS));
		else if (kind < 0.8) result.splice(at, 1 + Math.floor(next() * 3));
		else result = [...result.slice(0, at), ...result.slice(at, at + 60), ...result.slice(at)];
	}
	return new Uint8Array(result);
}

describe('seeded fuzz: mutated exports', () => {
	// About 20 s alone on a 2-core machine: the default 30 s is too close when other test files share the cores.
	it('the wasm engines give the reference outcome, whole, sliced and in tiny ranges, with and without maxRows', async () => {
		const next = random(20250107);
		const tally = { results: 0, invalid_utf8: 0, unterminated_quote: 0 };
		const cases = 1000;
		const slicedEngines = new Map<number, ScanEngine>();
		const rangedEngines = new Map<number, ScanEngine>();
		for (let n = 0; n < cases; n++) {
			const newline = pick(next, ['\n', '\r\n', '\r', 'mixed']);
			const delimiter = pick(next, [',', ',', ';', '\t']);
			const text = generateExport(next, {
				rows: 2 + Math.floor(next() * 20),
				delimiter,
				newline
			});
			// The header stays intact, so the layout is the one the head gives; the data is mutated.
			const headerBreak = /\r\n|\r|\n/.exec(text)!;
			const headerEnd = headerBreak.index + headerBreak[0].length;
			const header = utf8(text.slice(0, headerEnd));
			const data = mutate(next, utf8(text.slice(headerEnd)));
			const bytes = new Uint8Array([...header, ...data]);
			const prepared = prepareBytes(bytes, text.slice(0, 4000));
			const label = JSON.stringify({ n, text: new TextDecoder().decode(bytes) });

			const reference = await outcome(referenceEngine, prepared.request);
			if ('error' in reference) {
				const code = reference.error.code as 'invalid_utf8' | 'unterminated_quote';
				expect(['invalid_utf8', 'unterminated_quote']).toContain(code);
				tally[code]++;
			} else tally.results++;
			const engine = pick(next, [engines.simd, engines.scalar]);
			expectSameOutcome(reference, await outcome(engine, prepared.request), prepared, label, true);
			const sliceSize = 1 + Math.floor(next() * 40);
			const sliced = slicedEngines.get(sliceSize) ?? (await engines.sliced(sliceSize));
			slicedEngines.set(sliceSize, sliced);
			expectSameOutcome(
				reference,
				await outcome(sliced, prepared.request),
				prepared,
				`${label} slice ${sliceSize}`
			);
			// maxRows: the reference reads 1 MiB steps, so errors past the last row taken agree
			// only at the default slice size.
			const maxRows = Math.floor(next() * 12);
			expectSameOutcome(
				await outcome(referenceEngine, prepared.request, { maxRows }),
				await outcome(engines.simd, prepared.request, { maxRows }),
				prepared,
				`${label} maxRows ${maxRows}`,
				true
			);
			// Tiny ranges: speculative splits land in quoted fields, cut characters and CRLF.
			const rangeSize = 1 + Math.floor(next() * 30);
			const ranged = rangedEngines.get(rangeSize) ?? (await engines.ranged(rangeSize));
			rangedEngines.set(rangeSize, ranged);
			expectSameOutcome(
				reference,
				await outcome(ranged, prepared.request),
				prepared,
				`${label} ranges of ${rangeSize}`
			);
		}
		// The mutations must leave each outcome common enough to be judged.
		expect(tally.results).toBeGreaterThan(cases / 5);
		expect(tally.invalid_utf8).toBeGreaterThan(cases / 10);
		expect(tally.unterminated_quote).toBeGreaterThan(cases / 20);
	}, 180_000);
});
