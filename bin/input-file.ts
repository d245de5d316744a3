import type { Stats } from 'node:fs';

/**
 * Why `path` cannot be read as an export, or null when it is a regular file. Ferry reads a file's
 * head before the whole of it and knows its size up front, which a pipe or a device cannot give;
 * /dev/zero or a FIFO nobody writes to would otherwise never end.
 */
export function notARegularFile(path: string, stats: Stats): string | null {
	if (stats.isFile()) return null;
	if (stats.isDirectory()) return `${path} is a directory, not a file`;
	if (stats.isFIFO())
		return `${path} is a named pipe (FIFO), not a file: save the export to a file first`;
	if (stats.isCharacterDevice() || stats.isBlockDevice()) return `${path} is a device, not a file`;
	if (stats.isSocket()) return `${path} is a socket, not a file`;
	return `${path} is not a regular file`;
}
