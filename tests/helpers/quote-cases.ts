/**
 * Quoting cases, most of them papaparse's own (node_modules/papaparse/tests/test-cases.js, core
 * tests; `description` is theirs), with what Ferry reads: papaparse's values, except that
 * whitespace after a closing quote at the end of the text is dropped (papaparse keeps `b" ` and
 * reports InvalidQuotes there, although it drops that whitespace before a delimiter or a line
 * break), and the records with a misplaced quote (issue malformed_quotes). Every reader of CSV
 * (the reference parser, both indexer builds, both engines) is held to this one table.
 */
export interface QuoteCase {
	description: string;
	input: string;
	config: { delimiter: ',' };
	expected:
		| {
				data: string[][];
				/** Records with a misplaced quote: [record, 0-based field, line of the quote]. */
				malformed: [number, number, number][];
		  }
		/**
		 * A quoted field is never closed: the file-level error, with the opening quote; `misplaced`:
		 * its message names a misplaced quote in that row as the likely cause.
		 */
		| { unterminated: { line: number; offset: number }; misplaced: boolean };
}

const config = { delimiter: ',' } as const;

export const QUOTE_CASES: QuoteCase[] = [
	{
		description: 'Quoted field has invalid trailing quote after delimiter with a valid closer',
		input: '"a,"b,c"\nd,e,f',
		config,
		expected: {
			data: [['a,"b,c'], ['d', 'e', 'f']],
			malformed: [[0, 0, 1]]
		}
	},
	{
		description: 'Unquoted field with quotes at end of field',
		input: 'A,B",C',
		config,
		expected: { data: [['A', 'B"', 'C']], malformed: [[0, 1, 1]] }
	},
	{
		description: 'Quoted field with whitespace around quotes',
		input: 'A, "B" ,C',
		config,
		expected: { data: [['A', ' "B" ', 'C']], malformed: [[0, 1, 1]] }
	},
	{
		description: 'Misplaced quotes in data, not as opening quotes',
		input: 'A,B "B",C',
		config,
		expected: { data: [['A', 'B "B"', 'C']], malformed: [[0, 1, 1]] }
	},
	{
		description: 'Misplaced quotes in data twice, not as opening quotes',
		input: 'A,B",C\nD,E",F',
		config,
		expected: {
			data: [
				['A', 'B"', 'C'],
				['D', 'E"', 'F']
			],
			malformed: [
				[0, 1, 1],
				[1, 1, 2]
			]
		}
	},
	{
		description: 'Quoted field has no closing quote',
		input: 'a,"b,c\nd,e,f',
		config,
		expected: { unterminated: { line: 1, offset: 2 }, misplaced: false }
	},
	{
		description: 'Quoted field has invalid trailing quote after delimiter',
		input: 'a,"b,"c\nd,e,f',
		config,
		expected: { unterminated: { line: 1, offset: 2 }, misplaced: true }
	},
	{
		description: 'Quoted field has invalid trailing quote before delimiter',
		input: 'a,"b"c,d\ne,f,g',
		config,
		expected: { unterminated: { line: 1, offset: 2 }, misplaced: true }
	},
	{
		description: 'Quoted field has invalid trailing quote after new line',
		input: 'a,"b,c\nd"e,f,g',
		config,
		expected: { unterminated: { line: 1, offset: 2 }, misplaced: true }
	},
	{
		description: 'Quoted field has valid trailing quote via delimiter',
		input: 'a,"b",c\nd,e,f',
		config,
		expected: {
			data: [
				['a', 'b', 'c'],
				['d', 'e', 'f']
			],
			malformed: []
		}
	},
	{
		description: 'Quoted field has valid trailing quote via EOF',
		input: 'a,b,c\nd,e,"f"',
		config,
		expected: {
			data: [
				['a', 'b', 'c'],
				['d', 'e', 'f']
			],
			malformed: []
		}
	},
	{
		description: 'Quoted field with escaped quotes at boundaries',
		input: 'A,"""B""",C',
		config,
		expected: { data: [['A', '"B"', 'C']], malformed: [] }
	},
	{
		description: 'Quoted field with quotes around delimiter',
		input: 'A,""",""",C',
		config,
		expected: { data: [['A', '","', 'C']], malformed: [] }
	},
	{
		description: 'Quoted field with 5 quotes in a row and a delimiter in there, too',
		input: '"1","cnonce="""",nc=""""","2"',
		config,
		expected: { data: [['1', 'cnonce="",nc=""', '2']], malformed: [] }
	},
	{
		description: 'Quoted fields with spaces between closing quote and next delimiter',
		input: 'A,"B" ,C,D\r\nE,F,"G"  ,H',
		config,
		expected: {
			data: [
				['A', 'B', 'C', 'D'],
				['E', 'F', 'G', 'H']
			],
			malformed: []
		}
	},
	{
		description: 'Quoted fields with spaces between closing quote and next new line',
		input: 'A,B,C,"D" \r\nE,F,G,"H"  \r\nQ,W,E,R',
		config,
		expected: {
			data: [
				['A', 'B', 'C', 'D'],
				['E', 'F', 'G', 'H'],
				['Q', 'W', 'E', 'R']
			],
			malformed: []
		}
	},
	{
		description: 'Quoted fields with spaces after closing quote',
		input: 'A,"B" ,C,"D" \r\nE,F,"G"  ,"H"  \r\nQ,W,"E" ,R',
		config,
		expected: {
			data: [
				['A', 'B', 'C', 'D'],
				['E', 'F', 'G', 'H'],
				['Q', 'W', 'E', 'R']
			],
			malformed: []
		}
	},
	{
		description: 'Quoted fields with spaces between closing quote and newline and contains newline',
		input: 'a,b,"c\n" \nd,e,f',
		config,
		expected: {
			data: [
				['a', 'b', 'c\n'],
				['d', 'e', 'f']
			],
			malformed: []
		}
	},
	// Ferry's own cases (issue 13).
	{
		description: 'Spaces after the closing quote at the end of the text',
		input: 'a,"b" ',
		config,
		expected: { data: [['a', 'b']], malformed: [] }
	},
	{
		description: 'No-break space and tab after the closing quote at the end of the text',
		input: 'x,y\na,"b""c"\t\u00a0',
		config,
		expected: {
			data: [
				['x', 'y'],
				['a', 'b"c']
			],
			malformed: []
		}
	},
	{
		description: 'Text after a closing quote, the field closing later',
		input: 'x,y\na,"b"x,c"\nd,e',
		config,
		expected: {
			data: [
				['x', 'y'],
				['a', 'b"x,c'],
				['d', 'e']
			],
			malformed: [[1, 1, 2]]
		}
	},
	{
		description: 'Text after a closing quote to the end of the text',
		input: 'x,y\na,"b"x,c',
		config,
		expected: { unterminated: { line: 2, offset: 6 }, misplaced: true }
	},
	{
		description: 'A quote inside an unquoted field',
		input: 'x,y,z\na,b"c,d\n',
		config,
		expected: {
			data: [
				['x', 'y', 'z'],
				['a', 'b"c', 'd']
			],
			malformed: [[1, 1, 2]]
		}
	},
	{
		description: 'Whitespace, then a quote after a closing quote',
		input: 'x\n"a" "b"\n',
		config,
		expected: {
			data: [['x'], ['a" "b']],
			malformed: [[1, 0, 2]]
		}
	},
	{
		description: 'A misplaced quote on the second line of a multi-line field',
		input: 'x,y\n"a\nb"c d",e\n',
		config,
		expected: {
			data: [
				['x', 'y'],
				['a\nb"c d', 'e']
			],
			malformed: [[1, 0, 3]]
		}
	}
];
