// One range worker thread of the CLI (bundled as dist/range-worker.js): the app's range.worker.ts
// for Node's worker_threads. A file's Blob comes as the part of the file it holds, read with a file
// handle: Node 20 aborts the process when a thread reads a Blob of openAsBlob ("Cannot create a
// handle without a HandleScope").
import { open, type FileHandle } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import {
	RESULT_ARRAYS,
	rangeTransferables,
	readAheadEnd,
	scanRange,
	type RangeTools
} from '../src/lib/core/engine/ranges';
import { BufferShelf } from '../src/lib/core/engine/growable';
import { instantiateTools } from '../src/lib/core/engine/wasm';
import { isFerryError } from '../src/lib/core/errors';
import type { ByteSource } from '../src/lib/core/types';
import { blobSource, rangeSource, readBuffers } from '../src/lib/io/open';
import type { FilePart, RangeReply, RangeThreadMessage } from './range-threads';

// Instantiated on the first range and kept: the modules arrive compiled from the main thread.
let tools: Promise<RangeTools> | null = null;
const handles = new Map<string, Promise<FileHandle>>();
// As in the app's range workers, buffers are used again range after range: a new one costs its
// pages again on first touch. The arrays of results merged by the main thread come back here; a
// range's first bytes are read whole into one of `reads`, given back once it is scanned.
const shelf = new BufferShelf(RESULT_ARRAYS);
const reads = new BufferShelf(readBuffers(1));

/** Fills `target` from bytes [start, …) of the file part; answers what it holds (less at the end). */
async function readPart(
	handle: FileHandle,
	{ offset }: FilePart,
	start: number,
	target: Uint8Array
): Promise<Uint8Array> {
	for (let at = 0; at < target.length;) {
		const { bytesRead } = await handle.read(target, at, target.length - at, offset + start + at);
		if (bytesRead === 0) return target.subarray(0, at);
		at += bytesRead;
	}
	return target;
}

function fileSource(handle: FileHandle, part: FilePart): ByteSource {
	return {
		size: part.size,
		read(start, end) {
			start = Math.min(start, part.size);
			return readPart(handle, part, start, new Uint8Array(Math.min(end, part.size) - start));
		}
	};
}

function handleOf(path: string): Promise<FileHandle> {
	let handle = handles.get(path);
	if (!handle) handles.set(path, (handle = open(path, 'r')));
	return handle;
}

parentPort!.on('message', async (message: RangeThreadMessage) => {
	if ('giveBack' in message) return shelf.give(message.giveBack);
	const request = message;
	let reply: RangeReply;
	let bytes: Uint8Array | null = null;
	try {
		tools ??= instantiateTools(request.modules);
		const { task, file } = request;
		let source: ByteSource;
		if (file) {
			const handle = await handleOf(file.path);
			const start = Math.min(task.start, file.size);
			const length = Math.min(readAheadEnd(task), file.size) - start;
			bytes = await readPart(handle, file, start, new Uint8Array(reads.take(length), 0, length));
			source = rangeSource(fileSource(handle, file), start, bytes);
		} else source = blobSource(request.blob!);
		const options = { sliceSize: request.sliceSize, shelf };
		// The result holds none of the range's bytes: their buffer is read into again.
		const result = await scanRange(await tools, source, request.plan, task, options);
		reply = { id: request.id, result };
		parentPort!.postMessage(reply, rangeTransferables(result));
		return;
	} catch (error) {
		reply = {
			id: request.id,
			error: isFerryError(error)
				? { code: error.code, message: error.message }
				: { message: error instanceof Error ? error.message : String(error) }
		};
	} finally {
		if (bytes) reads.give([bytes.buffer as ArrayBuffer]);
	}
	parentPort!.postMessage(reply);
});
