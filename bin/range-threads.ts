import { existsSync, openAsBlob } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
	rangeTransferables,
	type RangePlan,
	type RangeResult,
	type RangeTask
} from '../src/lib/core/engine/ranges';
import type { RangeRunner, ScanEngine } from '../src/lib/core/engine/types';
import type { WasmModules, WasmScanEngine } from '../src/lib/core/engine/wasm';
import { FerryError, type AbortSignalLike, type FerryErrorCode } from '../src/lib/core/errors';

/** Where a file-backed Blob's bytes are: bytes [offset, offset + size) of the file at `path`. */
export interface FilePart {
	path: string;
	offset: number;
	size: number;
}

/** What the main thread asks a range worker: one range of a file part or of an in-memory Blob. */
export interface RangeRequest {
	id: number;
	modules: WasmModules;
	file?: FilePart;
	blob?: Blob;
	plan: RangePlan;
	task: RangeTask;
	sliceSize: number;
}

/** A request, or the arrays of a result the main thread merged, back to the worker that made it. */
export type RangeThreadMessage = RangeRequest | { giveBack: ArrayBuffer[] };

export type RangeReply =
	| { id: number; result: RangeResult; error?: undefined }
	| { id: number; error: { code?: FerryErrorCode; message: string } };

/** The worker's bundle beside this one (dist/); absent when the CLI runs from its TypeScript source. */
const WORKER_URL = new URL('./range-worker.js', import.meta.url);

// File-backed Blobs cannot be read in another thread (Node 20 aborts the process): each Blob of a
// file, and each slice of one (the working copy is a slice past the byte order mark), remembers
// which bytes of which file it holds, and a worker reads those.
const parts = new WeakMap<Blob, FilePart>();

/** openAsBlob, the Blob and its slices remembering their file part for range workers. */
export async function fileBlob(path: string): Promise<Blob> {
	const blob = await openAsBlob(path);
	return remembered(blob, { path, offset: 0, size: blob.size });
}

function remembered(blob: Blob, part: FilePart): Blob {
	parts.set(blob, part);
	const slice = blob.slice.bind(blob);
	// Blob.slice's own arithmetic: negative positions count from the end, both are clamped.
	const at = (position: number) =>
		position < 0 ? Math.max(part.size + position, 0) : Math.min(position, part.size);
	blob.slice = (start = 0, end = part.size, type) => {
		const from = at(start);
		const to = Math.max(at(end), from);
		return remembered(slice(start, end, type), {
			path: part.path,
			offset: part.offset + from,
			size: to - from
		});
	};
	return blob;
}

/** One per core, as the app's range pool. */
export function defaultThreads(): number {
	return availableParallelism();
}

interface Member {
	worker: Worker;
	busy: boolean;
	pending: Map<number, { resolve(result: RangeResult): void; reject(error: Error): void }>;
}

/**
 * The CLI's range workers: `size` worker_threads running the same range scan as the app's range
 * workers, started on the first range and ended by close(). Undefined when there is nothing to
 * share out: one thread, the reference engine, or no worker bundle (running from source).
 */
export function rangeThreads(
	size: number,
	engine: ScanEngine
): { ranges: (workingCopy: Blob) => RangeRunner; close(): Promise<void> } | undefined {
	if (size < 2 || !('modules' in engine) || !existsSync(WORKER_URL)) return undefined;
	const { modules, sliceSize } = engine as WasmScanEngine;
	const members: Member[] = [];
	const waiting: ((member: Member) => void)[] = [];
	/** The worker each result came from, which takes its arrays back once merged. */
	const origins = new WeakMap<RangeResult, Member>();
	let nextId = 0;

	const start = (): Member => {
		const member: Member = { worker: new Worker(WORKER_URL), busy: true, pending: new Map() };
		member.worker.on('message', (reply: RangeReply) => {
			const call = member.pending.get(reply.id)!;
			member.pending.delete(reply.id);
			if (reply.error)
				call.reject(
					reply.error.code
						? new FerryError(reply.error.code, reply.error.message)
						: new Error(reply.error.message)
				);
			else {
				origins.set(reply.result, member);
				call.resolve(reply.result);
			}
		});
		member.worker.on('error', (error) => {
			for (const call of member.pending.values()) call.reject(error);
			member.pending.clear();
		});
		members.push(member);
		return member;
	};
	const acquire = (): Promise<Member> => {
		const free = members.find((member) => !member.busy);
		if (free) {
			free.busy = true;
			return Promise.resolve(free);
		}
		if (members.length < size) return Promise.resolve(start());
		return new Promise((resolve) => waiting.push(resolve));
	};
	const release = (member: Member) => {
		const next = waiting.shift();
		if (next) next(member);
		else member.busy = false;
	};

	const run = async (
		workingCopy: Blob,
		task: RangeTask,
		plan: RangePlan,
		signal?: AbortSignalLike
	): Promise<RangeResult> => {
		if (signal?.aborted) throw new FerryError('aborted', 'The operation was cancelled.');
		const member = await acquire();
		try {
			const id = nextId++;
			const file = parts.get(workingCopy);
			const request: RangeRequest = {
				id,
				modules,
				...(file ? { file } : { blob: workingCopy }),
				plan,
				task,
				sliceSize
			};
			return await new Promise<RangeResult>((resolve, reject) => {
				member.pending.set(id, { resolve, reject });
				member.worker.postMessage(request satisfies RangeThreadMessage);
			});
		} finally {
			release(member);
		}
	};

	return {
		ranges: (workingCopy) => ({
			concurrency: size,
			run: (task, plan, signal) => {
				const result = run(workingCopy, task, plan, signal);
				// The scan runs ranges ahead and awaits them in order: a later range failing first
				// must not end the process as an unhandled rejection (its caller still sees it).
				result.catch(() => {});
				return result;
			},
			release(result) {
				const member = origins.get(result);
				if (!member || !members.includes(member)) return;
				const giveBack = rangeTransferables(result).filter((buffer) => buffer.byteLength > 0);
				member.worker.postMessage({ giveBack } satisfies RangeThreadMessage, giveBack);
			}
		}),
		async close() {
			await Promise.all(members.splice(0).map((member) => member.worker.terminate()));
		}
	};
}
