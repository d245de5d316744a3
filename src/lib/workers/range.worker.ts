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
import { blobSource } from '../io/open';

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
		const scanned = previous.then(async () => {
			tools ??= instantiateTools(modules);
			const result = await scanRange(await tools, blobSource(workingCopy), plan, task, {
				sliceSize
			});
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
