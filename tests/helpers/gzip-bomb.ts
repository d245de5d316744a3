import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/**
 * Writes to `path` a gzip file of `bytes` bytes of `row` repeated (a header `a,b` first):
 * streamed through zlib a mebibyte at a time, so a 2 GiB bomb costs seconds and no memory.
 */
export async function writeGzipBomb(path: string, bytes: number, row = 'a,b\n'): Promise<void> {
	const block = Buffer.from(row.repeat(Math.ceil((1024 * 1024) / row.length)));
	async function* rows() {
		yield Buffer.from('a,b\n');
		for (let written = 0; written < bytes; written += block.length) yield block;
	}
	await pipeline(Readable.from(rows()), createGzip({ level: 1 }), createWriteStream(path));
}
