import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BufferShelf } from '../../../src/lib/core/engine/growable';
import {
	RANGE_OVERLAP_BYTES,
	RESULT_ARRAYS,
	rangeTransferables,
	readAheadEnd,
	scanRange,
	type RangeTask
} from '../../../src/lib/core/engine/ranges';
import type { RangeRunner, ScanEngine } from '../../../src/lib/core/engine/types';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import {
	createWasmEngine,
	FIRST_RANGE_BYTES,
	instantiateTools,
	localRunner
} from '../../../src/lib/core/engine/wasm';
import { BlobRanges, blobSource, rangeSource, readBuffers } from '../../../src/lib/io/open';
import { userExportCsv } from '../../../scripts/lib/user-export';
import {
	compiledModules,
	expectSameAsReference,
	expectSameOutcome,
	generateExport,
	loadEngines,
	outcome,
	prepareBytes,
	prepareFile,
	random,
	utf8,
	type Engines,
	type Prepared
} from './helpers';

const spectrum = '/work/shared/corpora/csv-spectrum/csvs';

let engines: Engines;
beforeAll(async () => {
	engines = await loadEngines();
});

/** Range sizes small enough that ranges start inside every kind of byte sequence. */
const TINY = [1, 2, 3, 5, 8, 13, 64];

/** The tasks an engine's scan ran, by a runner that scans on this thread and notes each task. */
async function recordingScan(prepared: Prepared, rangeSize: number) {
	const modules = compiledModules().simd;
	const engine = await createWasmEngine(modules, { rangeSize });
	const local = localRunner(await instantiateTools(modules), prepared.request.source, 1 << 20);
	const tasks: RangeTask[] = [];
	const finished = { count: 0 };
	const ranges: RangeRunner = {
		concurrency: 2,
		run: (task, plan, signal) => {
			tasks.push(task);
			return local.run(task, plan, signal);
		},
		finish: () => void finished.count++
	};
	return { engine, tasks, finished, request: { ...prepared.request, ranges } };
}

describe('the runner is told when a scan is over', () => {
	const text =
		'user_id,email\n' + Array.from({ length: 400 }, (_, i) => `${i},u${i}@example.com`).join('\n');

	it('once, after a scan that ends', async () => {
		const prepared = await prepareFile(utf8(text));
		const { engine, finished, request } = await recordingScan(prepared, 512);
		expect((await engine.scan(request)).rows).toBe(400);
		expect(finished.count).toBe(1);
	});

	it('once, after a scan that is cancelled', async () => {
		const prepared = await prepareFile(utf8(text));
		const { engine, finished, request } = await recordingScan(prepared, 512);
		const controller = new AbortController();
		const scan = engine.scan({
			...request,
			signal: controller.signal,
			onProgress: () => controller.abort()
		});
		await expect(scan).rejects.toMatchObject({ code: 'aborted' });
		expect(finished.count).toBe(1);
	});
});

describe('tiny ranges give the reference ScanResult', () => {
	it.each([
		{ newline: '\r\n', delimiter: ',', seed: 11 },
		{ newline: '\n', delimiter: ';', seed: 12 },
		{ newline: '\r', delimiter: '\t', seed: 13 },
		{ newline: 'mixed', delimiter: '|', seed: 14 }
	])('generated export, newline $newline, delimiter $delimiter', async (config) => {
		const text = generateExport(random(config.seed), { rows: 120, ...config });
		const prepared = await prepareFile(utf8(`\ufeff${text}`));
		for (const size of TINY) {
			const engine = await engines.ranged(size);
			await expectSameAsReference(engine, prepared, `ranges of ${size}`, { sameProgress: true });
		}
	});

	it('csv-spectrum with every newline', async () => {
		const files = readdirSync(spectrum).filter((name) => name.endsWith('.csv'));
		expect(files.length).toBeGreaterThanOrEqual(12);
		const rangedEngines: ScanEngine[] = [];
		for (const size of [1, 2, 3, 4, 5, 6, 7, 9]) rangedEngines.push(await engines.ranged(size));
		for (const name of files)
			for (const newline of ['\n', '\r\n', '\r']) {
				const text = readFileSync(join(spectrum, name), 'utf8').replaceAll('\n', newline);
				const prepared = await prepareFile(utf8(text));
				for (const engine of rangedEngines)
					await expectSameAsReference(engine, prepared, `${name} ${JSON.stringify(newline)}`);
			}
	});
});

describe('buffers used again, as the range workers use them', () => {
	/**
	 * Buffers given back are overwritten at once, as a range running meanwhile may do: whatever
	 * still reads them afterwards reads garbage.
	 */
	const overwrite = (buffer: ArrayBuffer) => new Uint8Array(buffer).fill(0xa5);

	/** A shelf that overwrites what it is given and counts the buffers it hands out again. */
	class CountingShelf extends BufferShelf {
		reused = 0;
		/** New buffers of 64 KiB or more: each costs its pages afresh. */
		newLarge = 0;
		/** Times buffers were given (a result's arrays are given at once, once it is merged). */
		gives = 0;
		/** New large buffers taken after `lateAfter` gives. */
		lateAfter = Infinity;
		newLargeLate = 0;
		give(buffers: readonly ArrayBuffer[]): void {
			buffers.forEach(overwrite);
			super.give(buffers);
			this.gives++;
		}
		take(bytes: number): ArrayBuffer {
			const before = this.free;
			const buffer = super.take(bytes);
			if (this.free < before) this.reused++;
			else if (buffer.byteLength >= 64 << 10) {
				this.newLarge++;
				if (this.gives >= this.lateAfter) this.newLargeLate++;
			}
			return buffer;
		}
	}

	/**
	 * A runner like RangePool and range.worker.ts: the ranges read in order through one stream
	 * into reused read buffers, each given back when its scan ends; each result's arrays given back
	 * once merged.
	 */
	async function reusingRunner(bytes: Uint8Array, concurrency = 3, sliceSize = 4096) {
		const tools = await instantiateTools(compiledModules().simd);
		const file = new Blob([bytes.slice()]);
		// Out at once: the ranges running and the one the scan asks for ahead of them.
		const buffers = new CountingShelf(readBuffers(concurrency + 1));
		const shelf = new CountingShelf(RESULT_ARRAYS);
		const reads = new BlobRanges(file, buffers, RANGE_OVERLAP_BYTES);
		const runner: RangeRunner = {
			concurrency,
			run: async (task, plan, signal) => {
				const read = await reads.read(task.start, readAheadEnd(task));
				try {
					const source = rangeSource(blobSource(file), task.start, read);
					return await scanRange(tools, source, plan, task, { sliceSize, signal, shelf });
				} finally {
					buffers.give([read.buffer as ArrayBuffer]);
				}
			},
			// Once merged: giving a result back before its merge fails this test.
			release: (result) => shelf.give(rangeTransferables(result)),
			finish: () => reads.close()
		};
		return { runner, shelf, buffers };
	}

	it('reused read buffers and result arrays give the reference ScanResult', async () => {
		const prepared = await prepareFile(utf8(userExportCsv(600_000)));
		const { runner, shelf, buffers } = await reusingRunner(prepared.bytes);
		const engine = await createWasmEngine(compiledModules().simd, { rangeSize: 16384 });
		const reference = await outcome(referenceEngine, prepared.request);
		const actual = await outcome(engine, { ...prepared.request, ranges: runner });
		expectSameOutcome(reference, actual, prepared, 'reused buffers');
		expect(shelf.reused).toBeGreaterThan(20);
		expect(buffers.reused).toBeGreaterThan(20);
	});

	it('ranges of a few more rows than the last take no new large arrays once two have been merged', async () => {
		// 1 MiB ranges (about 9,000 rows) after the smaller first ones (256 and 512 KiB), read
		// 256 KiB at a time: most result arrays are 64 KiB or more, and so are the first slice's
		// rows. Two ranges at a time, as a range worker has them; the shelf holds two ranges' worth.
		const rangeSize = 1 << 20;
		const prepared = await prepareFile(utf8(userExportCsv(12_000_000)));
		const { runner, shelf } = await reusingRunner(prepared.bytes, 2, 256 << 10);
		const smaller = Math.log2(rangeSize / FIRST_RANGE_BYTES);
		shelf.lateAfter = smaller + 2;
		const engine = await createWasmEngine(compiledModules().simd, { rangeSize });
		const actual = await outcome(engine, { ...prepared.request, ranges: runner });
		expect('result' in actual && actual.result.rows).toBeGreaterThan(100_000);
		// Eight arrays per range: new ones for the smaller ranges and the first two of full size at
		// most, then none (new ones for every range when a range's first slice grew its arrays
		// before sizing them).
		expect(shelf.newLarge).toBeGreaterThan(0);
		expect(shelf.newLarge).toBeLessThanOrEqual((smaller + 2) * 8);
		expect(shelf.newLargeLate).toBe(0);
	});
});

describe('speculative splits', () => {
	// Quoted fields full of line breaks, and of text that looks like records.
	const text =
		'user_id,email,notes\r\n' +
		Array.from(
			{ length: 40 },
			(_, i) =>
				`${i + 1},u${i}@example.com,"line one\r\n${i + 100},fake${i}@example.com,not a row\r\nend"`
		).join('\r\n') +
		'\r\n';

	it('a guess inside a quoted field is scanned again from where the previous range ends', async () => {
		const prepared = await prepareFile(utf8(text));
		const { engine, tasks, request } = await recordingScan(prepared, 50);
		const result = await engine.scan(request);
		expect(result.rows).toBe(40);
		expect(result.invalid).toBe(0);
		const guesses = tasks.filter((task) => !task.exact);
		const rescans = tasks.filter((task) => task.exact && task.start > prepared.layout.dataStart);
		expect(guesses.length).toBeGreaterThan(10);
		// Some guesses land after the quoted line breaks: those ranges are read again, exactly.
		expect(rescans.length).toBeGreaterThan(0);
		expect(rescans.length).toBeLessThan(guesses.length);
		await expectSameAsReference(engine, prepared, 'ranges of 50');
	});

	it('in a user export with line breaks in quoted notes, nearly every guess is right', async () => {
		// The benchmark's export: quoted names with commas, notes with CRLF inside quotes, stray quotes.
		const prepared = await prepareFile(utf8(userExportCsv(1_500_000)));
		const { engine, tasks, request } = await recordingScan(prepared, 4096);
		await engine.scan(request);
		const guesses = tasks.filter((task) => !task.exact).length;
		const rescans = tasks.filter((task) => task.exact).length - 1;
		expect(guesses).toBeGreaterThan(100);
		// Guessing the first line break alone was wrong for 5 of the 23 ranges of the 100 MB bench file.
		expect(rescans).toBeLessThan(guesses / 20);
		await expectSameAsReference(engine, prepared, 'ranges of 4096');
	});

	it("a scan's own rangeSize (the warm-up's small ranges) cuts the file instead of the engine's", async () => {
		const prepared = await prepareFile(utf8(userExportCsv(200_000)));
		const { engine, tasks, request } = await recordingScan(prepared, 4 << 20);
		const whole = await outcome(engine, request);
		expect(tasks).toHaveLength(1);
		tasks.length = 0;
		const small = await outcome(engine, { ...request, rangeSize: 8192 });
		const size = prepared.bytes.length - prepared.layout.dataStart;
		// Every task but the rescans (exact tasks after the first) is one range of the cut.
		const rescans = tasks.filter((task) => task.exact).length - 1;
		expect(tasks.length - rescans).toBe(Math.ceil(size / 8192));
		for (const task of tasks.filter((task) => !task.exact))
			expect(task.end - task.start).toBeLessThanOrEqual(8192);
		expectSameOutcome(whole, small, prepared, 'ranges of 8192');
	});

	it('the first ranges are smaller, each twice the one before up to the range size', async () => {
		// The range workers start on a small first range while the next ones are read.
		const rangeSize = 4 * FIRST_RANGE_BYTES;
		const prepared = await prepareFile(utf8(userExportCsv(20 * FIRST_RANGE_BYTES)));
		const { engine, tasks, request } = await recordingScan(prepared, rangeSize);
		await outcome(engine, request);
		const cut = tasks.filter((task, k) => k === 0 || !task.exact);
		const sizes = cut.map((task) => task.end - task.start);
		expect(sizes.slice(0, 5)).toEqual([
			FIRST_RANGE_BYTES,
			2 * FIRST_RANGE_BYTES,
			rangeSize,
			rangeSize,
			rangeSize
		]);
		await expectSameAsReference(engine, prepared, 'ramped ranges');
	});

	it('a range reads little past its end: only the record that runs over it', async () => {
		const prepared = await prepareFile(utf8(userExportCsv(4_000_000)));
		const { source } = prepared.request;
		let read = 0;
		const counted = {
			size: source.size,
			read: async (start: number, end: number) => {
				const bytes = await source.read(start, end);
				read += bytes.length;
				return bytes;
			}
		};
		const engine = await createWasmEngine(compiledModules().simd, {
			rangeSize: 1 << 20,
			sliceSize: 1 << 18
		});
		await engine.scan({ ...prepared.request, source: counted });
		// A whole slice past every range's end, and one more read ahead, made this 1.42 times the file.
		expect(read / source.size).toBeLessThan(1.15);
		await expectSameAsReference(engine, prepared, 'ranges of 1 MiB, slices of 256 KiB');
	});

	it('ranges agree with the reference on line numbers after quoted line breaks', async () => {
		const prepared = await prepareFile(utf8(text));
		for (const size of [7, 31, 50, 97]) {
			const actual = await expectSameAsReference(await engines.ranged(size), prepared, `${size}`);
			if (!('result' in actual)) throw new Error('no result');
			expect(actual.result.rowLines[39]).toBe(2 + 39 * 3);
		}
	});

	it('an error in a later range is the reference error, whichever range meets it', async () => {
		const good = text.slice(0, 600);
		for (const tail of ['\r\n99,x@example.com,"never closed\r\n', '\r\n99,\xff,bad byte\r\n']) {
			const bytes = tail.includes('\xff')
				? new Uint8Array([...utf8(good + '\r\n99,'), 0xff, ...utf8(',bad\r\n')])
				: utf8(good + tail);
			// The layout comes from the valid head, as it does for a file whose trouble is further on.
			const prepared = prepareBytes(bytes, good);
			for (const size of [5, 50, 1 << 20]) {
				const actual = await expectSameAsReference(await engines.ranged(size), prepared, `${size}`);
				expect('error' in actual).toBe(true);
			}
		}
	});

	it('a range with no line break in it owns no record and the scan goes on', async () => {
		const long = 'x'.repeat(500);
		const prepared = await prepareFile(
			utf8(`user_id,email,notes\n1,a@example.com,${long}\n2,b@example.com,"${long}\n${long}"\n`)
		);
		for (const size of [3, 10, 100])
			await expectSameAsReference(await engines.ranged(size), prepared, `${size}`);
	});
});
