import { afterEach, describe, expect, it, vi } from 'vitest';
import { holdLock, privateName, sweepPrivateFiles } from '../../../src/lib/io/private-files';

type LockCallback = (lock: { name: string } | null) => Promise<unknown> | unknown;

/** Web Locks of one origin, exclusive only: enough for holding and `ifAvailable`. */
function fakeLocks() {
	const held = new Set<string>();
	return {
		held,
		async request(
			name: string,
			...rest: [LockCallback] | [{ ifAvailable?: boolean }, LockCallback]
		) {
			const [options, callback] = rest.length === 1 ? [{}, rest[0]] : rest;
			if (held.has(name)) {
				if (options.ifAvailable) return callback(null);
				throw new Error('this fake does not queue');
			}
			held.add(name);
			try {
				return await callback({ name });
			} finally {
				held.delete(name);
			}
		}
	};
}

function fakeRoot(names: string[]) {
	const entries = new Set(names);
	return {
		entries,
		async *keys() {
			yield* [...entries];
		},
		async removeEntry(name: string) {
			entries.delete(name);
		}
	};
}

afterEach(() => vi.unstubAllGlobals());

describe('the private file system sweep', () => {
	it('removes the entries no tab holds the lock of, and only Ferry’s own', async () => {
		const orphanCopy = privateName('workingCopy');
		const orphanExport = privateName('export');
		const liveCopy = privateName('workingCopy');
		const userExport = `ferry-export-${crypto.randomUUID()}.csv`;
		const root = fakeRoot([orphanCopy, orphanExport, liveCopy, userExport, 'notes.txt']);
		const locks = fakeLocks();
		vi.stubGlobal('navigator', { storage: { getDirectory: async () => root }, locks });

		const release = await holdLock(liveCopy);
		expect(locks.held).toContain(liveCopy);
		expect((await sweepPrivateFiles()).sort()).toEqual([orphanCopy, orphanExport].sort());
		expect([...root.entries].sort()).toEqual([liveCopy, userExport, 'notes.txt'].sort());

		release();
		await vi.waitFor(() => expect(locks.held).not.toContain(liveCopy));
		expect(await sweepPrivateFiles()).toEqual([liveCopy]);
	});

	it('does nothing where the browser has no Web Locks', async () => {
		const root = fakeRoot([privateName('workingCopy')]);
		vi.stubGlobal('navigator', { storage: { getDirectory: async () => root } });
		const release = await holdLock('anything');
		release();
		expect(await sweepPrivateFiles()).toEqual([]);
		expect(root.entries.size).toBe(1);
	});
});
