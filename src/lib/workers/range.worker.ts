/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import {
	RESULT_ARRAYS,
	rangeTransferables,
	scanRange,
	type RangePlan,
	type RangeTask
} from '../core/engine/ranges';
import { BufferShelf } from '../core/engine/growable';
import { instantiateTools, type WasmModules } from '../core/engine/wasm';
import type { RangeTools } from '../core/engine/ranges';
import { blobSource, rangeSource } from '../io/open';

// Instantiated on the first range and kept: the modules arrive compiled from the parse worker.
let tools: Promise<RangeTools> | null = null;
/** The range before: the pool sends the next one early, and it waits for this one to end. */
let previous: Promise<unknown> = Promise.resolve();
/** The arrays of results merged by the parse worker, given back to hold later ranges' rows. */
const shelf = new BufferShelf(RESULT_ARRAYS);

const api = {
	/**
	 * Scans one byte range of the working copy, whose first bytes the parse worker read (`bytes`,
	 * from task.start). The packed result and the bytes' buffer move back, not copied.
	 */
	scanRange(
		modules: WasmModules,
		workingCopy: Blob,
		plan: RangePlan,
		task: RangeTask,
		sliceSize: number,
		bytes: Uint8Array
	) {
		const source = rangeSource(blobSource(workingCopy), task.start, bytes);
		const scanned = previous.then(async () => {
			tools ??= instantiateTools(modules);
			// The result holds none of the range's bytes: their buffer goes back to be read into again.
			const result = await scanRange(await tools, source, plan, task, { sliceSize, shelf });
			const buffer = bytes.buffer as ArrayBuffer;
			return Comlink.transfer({ result, buffer }, [...rangeTransferables(result), buffer]);
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
