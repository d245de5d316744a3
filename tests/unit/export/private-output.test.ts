import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PrivateOutput } from '../../../src/lib/io/private-output';

/** An in-memory stand-in for the private file system: one folder of files with sync access handles. */
function fakeRoot() {
	const folders = new Map<string, Map<string, Uint8Array<ArrayBuffer>>>();
	const folder = (files: Map<string, Uint8Array<ArrayBuffer>>) => ({
		async getFileHandle(name: string, options?: { create?: boolean }) {
			if (!files.has(name)) {
				if (!options?.create) throw new DOMException('missing', 'NotFoundError');
				files.set(name, new Uint8Array());
			}
			return {
				async createSyncAccessHandle() {
					return {
						write(chunk: Uint8Array, { at }: { at: number }) {
							const before = files.get(name)!;
							const after = new Uint8Array(Math.max(before.length, at + chunk.length));
							after.set(before);
							after.set(chunk, at);
							files.set(name, after);
							return chunk.length;
						},
						truncate: (size: number) => files.set(name, files.get(name)!.slice(0, size)),
						flush() {},
						close() {}
					};
				},
				async getFile() {
					return new File([files.get(name)!], name);
				}
			};
		},
		async removeEntry(name: string) {
			files.delete(name);
		}
	});
	return {
		folders,
		async getDirectoryHandle(name: string) {
			if (!folders.has(name)) folders.set(name, new Map());
			return folder(folders.get(name)!);
		}
	};
}

afterEach(() => vi.unstubAllGlobals());

describe('PrivateOutput', () => {
	it('writes interleaved pieces into their files and zips them (deflated) from disk', async () => {
		const root = fakeRoot();
		vi.stubGlobal('navigator', { storage: { getDirectory: async () => root } });
		const out = await PrivateOutput.create('job');
		const encode = (text: string) => new TextEncoder().encode(text);
		await out.write('users.json', encode('[\n'));
		await out.write('id-map.csv', encode('source_user_id,hanko_user_id\n'));
		await out.write('users.json', encode('{"a":1}\n]\n'));
		await out.close('users.json');
		await out.close('id-map.csv');
		// Bigger than one read slice, so the ZIP is fed in several pushes.
		const big = 'x'.repeat(3 * (1 << 20) + 5);
		await out.write('users-2.json', encode(big));
		await out.close('users-2.json');

		const zip = await out.zip(['users.json', 'id-map.csv', 'users-2.json'], 'export.zip');
		const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
		expect(strFromU8(files['users.json'])).toBe('[\n{"a":1}\n]\n');
		expect(strFromU8(files['id-map.csv'])).toBe('source_user_id,hanko_user_id\n');
		expect(strFromU8(files['users-2.json'])).toBe(big);
		expect(zip.size).toBeLessThan(100_000);
		// Only the ZIP stays in the export's folder.
		expect([...root.folders.get('ferry-export-job')!.keys()]).toEqual(['export.zip']);
	});
});
