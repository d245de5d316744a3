import { getDatabase } from './db';
import { RETENTION_PERIODS, type Retention } from './retention';
import type { ExportRecord } from './schema';

/*
 * The export log: each export of users out of the destination, newest first. A record also holds
 * where an unfinished export resumes (cursor, bytes written, the file). Records are kept as long as
 * the retention setting keeps a run's file: an export names people's data by its filters and file.
 */

export function saveExport(record: ExportRecord): Promise<string> {
	return getDatabase().exports.put(record);
}

export function getExport(id: string): Promise<ExportRecord | undefined> {
	return getDatabase().exports.get(id);
}

export function listExports(): Promise<ExportRecord[]> {
	return getDatabase().exports.orderBy('startedAt').reverse().toArray();
}

export function deleteExport(id: string): Promise<void> {
	return getDatabase().exports.delete(id);
}

/**
 * Deletes the log entries whose export ended (or was last touched, if it never ended) longer ago
 * than `retention` keeps; returns them, so their working files can be removed too.
 */
export async function purgeExports(
	retention: Retention,
	now = Date.now()
): Promise<ExportRecord[]> {
	const period = RETENTION_PERIODS[retention].ms;
	if (period === null) return [];
	const expired = await getDatabase()
		.exports.filter(
			(record) => record.status !== 'running' && (record.endedAt ?? record.updatedAt) + period < now
		)
		.toArray();
	await getDatabase().exports.bulkDelete(expired.map((record) => record.id));
	return expired;
}
