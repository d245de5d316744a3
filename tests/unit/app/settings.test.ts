import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const TOKEN = 'tok-legacy-51c0';

/** localStorage as a browser has it (Node 20 has none). */
class MemoryStorage implements Storage {
	#items = new Map<string, string>();
	get length() {
		return this.#items.size;
	}
	clear() {
		this.#items.clear();
	}
	getItem(key: string) {
		return this.#items.get(key) ?? null;
	}
	key(index: number) {
		return [...this.#items.keys()][index] ?? null;
	}
	removeItem(key: string) {
		this.#items.delete(key);
	}
	setItem(key: string, value: string) {
		this.#items.set(key, String(value));
	}
}

/** The settings module as a fresh page load finds it. */
async function loadPage() {
	vi.resetModules();
	const module = await import('../../../src/lib/state/settings.svelte');
	await module.settings.ready;
	return module;
}

/** The stored token, read the way the latest page load reads it. */
async function storedToken(): Promise<string | null> {
	const { DESTINATION_TOKEN, readSecret } = await import('../../../src/lib/storage/secrets');
	return readSecret(DESTINATION_TOKEN);
}

beforeEach(async () => {
	vi.stubGlobal('localStorage', new MemoryStorage());
	// A browser Ferry never ran in; the other tabs (earlier loads) close their connections.
	await Dexie.delete('ferry');
});

afterEach(() => {
	vi.unstubAllGlobals();
});

describe('the destination token', () => {
	it('moves out of the localStorage of an earlier Ferry, into IndexedDB, encrypted', async () => {
		const legacy = { url: 'http://localhost:9999/api/v1', token: TOKEN, mode: 'create' };
		localStorage.setItem('ferry.destination', JSON.stringify(legacy));

		const { settings, SETTINGS_KEY } = await loadPage();
		expect(settings.token).toBe(TOKEN);
		expect(settings.tokenLoaded).toBe(true);
		const kept = JSON.parse(localStorage.getItem(SETTINGS_KEY)!);
		expect(kept).not.toHaveProperty('token');
		expect(kept).toMatchObject({ url: legacy.url, mode: 'create' });
		expect(await storedToken()).toBe(TOKEN);

		const reloaded = await loadPage();
		expect(reloaded.settings.token).toBe(TOKEN);
		expect(reloaded.settings.value.url).toBe(legacy.url);
	});

	it('is the development token on a new browser, and a changed one survives a reload', async () => {
		const { settings } = await loadPage();
		expect(settings.token).toBe('dev-token');
		settings.token = 'changed';
		settings.persist();
		await vi.waitFor(async () => expect(await storedToken()).toBe('changed'));
		expect(JSON.stringify({ ...localStorage })).not.toContain('changed');
		expect((await loadPage()).settings.token).toBe('changed');
	});

	it('is not written before it is loaded, so the default never replaces the stored one', async () => {
		localStorage.setItem('ferry.destination', JSON.stringify({ token: TOKEN }));
		await loadPage();
		vi.resetModules();
		const { settings } = await import('../../../src/lib/state/settings.svelte');
		settings.persist();
		await settings.ready;
		expect(settings.token).toBe(TOKEN);
		expect(await storedToken()).toBe(TOKEN);
		expect(await settings.authorization()).toBe(`Bearer ${TOKEN}`);
	});

	it('is restored to the default by "Restore defaults" even when asked before it is loaded', async () => {
		localStorage.setItem('ferry.destination', JSON.stringify({ token: TOKEN }));
		await loadPage();
		vi.resetModules();
		const { settings } = await import('../../../src/lib/state/settings.svelte');
		expect(settings.tokenLoaded).toBe(false);
		await settings.reset();
		expect(settings.token).toBe('dev-token');
		await vi.waitFor(async () => expect(await storedToken()).toBe('dev-token'));
		expect((await loadPage()).settings.token).toBe('dev-token');
	});
});
