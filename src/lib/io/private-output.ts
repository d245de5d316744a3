/**
 * An export's files in the Origin Private File System: written in the parse worker through one sync
 * access handle per file (so the output costs disk, not the tab's memory), zipped there from disk,
 * and removed by the page (after the download, on cancel, or by the sweep at the next start). Each
 * export's folder is guarded by a Web Lock of the same name while its tab may still use it
 * (private-files.ts).
 */
import { Zip, ZipDeflate } from 'fflate';
import type { OutputFiles } from '../pipeline/convert-job';
import { exportFolder } from './export-folders';

/** Read from disk per step while zipping: one such slice in memory at a time. */
const ZIP_READ_BYTES = 1 << 20;

/** The worker side: files of one export, written through sync access handles. */
export class PrivateOutput implements OutputFiles {
	#open = new Map<string, { access: FileSystemSyncAccessHandle; at: number }>();

	private constructor(readonly folder: FileSystemDirectoryHandle) {}

	static async create(id: string): Promise<PrivateOutput> {
		const root = await navigator.storage.getDirectory();
		return new PrivateOutput(await root.getDirectoryHandle(exportFolder(id), { create: true }));
	}

	async #handle(name: string) {
		let file = this.#open.get(name);
		if (!file) {
			const handle = await this.folder.getFileHandle(name, { create: true });
			file = { access: await handle.createSyncAccessHandle(), at: 0 };
			file.access.truncate(0);
			this.#open.set(name, file);
		}
		return file;
	}

	async write(name: string, chunk: Uint8Array): Promise<void> {
		const file = await this.#handle(name);
		file.at += file.access.write(chunk, { at: file.at });
	}

	async close(name: string): Promise<void> {
		const file = await this.#handle(name);
		file.access.flush();
		file.access.close();
		this.#open.delete(name);
	}

	/** Closes what a cancel or a failure left open (the page then removes the folder). */
	closeAll(): void {
		for (const file of this.#open.values()) file.access.close();
		this.#open.clear();
	}

	async file(name: string): Promise<File> {
		return (await this.folder.getFileHandle(name)).getFile();
	}

	/**
	 * Zips the complete files `names` (deflated) into `zipName` in the same folder, reading each a
	 * slice at a time and writing the ZIP as fflate gives it, then removes the zipped files.
	 */
	async zip(names: readonly string[], zipName: string, signal?: AbortSignal): Promise<File> {
		const handle = await this.folder.getFileHandle(zipName, { create: true });
		const access = await handle.createSyncAccessHandle();
		let at = 0;
		// fflate's deflate runs synchronously: each push hands its output to this callback at once.
		let failed: Error | null = null;
		let ended = false;
		const zip = new Zip((error, chunk, final) => {
			if (error) failed = error;
			else at += access.write(chunk, { at });
			ended ||= final;
		});
		try {
			access.truncate(0);
			for (const name of names) {
				const entry = new ZipDeflate(name, { level: 6 });
				zip.add(entry);
				const file = await this.file(name);
				for (let offset = 0; offset < file.size || offset === 0; offset += ZIP_READ_BYTES) {
					signal?.throwIfAborted();
					const end = Math.min(file.size, offset + ZIP_READ_BYTES);
					const slice = new Uint8Array(await file.slice(offset, end).arrayBuffer());
					entry.push(slice, end >= file.size);
					if (failed) throw failed;
				}
			}
			zip.end();
			if (failed || !ended) throw failed ?? new Error('The ZIP was not completed.');
			access.flush();
		} finally {
			access.close();
		}
		for (const name of names) await this.folder.removeEntry(name);
		return handle.getFile();
	}
}
