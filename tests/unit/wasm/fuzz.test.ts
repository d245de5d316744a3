import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	generateCsv,
	indexText,
	loadIndexers,
	papaparseRows,
	pick,
	random,
	referenceRows,
	uniformNewline,
	withoutEmptyRows,
	type Indexers
} from './helpers';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const INSERTS = ['"', '""', ',', ';', '\n', '\r', '\r\n', ' ', '\t', 'a', '\u00a0', 'é', '"\r\n'];

let indexers: Indexers;
beforeAll(async () => {
	indexers = await loadIndexers();
});

/** A few random edits of a valid CSV text: inserted structural characters, cuts, repeats. */
function mutate(next: () => number, text: string): string {
	let result = text;
	const edits = 1 + Math.floor(next() * 4);
	for (let e = 0; e < edits; e++) {
		const at = Math.floor(next() * (result.length + 1));
		const kind = next();
		if (kind < 0.5) result = result.slice(0, at) + pick(next, INSERTS) + result.slice(at);
		else if (kind < 0.75)
			result = result.slice(0, at) + result.slice(at + 1 + Math.floor(next() * 3));
		else result = result.slice(0, at) + result.slice(at, at + 80) + result.slice(at);
	}
	return result;
}

describe('seeded fuzz: mutated CSV', () => {
	it('SIMD == scalar == reference reader, and == papaparse where it reports no error', () => {
		const next = random(20240611);
		let comparedWithPapaparse = 0;
		let invalidQuotes = 0;
		let unterminated = 0;
		const cases = 2500;
		for (let n = 0; n < cases; n++) {
			const delimiter = pick(next, [',', ';', '\t', '|']);
			const newline = pick(next, ['\n', '\r\n', '\r', 'mixed']);
			const valid = generateCsv(next, {
				delimiter,
				newline,
				rows: 2 + Math.floor(next() * 12),
				columns: 1 + Math.floor(next() * 5)
			});
			const text = mutate(next, valid);
			const bytes = encoder.encode(text);
			const label = JSON.stringify({ n, delimiter, text });

			const simd = indexText(indexers.simd, bytes, delimiter);
			expect(indexText(indexers.scalar, bytes, delimiter), label).toEqual(simd);
			const piece = 1 + Math.floor(next() * 100);
			expect(indexText(indexers.simd, bytes, delimiter, piece), `${label} pieces ${piece}`).toEqual(
				simd
			);

			const reference = referenceRows(bytes, delimiter);
			expect(simd.unterminatedQuote, label).toEqual(reference.unterminatedQuote);
			if (reference.unterminatedQuote) {
				unterminated++;
				// The reader throws at the end; every record before the open quote still agrees.
				expect(simd.rows.slice(0, reference.rows.length), label).toEqual(reference.rows);
				continue;
			}
			expect(simd.rows, label).toEqual(reference.rows);

			// The text as the working copy holds it (a cut emoji half became U+FFFD).
			const workingText = decoder.decode(bytes);
			const lineBreak = uniformNewline(workingText);
			const papaparse = lineBreak && papaparseRows(workingText, delimiter, lineBreak);
			if (papaparse) {
				expect(withoutEmptyRows(simd.rows), label).toEqual(papaparse);
				comparedWithPapaparse++;
			}
			// Where papaparse finds a quote that does not close its field, a record is malformed_quotes
			// (but at the end of the text, where whitespace after a closing quote is Ferry's departure).
			if (lineBreak && !/"[^\S\r\n]+$/u.test(workingText)) {
				const { errors } = Papa.parse(workingText, {
					delimiter,
					newline: lineBreak,
					quoteChar: '"'
				});
				if (errors.some((error) => error.code === 'InvalidQuotes')) {
					expect(
						simd.rows.some((row) => row.malformed),
						label
					).toBe(true);
					invalidQuotes++;
				}
			}
		}
		expect(invalidQuotes).toBeGreaterThan(cases / 20);
		// The mutations must leave enough inputs each oracle can judge.
		expect(comparedWithPapaparse).toBeGreaterThan(cases / 10);
		expect(unterminated).toBeGreaterThan(0);
		expect(unterminated).toBeLessThan(cases / 2);
	});
});
