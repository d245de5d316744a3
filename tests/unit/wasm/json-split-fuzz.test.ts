import { beforeAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../../src/lib/core/errors';
import { JsonRecordScanner, type JsonScanMode } from '../../../src/lib/core/json/scanner';
import { positionAfter } from '../../../src/lib/core/sniff/utf8';
import { createJsonSplitState, type JsonSplitter } from '../../../src/lib/core/wasm/json-split';
import { pick, seededRandom } from '../../helpers/random';
import { generateJson, loadSplitters, mutate, type Splitters } from '../engine/json-helpers';

const utf8 = (text: string) => new TextEncoder().encode(text);

type Outcome = { records: number[][]; done: boolean; error: unknown };

function outcomeOf(
	push: (part: Uint8Array) => number[][],
	finish: () => void,
	done: () => boolean,
	bytes: Uint8Array,
	offset: number,
	piece: number
): Outcome {
	const records: number[][] = [];
	try {
		for (let at = offset; at < bytes.length && !done(); at += piece)
			records.push(...push(bytes.subarray(at, Math.min(bytes.length, at + piece))));
		finish();
		return { records, done: done(), error: null };
	} catch (error) {
		if (!isFerryError(error)) throw error;
		return { records, done: done(), error: [error.code, error.message, error.details] };
	}
}

function viaScanner(bytes: Uint8Array, mode: JsonScanMode, offset: number, piece: number) {
	const start = { offset, ...positionAfter(bytes.subarray(0, offset)) };
	const scanner = new JsonRecordScanner(mode, start);
	return outcomeOf(
		(part) => scanner.push(part).map((r) => [r.start, r.end, r.line, r.column]),
		() => scanner.finish(),
		() => scanner.done,
		bytes,
		offset,
		piece
	);
}

function viaSplitter(
	splitter: JsonSplitter,
	bytes: Uint8Array,
	mode: JsonScanMode,
	offset: number,
	piece: number
) {
	const state = createJsonSplitState(mode, { offset, ...positionAfter(bytes.subarray(0, offset)) });
	return outcomeOf(
		(part) => {
			const found = splitter.split(part, state);
			return Array.from({ length: found.count }, (_, r) => [
				found.starts[r],
				found.ends[r],
				found.lines[r],
				found.columns[r]
			]);
		},
		() => splitter.finish(state),
		() => state.done,
		bytes,
		offset,
		piece
	);
}

let splitters: Splitters;
beforeAll(async () => {
	splitters = await loadSplitters();
});

describe('seeded fuzz: mutated JSON, every mode, cut anywhere', () => {
	it('both builds find what the reference scanner finds', () => {
		const next = seededRandom(20250611);
		const tally = { results: 0, errors: 0 };
		const cases = 1500;
		for (let n = 0; n < cases; n++) {
			const shape = pick(next, ['ndjson', 'array', 'root'] as const);
			const text = generateJson(next, {
				rows: 1 + Math.floor(next() * 6),
				shape,
				pretty: next() < 0.5,
				newline: pick(next, ['\n', '\r\n', '\r', 'mixed'])
			});
			const bytes = utf8(text);
			const modes: Record<typeof shape, JsonScanMode> = {
				ndjson: pick(next, ['sequence', 'range'] as const),
				array: 'array',
				root: 'root'
			};
			const mode = modes[shape];
			const offset = shape === 'ndjson' ? 0 : utf8(text.slice(0, text.indexOf('[') + 1)).length;
			const mutated = mutate(next, bytes, offset);
			const piece = pick(next, [1, 2, 3, 5, 17, 64, 65, 1 + Math.floor(next() * 300), 1 << 20]);
			const reference = viaScanner(mutated, mode, offset, piece);
			if (reference.error) tally.errors++;
			else tally.results++;
			const label = JSON.stringify({ n, mode, piece, text: new TextDecoder().decode(mutated) });
			for (const build of ['simd', 'scalar'] as const)
				expect(viaSplitter(splitters[build], mutated, mode, offset, piece), label).toEqual(
					reference
				);
		}
		// The mutations must leave both outcomes common enough to be judged.
		expect(tally.results).toBeGreaterThan(cases / 10);
		expect(tally.errors).toBeGreaterThan(cases / 5);
	});
});
