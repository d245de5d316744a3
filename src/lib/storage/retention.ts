import { getDatabase } from './db';
import type { SourceRecord } from './schema';

/*
 * How long a source's raw file and preview rows stay on the device once its run is over. They are
 * the personal data of the export, in plaintext; what is kept afterwards is the source record (its
 * counts and mapping), the destination's per-row answers and the encrypted failure report.
 */

const DAY = 24 * 60 * 60 * 1000;

/** The admin's choices; null: until the admin deletes the source or forgets its file. */
export const RETENTION_PERIODS = {
	'1d': { label: '1 day', ms: DAY },
	'7d': { label: '7 days', ms: 7 * DAY },
	'30d': { label: '30 days', ms: 30 * DAY },
	forever: { label: 'Until I delete it', ms: null }
} as const satisfies Record<string, { label: string; ms: number | null }>;

export type Retention = keyof typeof RETENTION_PERIODS;

export const DEFAULT_RETENTION: Retention = '7d';

export function isRetention(value: unknown): value is Retention {
	return typeof value === 'string' && Object.hasOwn(RETENTION_PERIODS, value);
}

/** When the source's run ended (the upload completed, or was rolled back), or null while it has not. */
export function runEndedAt(source: SourceRecord): number | null {
	const upload = source.upload;
	return upload?.rolledBackAt ?? upload?.completedAt ?? null;
}

/**
 * When the source's file and preview are forgotten under `retention`: null while its run has not
 * ended, when they are kept until deleted, or when they are gone already.
 */
export function fileExpiresAt(source: SourceRecord, retention: Retention): number | null {
	const ended = runEndedAt(source);
	const period = RETENTION_PERIODS[retention].ms;
	if (ended === null || period === null || source.fileForgottenAt != null) return null;
	return ended + period;
}

/**
 * Deletes the source's raw file and preview rows, keeping the source, its counts, results and
 * encrypted report. Returns false when the source does not exist, its file is gone already, or it
 * is uploading (the upload may still need to read the file).
 */
export async function forgetFile(sourceId: string, now = Date.now()): Promise<boolean> {
	const db = getDatabase();
	return db.transaction('rw', [db.sources, db.files, db.previews], async () => {
		const source = await db.sources.get(sourceId);
		if (!source || source.fileForgottenAt != null || source.status === 'uploading') return false;
		await Promise.all([
			db.files.delete(sourceId),
			db.previews.delete(sourceId),
			// fileBytes is what deleting the source frees: the file's bytes no longer count.
			db.sources.update(sourceId, { fileForgottenAt: now, fileBytes: 0, updatedAt: now })
		]);
		return true;
	});
}

/** Forgets the file of every source whose run ended longer than `retention` ago; returns their ids. */
export async function purgeExpired(now: number, retention: Retention): Promise<string[]> {
	if (RETENTION_PERIODS[retention].ms === null) return [];
	// Sources are few and light (files and previews live in their own tables): no index needed.
	const sources = await getDatabase().sources.toArray();
	// A follow-up run has no file of its own: its source's is the one that expires.
	const expired = sources.filter((source) => {
		if (source.followUp) return false;
		const expiresAt = fileExpiresAt(source, retention);
		return expiresAt !== null && expiresAt <= now;
	});
	const forgotten: string[] = [];
	for (const source of expired) if (await forgetFile(source.id, now)) forgotten.push(source.id);
	return forgotten;
}
