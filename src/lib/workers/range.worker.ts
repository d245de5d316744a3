/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import {
	RESULT_ARRAYS,
	readAheadEnd,
	rangeTransferables,
	scanRange,
	type RangePlan,
	type RangeTask
} from '../core/engine/ranges';
import { BufferShelf } from '../core/engine/growable';
import { instantiateTools, type WasmModules } from '../core/engine/wasm';
import type { RangeTools } from '../core/engine/ranges';
import { blobSourceReadingAhead, READ_BUFFERS } from '../io/open';

// Instantiated on the first range and kept: the modules arrive compiled from the parse worker.
let tools: Promise<RangeTools> | null = null;
/** The range before: the pool sends the next one early, and it waits for this one to end. */
let previous: Promise<unknown> = Promise.resolve();
/** Ranges are read into these, range after range: a new buffer a range costs its pages again. */
const buffers = new BufferShelf(READ_BUFFERS);
/** The arrays of results merged by the parse worker, given back to hold later ranges' rows. */
const shelf = new BufferShelf(RESULT_ARRAYS);

const api = {
	/** Scans one byte range of the working copy; the packed result moves back, not copied. */
	scanRange(
		modules: WasmModules,
		workingCopy: Blob,
		plan: RangePlan,
		task: RangeTask,
		sliceSize: number
	) {
		const source = blobSourceReadingAhead(workingCopy, task.start, readAheadEnd(task), buffers);
		const scanned = previous.then(async () => {
			try {
				tools ??= instantiateTools(modules);
				const result = await scanRange(await tools, source, plan, task, { sliceSize, shelf });
				return Comlink.transfer(result, rangeTransferables(result));
			} finally {
				// The result holds none of the range's bytes: its buffer can take the next range.
				source.release();
			}
		});
		previous = scanned.catch(() => undefined);
		return scanned;
	},

	/** A result's arrays, merged by the parse worker: kept for the next ranges' rows. */
	giveBack(buffers: ArrayBuffer[]) {
		shelf.give(buffers);
	}
};

export type RangeWorkerApi = typeof api;

Comlink.expose(api);
