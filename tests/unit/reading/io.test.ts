import { mkdtempSync, openAsBlob, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BufferShelf } from '../../../src/lib/core/engine/growable';
import { RATIO_CHECKED_AFTER } from '../../../src/lib/core/limits';
import {
	BlobRanges,
	blobSource,
	forwardSource,
	HEAD_BYTES,
	memorySink,
	openHead,
	rangeSource,
	readBuffers,
	readInto,
	workingCopy
} from '../../../src/lib/io/open';
import { writeGzipBomb } from '../../helpers/gzip-bomb';
import { seededRandom } from '../../helpers/random';
import { ferryError, utf8 } from './helpers';

function utf16(text: string, littleEndian: boolean, bom: boolean): Uint8Array {
	const units = (bom ? '\ufeff' : '') + text;
	const out = new Uint8Array(units.length * 2);
	const view = new DataView(out.buffer);
	for (let i = 0; i < units.length; i++) view.setUint16(i * 2, units.charCodeAt(i), littleEndian);
	return out;
}

/** Windows-1252 bytes of Latin-1-range text plus €. */
function cp1252(text: string): Uint8Array {
	return Uint8Array.from(text, (char) => (char === '€' ? 0x80 : char.charCodeAt(0)));
}

const blob = (bytes: Uint8Array) => new Blob([bytes.slice()]);
const bytesOf = async (b: Blob) => new Uint8Array(await b.arrayBuffer());

describe('openHead', () => {
	const text = 'id;name;city\r\n1;José;Zürich\r\n2;Renée;Kraków €\r\n';
	const cases = [
		{
			name: 'UTF-8',
			input: utf8(text),
			expected: { compression: null, encoding: 'utf-8', bom: false }
		},
		{
			name: 'UTF-8 BOM',
			input: utf8('\ufeff' + text),
			expected: { compression: null, encoding: 'utf-8', bom: true }
		},
		{
			name: 'UTF-16LE BOM',
			input: utf16(text, true, true),
			expected: { compression: null, encoding: 'utf-16le', bom: true }
		},
		{
			name: 'UTF-16BE BOM',
			input: utf16(text, false, true),
			expected: { compression: null, encoding: 'utf-16be', bom: true }
		},
		{
			name: 'UTF-16LE without BOM',
			input: utf16(text, true, false),
			expected: { compression: null, encoding: 'utf-16le', bom: false }
		},
		{
			name: 'Windows-1252',
			input: cp1252(text),
			expected: { compression: null, encoding: 'windows-1252', bom: false }
		},
		{
			name: 'gzip UTF-8',
			input: new Uint8Array(gzipSync(utf8(text))),
			expected: { compression: 'gzip', encoding: 'utf-8', bom: false }
		},
		{
			name: 'gzip UTF-16LE BOM',
			input: new Uint8Array(gzipSync(utf16(text, true, true))),
			expected: { compression: 'gzip', encoding: 'utf-16le', bom: true }
		},
		{
			name: 'gzip Windows-1252',
			input: new Uint8Array(gzipSync(cp1252(text))),
			expected: { compression: 'gzip', encoding: 'windows-1252', bom: false }
		}
	];

	it.each(cases)('$name: head and working copy', async ({ input, expected }) => {
		const head = await openHead(blob(input));
		expect(head).toEqual({ info: { ...expected, overridden: false }, text, complete: true });
		expect(Buffer.from(await bytesOf((await workingCopy(blob(input), head.info)).blob))).toEqual(
			Buffer.from(utf8(text))
		);
	});

	it('plain UTF-8 is its own working copy (a slice, BOM dropped)', async () => {
		const file = blob(utf8('\ufeffa,b\n'));
		const head = await openHead(file);
		const { blob: copy } = await workingCopy(file, head.info);
		expect(copy.size).toBe(file.size - 3);
		expect(await copy.text()).toBe('a,b\n');
	});

	it('takes the user encoding, and its BOM', async () => {
		const head = await openHead(blob(cp1252('name\nJos\xe9\n')), { encoding: 'latin1' });
		expect(head).toEqual({
			info: { compression: null, encoding: 'windows-1252', bom: false, overridden: true },
			text: 'name\nJosé\n',
			complete: true
		});
		const withBom = await openHead(blob(utf16('a,b\n', true, true)), { encoding: 'utf-16le' });
		expect(withBom.info.bom).toBe(true);
		expect(withBom.text).toBe('a,b\n');
		expect((await ferryError(() => openHead(blob(utf8('a')), { encoding: 'nope-42' }))).code).toBe(
			'unknown_encoding'
		);
	});

	it.each([
		{ name: 'empty', input: new Uint8Array(0), code: 'empty_file' },
		{ name: 'empty gzip', input: new Uint8Array(gzipSync(new Uint8Array(0))), code: 'empty_file' },
		{
			name: 'zip',
			input: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]),
			code: 'zip_unsupported'
		},
		{
			name: 'damaged gzip',
			input: new Uint8Array([0x1f, 0x8b, 0x08, 0, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0xff, 0xff]),
			code: 'binary_file'
		},
		{ name: 'binary', input: new Uint8Array(256).map((_, i) => (i * 37) % 32), code: 'binary_file' }
	])('refuses $name', async ({ input, code }) => {
		expect((await ferryError(() => openHead(blob(input)))).code).toBe(code);
	});

	it('reads only the head of a large file', async () => {
		const real = blob(utf8('id,email\n' + '1,a@b.de\n'.repeat(20_000)));
		const requested: [number, number][] = [];
		const huge = {
			size: 1 << 30,
			slice(start: number, end: number) {
				requested.push([start, end]);
				return real.slice(start, end);
			},
			stream() {
				throw new Error('a plain file is not streamed');
			}
		} as unknown as Blob;
		const head = await openHead(huge);
		expect(requested).toEqual([[0, HEAD_BYTES]]);
		expect(head.complete).toBe(false);
		expect(head.text.length).toBe(HEAD_BYTES);
	});

	it('decompresses a gzip file only as far as the head', async () => {
		const random = Array.from({ length: 1 << 20 }, (_, i) =>
			((i * 2654435761) >>> 0).toString(16)
		).join('\n');
		const compressed = gzipSync(utf8(random));
		const path = join(mkdtempSync(join(tmpdir(), 'ferry-head-')), 'big.csv.gz');
		writeFileSync(path, compressed);
		// A file on disk, as the CLI opens it (a browser File streams from disk the same way).
		const real = await openAsBlob(path);
		let pulled = 0;
		const counted = {
			size: real.size,
			slice: (start: number, end: number) => real.slice(start, end),
			stream: () =>
				real.stream().pipeThrough(
					new TransformStream<Uint8Array, Uint8Array>({
						transform(chunk, controller) {
							pulled += chunk.length;
							controller.enqueue(chunk);
						}
					})
				)
		} as unknown as Blob;
		const head = await openHead(counted);
		expect(head.complete).toBe(false);
		expect(head.text).toBe(random.slice(0, HEAD_BYTES));
		expect(compressed.length).toBeGreaterThan(4 << 20);
		expect(pulled).toBeLessThan(compressed.length / 4);
	});

	it('never cuts a character at the end of the head', async () => {
		const utf8Text = 'x'.repeat(HEAD_BYTES - 1) + '€tail';
		expect((await openHead(blob(utf8(utf8Text)))).text).toBe('x'.repeat(HEAD_BYTES - 1));
		const utf16Text = 'y'.repeat(HEAD_BYTES / 2 - 2) + '😀tail';
		const head16 = await openHead(blob(utf16(utf16Text, true, true)));
		expect(head16.text).toBe('y'.repeat(HEAD_BYTES / 2 - 2));
		const small = await openHead(blob(utf8('ab€cd')), { headBytes: 4 });
		expect(small).toMatchObject({ text: 'ab', complete: false });
	});
});

describe('Windows-1252', () => {
	it('decodes 0x80–0x9F as the Encoding Standard says, whatever the runtime does', async () => {
		const input = new Uint8Array([
			0x80, 0x82, 0x8a, 0x91, 0x92, 0x96, 0x99, 0x9f, 0x81, 0xe9, 0x0a
		]);
		const expected = '€‚Š‘’–™Ÿ\u0081é\n';
		const head = await openHead(blob(input), { encoding: 'windows-1252' });
		expect(head.text).toBe(expected);
		expect(await (await workingCopy(blob(input), head.info)).blob.text()).toBe(expected);
	});

	it('keeps the first byte of a complete head (Node drops it with ignoreBOM)', async () => {
		const input = new Uint8Array([0xff, 0x75, 0x69, 0x64, 0x0a, 0xe9, 0x0a]);
		const head = await openHead(blob(input));
		expect(head).toMatchObject({
			info: { encoding: 'windows-1252' },
			text: 'ÿuid\né\n',
			complete: true
		});
	});
});

describe('workingCopy', () => {
	it('transcodes in a stream: characters split between chunks survive', async () => {
		const text = 'name\n' + Array.from({ length: 30_000 }, (_, i) => `Zoë😀€${i}`).join('\n');
		const cases = [
			{
				input: utf16(text, true, true),
				info: { compression: null, encoding: 'utf-16le', bom: true }
			},
			{
				input: utf16(text, false, false),
				info: { compression: null, encoding: 'utf-16be', bom: false }
			},
			{
				input: gzipSync(utf8('\ufeff' + text)),
				info: { compression: 'gzip', encoding: 'utf-8', bom: true }
			}
		] as const;
		const expected = Buffer.from(utf8(text));
		for (const { input, info } of cases) {
			// From disk the file streams in 64 KiB chunks, so characters straddle chunk ends.
			const path = join(mkdtempSync(join(tmpdir(), 'ferry-copy-')), 'input');
			writeFileSync(path, input);
			const { blob: copy } = await workingCopy(await openAsBlob(path), {
				...info,
				overridden: false
			});
			expect(Buffer.compare(Buffer.from(await bytesOf(copy)), expected)).toBe(0);
		}
	});

	it('reports progress in bytes of the original file', async () => {
		const input = cp1252('a;b\n'.repeat(50_000));
		const progress: number[] = [];
		await workingCopy(
			blob(input),
			{ compression: null, encoding: 'windows-1252', bom: false, overridden: false },
			{ onProgress: (bytes) => progress.push(bytes) }
		);
		expect(progress.at(-1)).toBe(input.length);
		expect(progress).toEqual([...progress].sort((a, b) => a - b));
	});

	it('stops when aborted, and refuses a truncated gzip', async () => {
		const info = { compression: 'gzip', encoding: 'utf-8', bom: false, overridden: false } as const;
		const gz = new Uint8Array(gzipSync(utf8('a,b\n'.repeat(100_000))));
		expect(
			(await ferryError(() => workingCopy(blob(gz), info, { signal: { aborted: true } }))).code
		).toBe('aborted');
		expect(
			(await ferryError(() => workingCopy(blob(gz.subarray(0, gz.length - 20)), info))).code
		).toBe('binary_file');
	});

	it('judges the compression ratio against the compressed bytes given so far', async () => {
		const info = { compression: 'gzip', encoding: 'utf-8', bom: false, overridden: false } as const;
		/** A memory sink that counts the bytes written to it. */
		const counting = () => {
			const sink = memorySink();
			const counted = {
				...sink,
				written: 0,
				write(chunk: Uint8Array) {
					counted.written += chunk.length;
					return sink.write(chunk);
				}
			};
			return counted;
		};
		// 1 GiB in about 5 MB: read ahead whole, it would only stop past 500 MB.
		const bombPath = join(mkdtempSync(join(tmpdir(), 'ferry-io-')), 'bomb.csv.gz');
		await writeGzipBomb(bombPath, 1024 ** 3);
		const bombSink = counting();
		const bomb = await openAsBlob(bombPath);
		const error = await ferryError(() => workingCopy(bomb, info, { sink: bombSink }));
		expect(error.message).toMatch(/compression-ratio limit/);
		expect(bombSink.written).toBeLessThan(RATIO_CHECKED_AFTER + 2 * 1024 ** 2);

		// Varied rows compress about 4.6:1 (the bench export: 6.5:1): read to the end, past 16 MiB.
		const rows = Array.from(
			{ length: 600_000 },
			(_, i) =>
				`${i},user${(i * 7919) % 1_000_003}@example.com,2024-${(i % 12) + 1}-${(i % 28) + 1}\n`
		).join('');
		const realSink = counting();
		const copy = await workingCopy(blob(gzipSync(rows)), info, { sink: realSink });
		expect(copy.complete).toBe(true);
		expect(realSink.written).toBe(utf8(rows).length);
		expect(realSink.written).toBeGreaterThan(RATIO_CHECKED_AFTER);
	});

	it('blobSource reads clamped byte ranges', async () => {
		const source = blobSource(blob(utf8('0123456789')));
		expect(source.size).toBe(10);
		expect(new TextDecoder().decode(await source.read(2, 5))).toBe('234');
		expect(new TextDecoder().decode(await source.read(8, 50))).toBe('89');
	});

	/** A Blob that records its slices: [start, end], end null for a stream to the end. */
	function countingBlob(bytes: Uint8Array) {
		const whole = blob(bytes);
		const slices: [number, number | null][] = [];
		const counted = {
			size: whole.size,
			slice(start?: number, end?: number) {
				slices.push([start ?? 0, end ?? null]);
				return whole.slice(start, end);
			}
		} as Blob;
		return { counted, slices };
	}

	const text = '0123456789abcdefghij';
	it.each([
		{
			name: 'ranges in order, each overlapping the next: one stream',
			reads: [
				[0, 6],
				[5, 11],
				[10, 16],
				[15, 20]
			],
			slices: [[0, null]]
		},
		{
			name: 'ranges from the middle of the file',
			reads: [
				[4, 9],
				[8, 14],
				[13, 50]
			],
			slices: [[4, null]]
		},
		{
			name: 'ranges shorter than the overlap',
			reads: [
				[0, 2],
				[1, 3],
				[2, 4],
				[3, 6],
				[4, 7],
				[6, 12]
			],
			slices: [[0, null]]
		},
		{
			name: 'a range within the bytes kept: no read',
			reads: [
				[0, 10],
				[8, 10],
				[9, 15]
			],
			slices: [[0, null]]
		},
		{
			name: 'a range before the bytes kept (scanned again): a slice of its own, and the stream goes on',
			reads: [
				[0, 6],
				[5, 11],
				[2, 7],
				[10, 16]
			],
			slices: [
				[0, null],
				[2, 7]
			]
		},
		{
			name: 'a range past the stream: a new stream from there',
			reads: [
				[0, 4],
				[8, 12],
				[11, 20]
			],
			slices: [
				[0, null],
				[8, null]
			]
		},
		{
			name: 'a range after the end of the stream: a new stream',
			reads: [
				[0, 20],
				[18, 20]
			],
			slices: [
				[0, null],
				[18, null]
			]
		}
	])('BlobRanges, overlap 3: $name', async ({ reads, slices }) => {
		const { counted, slices: made } = countingBlob(utf8(text));
		const ranges = new BlobRanges(counted, new BufferShelf(readBuffers(4)), 3);
		const got = [];
		for (const [from, to] of reads) got.push(new TextDecoder().decode(await ranges.read(from, to)));
		expect(got).toEqual(reads.map(([from, to]) => text.slice(from, to)));
		expect(made).toEqual(slices);
	});

	it("BlobRanges gives the Blob's bytes for random runs of ranges, asked for all at once", async () => {
		const bytes = pattern(300_000);
		const next = seededRandom(14);
		for (let run = 0; run < 40; run++) {
			const overlap = 1 + Math.floor(next() * 5000);
			const ranges = new BlobRanges(blob(bytes), new BufferShelf(readBuffers(4)), overlap);
			const asked: [number, number][] = [];
			let from = Math.floor(next() * 1000);
			while (from < bytes.length) {
				const roll = next();
				const end = from + 1 + Math.floor(next() * 40_000);
				// Mostly the next range overlaps this one's read; sometimes one is scanned again from
				// before, or the read stops short of the next range.
				const to = roll < 0.1 ? end - Math.floor(next() * 100) : end + Math.floor(next() * overlap);
				asked.push([from, Math.max(from, to)]);
				from = roll < 0.15 ? Math.max(0, from - Math.floor(next() * 50_000)) : end;
			}
			const read = await Promise.all(asked.map(([from, to]) => ranges.read(from, to)));
			// Compared by Buffer.compare: toEqual takes seconds over arrays this long.
			const wrong = asked.filter(([from, to], i) => {
				const expected = bytes.subarray(from, Math.min(to, bytes.length));
				return Buffer.compare(read[i], expected) !== 0;
			});
			expect(wrong, `overlap ${overlap}, ranges ${JSON.stringify(asked)}`).toEqual([]);
		}
	});

	it('BlobRanges reads into the buffers given back', async () => {
		const bytes = pattern(200_000);
		const buffers = new BufferShelf(readBuffers(1));
		const ranges = new BlobRanges(blob(bytes), buffers, 10);
		const first = await ranges.read(0, 100_000);
		buffers.give([first.buffer as ArrayBuffer]);
		const second = await ranges.read(99_990, 200_000);
		expect(second).toEqual(bytes.subarray(99_990));
		// The same memory: the buffer given back moved into the read (and is detached here).
		expect(first.buffer.byteLength).toBe(0);
		expect(second.buffer.byteLength).toBe(1 << 20);
	});

	it('BlobRanges.close() cancels its stream; reads asked for afterwards fail', async () => {
		let cancelled = false;
		const endless = {
			size: 1 << 20,
			slice: () => ({
				stream: () =>
					new ReadableStream({
						type: 'bytes',
						pull(controller) {
							const { view } = controller.byobRequest!;
							controller.byobRequest!.respond(Math.min(view!.byteLength, 1000));
						},
						cancel: () => void (cancelled = true)
					})
			})
		} as unknown as Blob;
		const ranges = new BlobRanges(endless, new BufferShelf(readBuffers(2)), 3);
		expect((await ranges.read(0, 5000)).length).toBe(5000);
		ranges.close();
		await new Promise((resolve) => setTimeout(resolve, 0));
		expect(cancelled).toBe(true);
		await expect(ranges.read(4998, 9000)).rejects.toMatchObject({ code: 'aborted' });
	});

	it('forwardSource reads pages moving forward through one stream, and others by slices of their own', async () => {
		const MiB = 1 << 20;
		const bytes = pattern(20 * MiB);
		const { counted, slices } = countingBlob(bytes);
		const source = forwardSource(counted);
		const reads: [number, number, [number, number | null][]][] = [
			// The first page: the stream starts there, and 4 MiB are read.
			[100, 1000, [[100, null]]],
			[2000, 3000, []],
			// Across the end of what was read: read on.
			[4 * MiB + 50, 4 * MiB + 500, []],
			// After a gap of skipped rows: read on.
			[8 * MiB + 300_000, 8 * MiB + 400_000, []],
			// Far ahead (a page of the table): its bytes only, by a slice.
			[18 * MiB, 18 * MiB + 10, [[18 * MiB, 18 * MiB + 10]]],
			// Behind: a slice of its own.
			[50, 60, [[50, 60]]],
			// On from it: 4 MiB from there, by a slice (it is behind the stream).
			[50, 70, [[50, 50 + 4 * MiB]]],
			// Far ahead again (past what the stream read, 12 MiB), and on from there: a new stream.
			[14 * MiB, 14 * MiB + 5, [[14 * MiB, 14 * MiB + 5]]],
			[14 * MiB + 100, 20 * MiB + 1000, [[14 * MiB + 5, null]]]
		];
		for (const [start, end, made] of reads) {
			const before = slices.length;
			const got = await source.read(start, end);
			expect(Buffer.compare(got, bytes.subarray(start, end)), `read(${start}, ${end})`).toBe(0);
			expect(slices.slice(before), `read(${start}, ${end})`).toEqual(made);
		}
		source.close();
	});

	it.each([
		{ read: [2, 5], text: '234', sliced: false },
		{ read: [2, 8], text: '234567', sliced: false },
		{ read: [1, 5], text: '1234', sliced: true },
		{ read: [6, 9], text: '678', sliced: true },
		{ read: [8, 50], text: '89', sliced: true }
	])(
		'rangeSource with bytes [2, 8) read: read($read) gives $text',
		async ({ read, text, sliced }) => {
			const { counted, slices } = countingBlob(utf8('0123456789'));
			const source = rangeSource(blobSource(counted), 2, utf8('234567'));
			expect(source.size).toBe(10);
			expect(new TextDecoder().decode(await source.read(read[0], read[1]))).toBe(text);
			expect(slices.length).toBe(sliced ? 1 : 0);
		}
	);

	/** Bytes 0…size-1 with a pattern that a shifted or short copy would not repeat. */
	const pattern = (size: number) =>
		Uint8Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) & 0xff);

	it.each([
		{ size: 10, capacity: 10 },
		{ size: 10, capacity: 1 << 20 },
		// Larger than one chunk of Node's Blob stream: the buffer moves from read to read.
		{ size: 300_001, capacity: 1 << 20 }
	])(
		'readInto reads $size bytes into the buffer given ($capacity bytes)',
		async ({ size, capacity }) => {
			const bytes = pattern(size);
			const buffer = new ArrayBuffer(capacity);
			const read = await readInto(blob(bytes), buffer);
			expect(read).toEqual(bytes);
			// The same memory: each BYOB read moved the buffer, so the answer's is a new object of
			// the buffer's length, and the buffer given is detached.
			expect(read.buffer.byteLength).toBe(capacity);
			expect(buffer.byteLength).toBe(0);
		}
	);

	it('readInto reads into a buffer of its own where the Blob stream has no BYOB reader', async () => {
		const whole = blob(pattern(100));
		const plain = {
			size: whole.size,
			stream: () => new ReadableStream<Uint8Array>({ start: (c) => c.close() }),
			arrayBuffer: () => whole.arrayBuffer()
		} as unknown as Blob;
		const buffer = new ArrayBuffer(1024);
		expect(await readInto(plain, buffer)).toEqual(pattern(100));
		expect(buffer.byteLength).toBe(1024);
	});

	/** A Blob of 100 bytes whose stream (of it or of a slice) gives 40, then ends. */
	function shortBlob(): Blob {
		const stream = () =>
			new ReadableStream({
				type: 'bytes',
				pull(controller) {
					const { view } = controller.byobRequest!;
					new Uint8Array(view!.buffer, view!.byteOffset, 40).fill(1);
					controller.byobRequest!.respond(40);
					controller.close();
				}
			});
		return { size: 100, stream, slice: () => ({ size: 100, stream }) } as unknown as Blob;
	}

	it.each([
		{ reader: 'readInto', read: (b: Blob) => readInto(b, new ArrayBuffer(100)) },
		{
			reader: 'BlobRanges',
			read: (b: Blob) => new BlobRanges(b, new BufferShelf(readBuffers(2)), 3).read(0, 100)
		}
	])(
		'$reader fails with NotReadableError when the stream ends before the Blob size',
		async ({ read }) => {
			await expect(read(shortBlob())).rejects.toMatchObject({
				name: 'NotReadableError',
				message: 'The file ended at byte 40 of 100.'
			});
		}
	);

	it('a shelf hands out the smallest kept buffer that fits, and none for an empty request', () => {
		const shelf = new BufferShelf({ max: 8, grain: 1024, slack: Infinity });
		const kept = [4096, 1024, 2048].map((bytes) => new ArrayBuffer(bytes));
		shelf.give(kept);
		expect(shelf.take(0).byteLength).toBe(0);
		expect(shelf.free).toBe(3);
		const cases: [request: number, size: number][] = [
			[1500, 2048],
			[10, 1024],
			[1025, 4096],
			[1, 1024] // none kept: a new one, in the grain
		];
		for (const [request, size] of cases) expect(shelf.take(request).byteLength).toBe(size);
		expect(shelf.free).toBe(0);
	});

	it('a shelf of read buffers: a buffer given back serves a read as long, or shorter; one more than the ranges out is kept', () => {
		const buffers = new BufferShelf(readBuffers(2));
		const first = buffers.take(1000);
		expect(first.byteLength).toBe(1 << 20);
		buffers.give([first]);
		expect(buffers.take(5000)).toBe(first);
		expect(buffers.take((1 << 20) + 1).byteLength).toBe(2 << 20);
		for (let i = 0; i < 5; i++) buffers.give([new ArrayBuffer(8)]);
		expect(buffers.free).toBe(3);
		buffers.give([new ArrayBuffer(0)]); // detached: not kept
		expect(buffers.free).toBe(3);
	});
});
