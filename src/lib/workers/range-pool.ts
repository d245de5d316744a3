import * as Comlink from 'comlink';
import {
	RANGE_OVERLAP_BYTES,
	rangeTransferables,
	readAheadEnd,
	type RangePlan,
	type RangeResult,
	type RangeTask
} from '../core/engine/ranges';
import { BufferShelf } from '../core/engine/growable';
import type { RangeRunner } from '../core/engine/types';
import type { WasmScanEngine } from '../core/engine/wasm';
import { FerryError, type AbortSignalLike } from '../core/errors';
import { BlobRanges, readBuffers } from '../io/open';
import type { RangeWorkerApi } from './range.worker';

interface Member {
	worker: Worker;
	api: Comlink.Remote<RangeWorkerApi>;
	/** Ranges sent to it and not yet answered. */
	ranges: number;
}

/**
 * Ranges a worker is given at once. The next one waits in the worker and starts as soon as the one
 * before ends, instead of a round trip through this (busy) thread later.
 */
const DEPTH = 2;

/**
 * The range workers of the parse worker: `size` of them, started by the first scan. The ranges'
 * bytes are read here, through one stream of the working copy (BlobRanges), and moved to the
 * workers, which move their buffers back with the results. Aborting a scan terminates them (a
 * WebAssembly call cannot be interrupted); the parse worker ends them once no scan has taken them
 * for a while.
 */
export class RangePool {
	readonly #members: Member[] = [];
	readonly #waiting: ((member: Member) => void)[] = [];
	/** The worker each result came from, which takes its arrays back. */
	readonly #origins = new WeakMap<RangeResult, Member>();
	/** What the ranges are read into: those out at once are the scan's and one waiting for a worker. */
	readonly #buffers: BufferShelf;

	constructor(
		readonly size: number,
		private readonly engine: WasmScanEngine
	) {
		this.#buffers = new BufferShelf(readBuffers(size * DEPTH + 1));
	}

	/** A runner over one working copy for one scan, for ScanRequest.ranges. */
	runner(workingCopy: Blob): RangeRunner {
		const reads = new BlobRanges(workingCopy, this.#buffers, RANGE_OVERLAP_BYTES);
		return {
			concurrency: this.size * DEPTH,
			run: (task, plan, signal) => this.#run(workingCopy, reads, task, plan, signal),
			release: (result) => this.#giveBack(result),
			finish: () => reads.close()
		};
	}

	/**
	 * A merged result's arrays go back to the range worker that made them, to hold its next
	 * ranges' rows (fresh arrays would cost their pages again), and to be freed with it when the
	 * scan ends: left here they would wait for this (then idle) worker's next collection.
	 */
	#giveBack(result: RangeResult): void {
		const member = this.#origins.get(result);
		if (!member || !this.#members.includes(member)) return;
		const buffers = rangeTransferables(result).filter((buffer) => buffer.byteLength > 0);
		void member.api.giveBack(Comlink.transfer(buffers, buffers)).catch(() => undefined);
	}

	terminate(): void {
		// Those waiting for a worker belong to an aborted scan (a finished one leaves none): they
		// have rejected already.
		this.#waiting.length = 0;
		for (const member of this.#members.splice(0)) member.worker.terminate();
	}

	/** terminate(), unless a range is being scanned or waits (a later range starts workers again). */
	terminateIfIdle(): void {
		if (this.#members.every((member) => member.ranges === 0)) this.terminate();
	}

	async #run(
		workingCopy: Blob,
		reads: BlobRanges,
		task: RangeTask,
		plan: RangePlan,
		signal: AbortSignalLike | undefined
	): Promise<RangeResult> {
		// Asked for at once: ranges are read in the order the scan runs them.
		const read = reads.read(task.start, readAheadEnd(task));
		read.catch(() => undefined);
		const aborted = abortPromise(signal as AbortSignal | undefined, () => this.terminate());
		let member: Member | null = null;
		try {
			const bytes = await Promise.race([read, aborted.promise]);
			member = await Promise.race([this.#acquire(), aborted.promise]);
			const call = member.api.scanRange(
				this.engine.modules,
				workingCopy,
				plan,
				task,
				this.engine.sliceSize,
				Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer])
			);
			const { result, buffer } = await Promise.race([call, aborted.promise]);
			this.#buffers.give([buffer]);
			this.#origins.set(result, member);
			return result;
		} finally {
			aborted.dispose();
			if (member) this.#release(member);
		}
	}

	/** An idle worker, else a new one, else one with room for another range. */
	#acquire(): Promise<Member> {
		let member: Member | undefined = this.#members.find((m) => m.ranges === 0);
		if (!member && this.#members.length < this.size) {
			const worker = new Worker(new URL('./range.worker.ts', import.meta.url), {
				type: 'module'
			});
			member = { worker, api: Comlink.wrap<RangeWorkerApi>(worker), ranges: 0 };
			this.#members.push(member);
		}
		member ??= this.#members.find((m) => m.ranges < DEPTH);
		if (!member) return new Promise((resolve) => this.#waiting.push(resolve));
		member.ranges++;
		return Promise.resolve(member);
	}

	#release(member: Member): void {
		if (!this.#members.includes(member)) return; // terminated meanwhile
		const next = this.#waiting.shift();
		if (next) return next(member);
		member.ranges--;
	}
}

/** A promise rejected when `signal` aborts (after `onAbort`), and a way to stop listening. */
function abortPromise(signal: AbortSignal | undefined, onAbort: () => void) {
	let dispose = () => {};
	const promise = new Promise<never>((_, reject) => {
		if (!signal) return;
		const listener = () => {
			onAbort();
			reject(new FerryError('aborted', 'The operation was cancelled.'));
		};
		if (signal.aborted) return listener();
		signal.addEventListener('abort', listener, { once: true });
		dispose = () => signal.removeEventListener('abort', listener);
	});
	return { promise, dispose: () => dispose() };
}
