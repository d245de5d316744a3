// The one table of what crosses the boundary between each WebAssembly module (wasm/assembly/*.ts)
// and its TypeScript host (src/lib/core/wasm/*.ts): the byte layout of the blocks the host writes
// and the module reads back (and the reverse), and the codes both sides put in them.
// wasm/generate-layout.mjs turns it into wasm/assembly/_layout.ts and src/lib/core/wasm/layout.ts
// (run by npm run build:wasm; a unit test fails when they are stale). Edit here, never there.
//
// A block lists its fields in order; each sits at the next offset aligned to its own size (u32,
// i32: 4; f64: 8), and SIZE is the end rounded up to 8, or `size` when the block reserves more.
// A code set lists its names, each worth its index, or its bits, each worth 1 << its index.

/** @typedef {'u32' | 'i32' | 'f64'} FieldType */
/** @typedef {{ doc: string, size?: number, fields: [name: string, type: FieldType][] }} Block */
/** @typedef {{ doc: string, type: 'u8' | 'u32', names?: string[], bits?: string[], values?: Record<string, number> }} Codes */
/** @typedef {{ blocks: Record<string, Block>, codes: Record<string, Codes> }} ModuleLayout */

/** @type {Record<string, ModuleLayout>} */
export const LAYOUT = {
	csv: {
		blocks: {
			CsvControl: {
				doc: 'The CSV indexer: its configuration, its outputs and the state carried from one call to the next.',
				fields: [
					['DELIMITER', 'u32'],
					['MACHINE', 'u32'],
					['CR_PENDING', 'u32'],
					['PREV_CR', 'u32'],
					['FIELD_COUNT', 'i32'],
					['UTF8_CODE', 'u32'],
					['UTF8_LEFT', 'u32'],
					['FIELDS_PTR', 'u32'],
					['FIELDS_CAP', 'i32'],
					['FIELDS_LEN', 'i32'],
					['STARTS_PTR', 'u32'],
					['ENDS_PTR', 'u32'],
					['LINES_PTR', 'u32'],
					['COUNTS_PTR', 'u32'],
					['RECORDS_CAP', 'i32'],
					['RECORDS_LEN', 'i32'],
					['POSITION', 'f64'],
					['RECORD_START', 'f64'],
					['RECORD_LINE', 'f64'],
					['LINE', 'f64'],
					['QUOTE_START', 'f64'],
					['QUOTE_LINE', 'f64']
				]
			}
		},
		codes: {
			CsvFieldCount: {
				doc: "CsvControl.FIELD_COUNT and each record's field count in the counts output: bit 31 marks a record with a misplaced quote.",
				type: 'u32',
				values: { MALFORMED: 0x80000000 }
			}
		}
	},
	json: {
		blocks: {
			JsonControl: {
				doc: 'The JSON splitter: its mode, its outputs, the state carried from one call to the next and the error it stopped at.',
				fields: [
					['MODE', 'u32'],
					['BETWEEN', 'u32'],
					['DEPTH', 'i32'],
					['IN_STRING', 'u32'],
					['ESCAPED', 'u32'],
					['PREV_CR', 'u32'],
					['STOPPED', 'u32'],
					['ERROR', 'u32'],
					['ERROR_BYTE', 'u32'],
					['CLOSERS_PTR', 'u32'],
					['STARTS_PTR', 'u32'],
					['ENDS_PTR', 'u32'],
					['LINES_PTR', 'u32'],
					['COLUMNS_PTR', 'u32'],
					['RECORDS_CAP', 'i32'],
					['RECORDS_LEN', 'i32'],
					['POSITION', 'f64'],
					['LINE', 'f64'],
					['COLUMN', 'f64'],
					['RECORD_START', 'f64'],
					['RECORD_LINE', 'f64'],
					['RECORD_COLUMN', 'f64'],
					['ERROR_OFFSET', 'f64'],
					['ERROR_LINE', 'f64'],
					['ERROR_COLUMN', 'f64']
				]
			}
		},
		codes: {
			JsonMode: {
				doc: "JsonControl.MODE: the scan modes (json/scanner.ts's JsonScanMode).",
				type: 'u32',
				names: ['ARRAY', 'ROOT', 'SEQUENCE', 'RANGE']
			},
			JsonBetween: {
				doc: 'JsonControl.BETWEEN: where an array mode stands between records.',
				type: 'u32',
				names: ['EXPECT_FIRST', 'EXPECT_RECORD', 'EXPECT_SEPARATOR', 'CLOSED']
			},
			JsonError: {
				doc: "JsonControl.ERROR: the structural error found (json/scanner.ts's StructureError), NONE if none.",
				type: 'u32',
				names: [
					'NONE',
					'TOO_DEEP',
					'UNEXPECTED_CLOSER',
					'DATA_AFTER_ARRAY',
					'SEPARATOR_EXPECTED',
					'NOT_AN_OBJECT'
				]
			}
		}
	},
	rows: {
		blocks: {
			RowConfig: {
				doc: "The row kernel's configuration header: the checks' count, the header width, the date slots and the issue bits it sets. One RowCheck per check follows it.",
				size: 64,
				fields: [
					['CHECKS', 'i32'],
					['COLUMNS', 'i32'],
					['SLOTS', 'i32'],
					['BIT_MISSING', 'u32'],
					['BIT_EMAIL', 'u32'],
					['BIT_DATE', 'u32'],
					['BIT_BOOLEAN', 'u32'],
					['BIT_UUID', 'u32'],
					['BIT_RAGGED', 'u32'],
					['BIT_TOO_LONG', 'u32'],
					['BIT_CONTROL', 'u32']
				]
			},
			RowCheck: {
				doc: 'One check of the row kernel: a mapped column and what to check in it.',
				fields: [
					['COLUMN', 'i32'],
					['TYPE', 'u32'],
					['FLAGS', 'u32'],
					['KEY', 'u32'],
					['DATE_SLOT', 'i32'],
					['MAX_LENGTH', 'f64']
				]
			}
		},
		codes: {
			CheckType: {
				doc: 'RowCheck.TYPE: the field type (TEXT and ID have no value rule in the kernel).',
				type: 'u32',
				names: ['TEXT', 'EMAIL', 'BOOLEAN', 'PHONE', 'ID', 'DATE']
			},
			CheckFlag: {
				doc: 'RowCheck.FLAGS: bits of what else the value must be (a JS value is left to JavaScript: language tags, structured values, credentials).',
				type: 'u32',
				bits: ['REQUIRED', 'UUID', 'JS']
			},
			CheckKey: {
				doc: 'RowCheck.KEY: the duplicate key the value is.',
				type: 'u32',
				names: ['NONE', 'USER_ID', 'EMAIL']
			},
			DateKind: {
				doc: 'What a date value parsed as: NONE (empty, absent, or left to JavaScript), EXACT, or a slash date with no evidence of its order, a day above 12 first (dmy) or second (mdy).',
				type: 'u8',
				names: ['NONE', 'EXACT', 'SLASH', 'SLASH_DMY', 'SLASH_MDY']
			}
		}
	}
};
