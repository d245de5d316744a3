import { beforeAll, describe, expect, it } from 'vitest';
import {
	generateCsv,
	indexText,
	loadIndexers,
	random,
	referenceRows,
	type Indexers
} from './helpers';

const encoder = new TextEncoder();
const builds = ['simd', 'scalar'] as const;

let indexers: Indexers;
beforeAll(async () => {
	indexers = await loadIndexers();
});

/** A text with every feature at least once, about 2 KB. */
function mixedText(): string {
	const generated = generateCsv(random(11), {
		delimiter: ',',
		newline: 'mixed',
		rows: 40,
		columns: 4
	});
	return `${generated}\r\n"${'spans, blocks ""and"" lines\r\n'.repeat(6)}",x\r\r\n\n"ends" \u00a0`;
}

describe.each(builds)('pieces carrying the state (%s build)', (build) => {
	it('indexes the same records in pieces of 1 to 70 bytes as all at once', () => {
		const bytes = encoder.encode(mixedText());
		const whole = indexText(indexers[build], bytes, ',');
		expect(whole.rows).toEqual(referenceRows(bytes, ',').rows);
		expect(whole.rows.length).toBeGreaterThan(40);
		for (let piece = 1; piece <= 70; piece++) {
			expect(indexText(indexers[build], bytes, ',', piece), `pieces of ${piece}`).toEqual(whole);
		}
	});
});

/**
 * Block-edge cases: each input follows a first record of `shift` bytes, for every shift from 0 to
 * 130, so its interesting bytes land on every position of a 16- and 64-byte block, including the
 * last byte of a block and the first of the next.
 */
const edgeCases: { note: string; input: string; expected: string[][] }[] = [
	{
		note: 'a quoted field spanning many blocks',
		input: `"${'a,b\r\nc""d\n'.repeat(20)}",end\n`,
		expected: [[`${'a,b\r\nc"d\n'.repeat(20)}`, 'end']]
	},
	{ note: 'closing quote then delimiter', input: '"q",r\n', expected: [['q', 'r']] },
	{ note: 'opening quote after a delimiter', input: 'p,"q"\n', expected: [['p', 'q']] },
	{ note: 'escaped quote pair', input: '"a""b",c\n', expected: [['a"b', 'c']] },
	{ note: 'empty quoted field then escape', input: '"",""""\n', expected: [['', '"']] },
	{
		note: 'CRLF',
		input: 'a,b\r\nc,d\r\n',
		expected: [
			['a', 'b'],
			['c', 'd']
		]
	},
	{ note: 'CR alone', input: 'a\rb\r', expected: [['a'], ['b']] },
	{ note: 'CRLF after a closing quote', input: '"a"\r\n"b"\r\n', expected: [['a'], ['b']] },
	{ note: 'CRLF inside quotes', input: '"a\r\nb"\r\n', expected: [['a\r\nb']] },
	{ note: 'empty lines', input: '\r\n\r\n\n\r\rx\n', expected: [['x']] },
	{
		note: 'stray quote in an unquoted field',
		input: 'a"b,"c"d",e\n',
		expected: [['a"b', 'c"d', 'e']]
	},
	{ note: 'spaces after a closing quote', input: '"a" \t ,"b"  \r\n', expected: [['a', 'b']] },
	{
		note: 'no-break space after a closing quote',
		input: '"a"\u00a0,"b"\u3000\n',
		expected: [['a', 'b']]
	},
	{
		note: 'multi-byte characters',
		input: 'zoë,"日本,語",😀\n',
		expected: [['zoë', '日本,語', '😀']]
	},
	{ note: 'quote that does not close', input: '"a"b,c"\n', expected: [['a"b,c']] },
	{
		note: "papaparse's core-21",
		input: '"a,"b,c"\nd,e,f',
		expected: [['a,"b,c'], ['d', 'e', 'f']]
	},
	{
		note: 'whitespace after the closing quote, then the end',
		input: 'a,"b" \u00a0',
		expected: [['a', 'b']]
	}
];

describe.each(builds)('block edges (%s build)', (build) => {
	it.each(edgeCases)('$note', ({ input, expected }) => {
		for (let shift = 0; shift <= 130; shift++) {
			const first = shift === 0 ? '' : `${'x'.repeat(shift - 1)}\n`;
			const bytes = encoder.encode(first + input);
			const indexed = indexText(indexers[build], bytes, ',');
			const rows = indexed.rows.map((row) => row.fields);
			expect(rows, `shift ${shift}`).toEqual(
				shift > 1 ? [['x'.repeat(shift - 1)], ...expected] : expected
			);
			expect(indexed.rows, `shift ${shift}`).toEqual(referenceRows(bytes, ',').rows);
		}
	});
});
