import { liveQuery, type Subscription } from 'dexie';
import { SvelteSet } from 'svelte/reactivity';
import { deleteAllLocalData, getDatabase, type ConnectionNotice } from '../storage/db';
import { requestPersistence, storageState, type StorageState } from '../storage/quota';
import type { SourceRecord } from '../storage/schema';
import {
	DEFAULT_RETENTION,
	forgetFile,
	isRetention,
	purgeExpired,
	type Retention
} from '../storage/retention';
import { deleteSource, listSources, renameSource, reportedSourceIds } from '../storage/sources';
import { storage } from './settings.svelte';

/**
 * The retention setting, in localStorage: a choice, not personal data, read synchronously at start
 * and kept apart from the database so "Delete all local data" does not reset it.
 */
export const RETENTION_KEY = 'ferry.retention';

/** How often an open tab looks for files past their retention period. */
const PURGE_EVERY_MS = 10 * 60 * 1000;

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/**
 * The sources stored on this device, kept current while a page watches them: a Dexie liveQuery
 * re-reads the list whenever this tab or another one changes it.
 */
class Sources {
	/** Newest first. */
	list = $state.raw<SourceRecord[]>([]);
	/** Sources with an encrypted report stored. */
	reported = $state.raw<ReadonlySet<string>>(new Set());
	/** How long a file and its preview stay after the source's run ended. */
	retention = $state<Retention>(DEFAULT_RETENTION);
	/** False until the database has answered once. */
	loaded = $state(false);
	error = $state<string | null>(null);
	storage = $state.raw<StorageState | null>(null);
	/** What another tab did to the database connection (see db.ts). */
	notice = $state.raw<ConnectionNotice | null>(null);
	/** Ids of sources being deleted, or whose file is being forgotten. */
	deleting = new SvelteSet<string>();
	deletingAll = $state(false);

	/** Another tab upgraded or deleted the database: this tab's connection stays closed. */
	closed: boolean = $derived(
		this.notice?.kind === 'upgraded-elsewhere' || this.notice?.kind === 'deleted-elsewhere'
	);

	#watchers = 0;
	#subscription: Subscription | null = null;
	#stopNotices: (() => void) | null = null;

	constructor() {
		const stored = storage()?.getItem(RETENTION_KEY);
		if (isRetention(stored)) this.retention = stored;
	}

	/** Changes the retention and applies it at once (a shorter one may forget files now). */
	setRetention(retention: Retention): void {
		this.retention = retention;
		try {
			storage()?.setItem(RETENTION_KEY, retention);
		} catch {
			// Not stored (storage disabled or full): this tab still applies it.
		}
		void this.purge();
	}

	/**
	 * Forgets the files past their retention now and every few minutes while the app is open;
	 * returns the function that stops. Meant for the layout's $effect (app start).
	 */
	purgePeriodically(): () => void {
		void this.purge();
		const timer = setInterval(() => void this.purge(), PURGE_EVERY_MS);
		return () => clearInterval(timer);
	}

	async purge(): Promise<void> {
		try {
			await purgeExpired(Date.now(), this.retention);
		} catch (error) {
			// Tried again at the next interval; the list shows what is still kept meanwhile.
			this.error = `Files past their retention period were not removed: ${messageOf(error)}`;
		}
	}

	/** Deletes the source's file and preview now, keeping its counts, results and report. */
	async forget(id: string): Promise<boolean> {
		this.deleting.add(id);
		this.error = null;
		try {
			return await forgetFile(id);
		} catch (error) {
			this.error = `The file was not forgotten: ${messageOf(error)}`;
			return false;
		} finally {
			this.deleting.delete(id);
		}
	}

	/** Starts following the database; returns the function that stops. Meant for an $effect. */
	watch(): () => void {
		if (this.#watchers++ === 0) {
			this.#stopNotices = getDatabase().onConnectionNotice((notice) => (this.notice = notice));
			this.#subscribe();
		}
		let stopped = false;
		return () => {
			if (stopped) return;
			stopped = true;
			if (--this.#watchers > 0) return;
			this.#unsubscribe();
			this.#stopNotices?.();
			this.#stopNotices = null;
		};
	}

	async remove(id: string): Promise<void> {
		this.deleting.add(id);
		this.error = null;
		try {
			await deleteSource(id);
		} catch (error) {
			this.error = `The source was not deleted: ${messageOf(error)}`;
		} finally {
			this.deleting.delete(id);
		}
	}

	/** Names a source; an empty name gives the file name back. */
	async rename(id: string, name: string): Promise<void> {
		this.error = null;
		try {
			await renameSource(id, name);
		} catch (error) {
			this.error = `The source was not renamed: ${messageOf(error)}`;
		}
	}

	/** Deletes the whole database (every source, file, report, profile and queued chunk). */
	async removeAll(): Promise<void> {
		this.deletingAll = true;
		this.error = null;
		// Deleting closes the connection the live query reads through; follow the new one after.
		this.#unsubscribe();
		try {
			await deleteAllLocalData();
			if (this.notice?.kind === 'blocked') this.notice = null;
		} catch (error) {
			this.error = `Local data was not deleted: ${messageOf(error)}`;
		} finally {
			this.deletingAll = false;
			if (this.#watchers > 0) this.#subscribe();
		}
	}

	async refreshStorage(): Promise<void> {
		this.storage = await storageState();
	}

	/** Asks the browser to keep the data (Firefox may ask the admin first). */
	async persist(): Promise<void> {
		await requestPersistence();
		await this.refreshStorage();
	}

	#subscribe(): void {
		this.#subscription = liveQuery(() =>
			Promise.all([listSources(), reportedSourceIds()])
		).subscribe({
			next: ([list, reported]) => {
				this.list = list;
				this.reported = new Set(reported);
				this.loaded = true;
				this.error = null;
				// The list changed, so did the space used.
				void this.refreshStorage();
			},
			error: (error: unknown) => {
				this.error = `The list of sources could not be read: ${messageOf(error)}`;
			}
		});
	}

	#unsubscribe(): void {
		this.#subscription?.unsubscribe();
		this.#subscription = null;
	}
}

export const sources = new Sources();
