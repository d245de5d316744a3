/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import {
	rangeTransferables,
	scanRange,
	type RangePlan,
	type RangeTask
} from '../core/engine/ranges';
import { instantiateTools, type WasmModules } from '../core/engine/wasm';
import type { RangeTools } from '../core/engine/ranges';
import { blobSourceReadingAhead } from '../io/open';

/**
 * Bytes read ahead past a range's first slice: the scan's first read starts at the range's first
 * record, which is within this far of the range's start on all but very long records (those read
 * their first slice again).
 */
const FIRST_RECORD_LEAD = 64 << 10;

// Instantiated on the first range and kept: the modules arrive compiled from the parse worker.
let tools: Promise<RangeTools> | null = null;
/** The range before: the pool sends the next one early, and it waits for this one to end. */
let previous: Promise<unknown> = Promise.resolve();

const api = {
	/** Scans one byte range of the working copy; the packed result moves back, not copied. */
	scanRange(
		modules: WasmModules,
		workingCopy: Blob,
		plan: RangePlan,
		task: RangeTask,
		sliceSize: number
	) {
		// Its first slice is read while the range before is scanned.
		const end = task.start + sliceSize + FIRST_RECORD_LEAD;
		const source = blobSourceReadingAhead(workingCopy, task.start, end);
		const scanned = previous.then(async () => {
			tools ??= instantiateTools(modules);
			const result = await scanRange(await tools, source, plan, task, { sliceSize });
			return Comlink.transfer(result, rangeTransferables(result));
		});
		previous = scanned.catch(() => undefined);
		return scanned;
	},

	/** A result's arrays, merged by the parse worker: freed when this worker ends. */
	drop(buffers: ArrayBuffer[]) {
		void buffers;
	}
};

export type RangeWorkerApi = typeof api;

Comlink.expose(api);
