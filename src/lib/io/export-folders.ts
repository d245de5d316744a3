/**
 * The export folders of the Origin Private File System (see private-output.ts, which writes them
 * in the worker), as the page removes them: after a download and on cancel. What a closed tab left
 * goes with the sweep at start (private-files.ts).
 */
import { privateName } from './private-files';

/** The folder (and Web Lock) name of export `id`. */
export const exportFolder = (id: string) => privateName('export', id);

/** Removes export `id`'s folder (its files must be closed). */
export async function removeExport(id: string): Promise<void> {
	const root = await navigator.storage.getDirectory();
	await root.removeEntry(exportFolder(id), { recursive: true }).catch(() => undefined);
}
