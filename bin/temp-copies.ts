import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkingCopySink } from '../src/lib/io/open';
import { fileBlob } from './range-threads';

/**
 * Working copies written to files in one temporary directory rather than held in memory, so a
 * decompressed gigabyte costs disk, not RSS. `removeAll` deletes the directory and everything in
 * it; it is synchronous so a signal handler can call it on the way out.
 */
export function temporaryCopies(): { sink: () => WorkingCopySink; removeAll(): void } {
	let directory: string | null = null;
	let files = 0;
	return {
		sink() {
			directory ??= mkdtempSync(join(tmpdir(), 'ferry-'));
			const path = join(directory, `copy-${files++}`);
			let fd: number | null = openSync(path, 'w', 0o600);
			const close = () => {
				if (fd !== null) closeSync(fd);
				fd = null;
			};
			return {
				write(chunk) {
					for (let at = 0; at < chunk.length;) at += writeSync(fd!, chunk, at, chunk.length - at);
				},
				async finish() {
					close();
					return fileBlob(path);
				},
				discard() {
					close();
					rmSync(path, { force: true });
				}
			};
		},
		removeAll() {
			if (directory) rmSync(directory, { recursive: true, force: true });
			directory = null;
		}
	};
}
