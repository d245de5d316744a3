import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
	ChunkError,
	buildChunks,
	type BuiltChunk,
	type ChunkLimits,
	type UploadRow
} from '../../../src/lib/upload/chunks';
import { gunzip, gzip, sha256Hex, utf8Bytes } from '../../../src/lib/upload/encoding';
import { MAPPED_FIELDS, makeExport, recording, validate } from './helpers';

async function collect(rows: UploadRow[], limits: ChunkLimits): Promise<BuiltChunk[]> {
	const chunks: BuiltChunk[] = [];
	for await (const chunk of buildChunks(rows, limits)) chunks.push(chunk);
	return chunks;
}

function numbered(count: number, record: (row: number) => UploadRow['record']): UploadRow[] {
	return Array.from({ length: count }, (_, index) => ({
		row: index + 1,
		record: record(index + 1)
	}));
}

const person = (row: number) => ({ user_id: `u${row}`, email: `u${row}@example.com` });
// {"row":N,"user_id":"uN","email":"uN@example.com"} for a 1-digit N is 49 bytes; the frame 11.
const ONE_DIGIT_ROW_BYTES = 49;
const FRAME = 11;

const limitCases: {
	input: UploadRow[];
	config: ChunkLimits;
	expected: number[][];
	note: string;
}[] = [
	{
		note: 'rows limit splits evenly',
		input: numbered(6, person),
		config: { rowsPerChunk: 2, bytesPerChunk: 1 << 20 },
		expected: [
			[1, 2],
			[3, 4],
			[5, 6]
		]
	},
	{
		note: 'rows limit leaves a short last chunk',
		input: numbered(5, person),
		config: { rowsPerChunk: 2, bytesPerChunk: 1 << 20 },
		expected: [[1, 2], [3, 4], [5]]
	},
	{
		note: 'bytes limit: exactly two rows fit (frame + 2 rows + comma)',
		input: numbered(5, person),
		config: { rowsPerChunk: 100, bytesPerChunk: FRAME + 2 * ONE_DIGIT_ROW_BYTES + 1 },
		expected: [[1, 2], [3, 4], [5]]
	},
	{
		note: 'bytes limit one byte short of two rows',
		input: numbered(3, person),
		config: { rowsPerChunk: 100, bytesPerChunk: FRAME + 2 * ONE_DIGIT_ROW_BYTES },
		expected: [[1], [2], [3]]
	},
	{
		note: 'bytes counted as UTF-8, not UTF-16 units',
		input: numbered(4, (row) => ({ ...person(row), name: 'é'.repeat(10) })),
		// Each row is 49 + 10 ("name":"" + comma) + 20 bytes of é = 79 bytes.
		config: { rowsPerChunk: 100, bytesPerChunk: FRAME + 2 * 79 + 1 },
		expected: [
			[1, 2],
			[3, 4]
		]
	},
	{
		note: 'three- and four-byte characters and escapes counted as their UTF-8 bytes',
		// A row with an empty name is 59 bytes; 中 adds 3, 😀 4 (a surrogate pair), \n 2 (escaped).
		input: numbered(4, (row) => ({ ...person(row), name: '中😀\n' })),
		config: { rowsPerChunk: 100, bytesPerChunk: FRAME + 2 * 68 + 1 },
		expected: [
			[1, 2],
			[3, 4]
		]
	},
	{
		note: 'the same with one byte less: a row a chunk',
		input: numbered(4, (row) => ({ ...person(row), name: '中😀\n' })),
		config: { rowsPerChunk: 100, bytesPerChunk: FRAME + 2 * 68 },
		expected: [[1], [2], [3], [4]]
	},
	{
		note: 'no rows, no chunks',
		input: [],
		config: { rowsPerChunk: 10, bytesPerChunk: 1000 },
		expected: []
	}
];

describe('buildChunks limits', () => {
	for (const { note, input, config, expected } of limitCases) {
		it(note, async () => {
			const chunks = await collect(input, config);
			expect(chunks.map((chunk) => chunk.rows)).toEqual(expected);
			expect(chunks.map((chunk) => chunk.seq)).toEqual(expected.map((_, index) => index));
			for (const chunk of chunks) {
				expect(utf8Bytes(chunk.text).length).toBeLessThanOrEqual(config.bytesPerChunk);
				expect(chunk.rows.length).toBeLessThanOrEqual(config.rowsPerChunk);
			}
		});
	}

	it('refuses a single row larger than the byte limit, naming it', async () => {
		const rows = [
			{ row: 1, record: person(1) },
			{ row: 2, record: { ...person(2), name: 'x'.repeat(500) } }
		];
		await expect(collect(rows, { rowsPerChunk: 10, bytesPerChunk: 200 })).rejects.toThrow(
			/Row 2 alone needs \d+ bytes; a chunk may have 200/
		);
	});

	const refusals: { input: UploadRow; expected: RegExp; note: string }[] = [
		{ note: 'row 0', input: { row: 0, record: person(1) }, expected: /positive integers/ },
		{
			note: 'fractional row',
			input: { row: 1.5, record: person(1) },
			expected: /positive integers/
		},
		{
			note: 'unmapped header as a key',
			input: { row: 1, record: { ...person(1), internal_note: 'x' } as UploadRow['record'] },
			expected: /non-canonical field "internal_note"/
		},
		{
			note: 'a "row" key inside the record',
			input: { row: 1, record: { ...person(1), row: '9' } as UploadRow['record'] },
			expected: /non-canonical field "row"/
		}
	];
	for (const { note, input, expected } of refusals) {
		it(`refuses ${note}`, async () => {
			const error = await collect([input], { rowsPerChunk: 10, bytesPerChunk: 1000 }).catch(
				(caught: unknown) => caught
			);
			expect(error).toBeInstanceOf(ChunkError);
			expect((error as Error).message).toMatch(expected);
		});
	}
});

describe('buildChunks bodies', () => {
	it('text is the exact JSON body, key its SHA-256, body its gzip', async () => {
		const rows: UploadRow[] = [
			{ row: 7, record: { user_id: 'a|1', email: 'ada@example.com', name: 'Ada "A" Lovelace' } },
			{ row: 9, record: { user_id: '2', email: 'zoë@example.com' } }
		];
		const [chunk] = await collect(rows, { rowsPerChunk: 10, bytesPerChunk: 10_000 });
		expect(chunk.text).toBe(
			'{"rows":[{"row":7,"user_id":"a|1","email":"ada@example.com","name":"Ada \\"A\\" Lovelace"},' +
				'{"row":9,"user_id":"2","email":"zoë@example.com"}]}'
		);
		expect(chunk.key).toBe(createHash('sha256').update(chunk.text, 'utf8').digest('hex'));
		expect(chunk.key).toMatch(/^[0-9a-f]{64}$/);
		expect(gunzipSync(chunk.body).toString('utf8')).toBe(chunk.text);
		expect([chunk.body[0], chunk.body[1]]).toEqual([0x1f, 0x8b]);
	});

	it('sends only what the caller passes: no field added, none dropped', async () => {
		const rows: UploadRow[] = [
			{ row: 1, record: { user_id: '1', email: 'a@example.com' } },
			{ row: 2, record: { user_id: '2', email: 'b@example.com', locale: 'nl' } }
		];
		const [chunk] = await collect(rows, { rowsPerChunk: 10, bytesPerChunk: 10_000 });
		expect(JSON.parse(chunk.text)).toEqual({
			rows: rows.map(({ row, record }) => ({ row, ...record }))
		});
	});

	it('is given only valid rows with mapped fields by the validator pipeline', async () => {
		const data = makeExport(300);
		const { rows, rejected } = validate(data);
		expect(rejected).toEqual(data.invalidRows);
		const seen: UploadRow[] = [];
		const chunks: BuiltChunk[] = [];
		for await (const chunk of buildChunks(recording(rows, seen), {
			rowsPerChunk: 100,
			bytesPerChunk: 1 << 20
		})) {
			chunks.push(chunk);
		}
		const sent = chunks.flatMap(
			(chunk) => JSON.parse(chunk.text).rows as Record<string, unknown>[]
		);
		expect(sent.map((entry) => entry.row)).toEqual(seen.map((entry) => entry.row));
		expect(sent).toHaveLength(300);
		for (const entry of sent) {
			expect(data.invalidRows).not.toContain(entry.row);
			expect(
				Object.keys(entry)
					.filter((key) => key !== 'row')
					.sort()
			).toEqual([...MAPPED_FIELDS].sort());
		}
	});
});

describe('encoding helpers', () => {
	const texts = ['', '{"rows":[]}', 'ünïcødé 🚀', 'x'.repeat(100_000)];
	for (const text of texts) {
		it(`gzip round trip and hash of ${text.length} characters`, async () => {
			const bytes = utf8Bytes(text);
			expect(new TextDecoder().decode(await gunzip(await gzip(bytes)))).toBe(text);
			expect(await sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
		});
	}
});
