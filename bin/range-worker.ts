// One range worker thread of the CLI (bundled as dist/range-worker.js): the app's range.worker.ts
// for Node's worker_threads. A file's Blob comes as the part of the file it holds, read with a file
// handle: Node 20 aborts the process when a thread reads a Blob of openAsBlob ("Cannot create a
// handle without a HandleScope").
import { open, type FileHandle } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { rangeTransferables, scanRange, type RangeTools } from '../src/lib/core/engine/ranges';
import { instantiateTools } from '../src/lib/core/engine/wasm';
import { isFerryError } from '../src/lib/core/errors';
import type { ByteSource } from '../src/lib/core/types';
import { blobSource } from '../src/lib/io/open';
import type { FilePart, RangeReply, RangeRequest } from './range-threads';

// Instantiated on the first range and kept: the modules arrive compiled from the main thread.
let tools: Promise<RangeTools> | null = null;
const handles = new Map<string, Promise<FileHandle>>();

function fileSource(handle: FileHandle, { offset, size }: FilePart): ByteSource {
	return {
		size,
		async read(start, end) {
			start = Math.min(start, size);
			const bytes = new Uint8Array(Math.min(end, size) - start);
			for (let at = 0; at < bytes.length;) {
				const position = offset + start + at;
				const { bytesRead } = await handle.read(bytes, at, bytes.length - at, position);
				if (bytesRead === 0) break;
				at += bytesRead;
			}
			return bytes;
		}
	};
}

async function sourceOf(request: RangeRequest): Promise<ByteSource> {
	if (!request.file) return blobSource(request.blob!);
	const { path } = request.file;
	let handle = handles.get(path);
	if (!handle) handles.set(path, (handle = open(path, 'r')));
	return fileSource(await handle, request.file);
}

parentPort!.on('message', async (request: RangeRequest) => {
	let reply: RangeReply;
	try {
		tools ??= instantiateTools(request.modules);
		const source = await sourceOf(request);
		const options = { sliceSize: request.sliceSize };
		const result = await scanRange(await tools, source, request.plan, request.task, options);
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
	}
	parentPort!.postMessage(reply);
});
