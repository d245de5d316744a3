/**
 * The export folders of the Origin Private File System (see private-output.ts, which writes them
 * in the worker), as the page removes them: after a download, on cancel, and at start.
 */

/** Folders of exports in the private file system's root start with this. */
export const EXPORT_PREFIX = 'ferry-export-';

/** The folder (and Web Lock) name of export `id`. */
export const exportFolder = (id: string) => `${EXPORT_PREFIX}${id}`;

/** Removes export `id`'s folder (its files must be closed). */
export async function removeExport(id: string): Promise<void> {
	const root = await navigator.storage.getDirectory();
	await root.removeEntry(exportFolder(id), { recursive: true }).catch(() => undefined);
}

/**
 * The tidy-up at start: removes every export folder no open tab holds the lock of (what a closed
 * tab or a crash left behind).
 */
export async function tidyExports(): Promise<void> {
	if (!navigator.storage?.getDirectory || !navigator.locks) return;
	const root = await navigator.storage.getDirectory();
	const names: string[] = [];
	for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys())
		if (name.startsWith(EXPORT_PREFIX)) names.push(name);
	for (const name of names)
		await navigator.locks.request(name, { ifAvailable: true }, async (lock) => {
			if (lock) await root.removeEntry(name, { recursive: true }).catch(() => undefined);
		});
}
