/**
 * Ferry's own entries in the root of the Origin Private File System: the parse worker's working
 * copies (a decompressed or transcoded file) and the export folders (private-output.ts). Each is
 * named `<prefix><uuid>` and guarded by a Web Lock of the same name, taken before it is created and
 * released after it is removed, so an entry whose lock nobody holds is what a closed or crashed tab
 * left behind: the sweep at start removes those, and never another open tab's.
 */

const PREFIXES = { workingCopy: 'working-copy-', export: 'ferry-export-' } as const;

export type PrivateFileKind = keyof typeof PREFIXES;

/**
 * Exactly the names above. The user export's working files (`ferry-export-<id>.csv`) are not among
 * them: an interrupted one resumes after a reload, from its export log record.
 */
const SWEPT = new RegExp(
	`^(?:${Object.values(PREFIXES).join('|')})[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
);

/** The entry's (and its lock's) name. */
export function privateName(kind: PrivateFileKind, id: string = crypto.randomUUID()): string {
	return `${PREFIXES[kind]}${id}`;
}

/**
 * Holds the Web Lock `name` until the answered function is called (or the tab or worker ends).
 * Without Web Locks nothing is held, and nothing is swept either.
 */
export async function holdLock(name: string): Promise<() => void> {
	const locks = globalThis.navigator?.locks;
	if (!locks) return () => {};
	return new Promise((granted) => {
		void locks.request(name, () => new Promise<void>((release) => granted(() => release())));
	});
}

/** Removes every Ferry entry of the root whose lock no tab holds; answers their names. */
export async function sweepPrivateFiles(): Promise<string[]> {
	if (!navigator.storage?.getDirectory || !navigator.locks) return [];
	const root = await navigator.storage.getDirectory();
	const names: string[] = [];
	for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys())
		if (SWEPT.test(name)) names.push(name);
	const removed: string[] = [];
	for (const name of names)
		await navigator.locks.request(name, { ifAvailable: true }, async (lock) => {
			if (!lock) return;
			await root.removeEntry(name, { recursive: true }).then(
				() => removed.push(name),
				() => undefined
			);
		});
	return removed;
}
