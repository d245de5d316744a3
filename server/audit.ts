/**
 * The audit trail of accounts: one entry each time an import creates, updates or connects an
 * account, and each time a rollback removes what an import made. Entries outlive the accounts they
 * describe (a rollback deletes the account, not its history) and are keyed by the external user id,
 * which is what a GDPR request names. They hold field names, never values.
 */
import type { AuditAction, AuditEntry } from '../src/lib/core/protocol/import-api';
import type { SqlQueries } from './sql';

export interface AuditRecord {
	accountId: number;
	userId: string | null;
	sourceId: string;
	row: number | null;
	action: AuditAction;
	fields?: readonly string[];
}

export function recordAudit(tx: SqlQueries, entry: AuditRecord, now: number): Promise<number> {
	return tx.run(
		`INSERT INTO audit_entries (account_id, user_id, source_id, row, action, fields_json, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?)`,
		[
			entry.accountId,
			entry.userId,
			entry.sourceId,
			entry.row,
			entry.action,
			entry.fields ? JSON.stringify(entry.fields) : null,
			now
		]
	);
}

/**
 * Notes what a rollback of `sourceId` is about to undo: the accounts it created (`removed`) and
 * the connections it made to existing accounts (`unlinked`). Runs before the deletes, in their
 * transaction.
 */
export async function recordRollback(tx: SqlQueries, sourceId: string, now: number): Promise<void> {
	await tx.run(
		`INSERT INTO audit_entries (account_id, user_id, source_id, row, action, created_at)
			 SELECT a.id, c.user_id, ?, c.row, 'removed', ? FROM accounts a
			 LEFT JOIN connections c ON c.account_id = a.id WHERE a.created_by_source = ?`,
		[sourceId, now, sourceId]
	);
	await tx.run(
		`INSERT INTO audit_entries (account_id, user_id, source_id, row, action, created_at)
			 SELECT account_id, user_id, source_id, row, 'unlinked', ? FROM connections
			 WHERE source_id = ? AND kind = 'linked'`,
		[now, sourceId]
	);
}

/** Every entry about the external user id, oldest first. */
export async function auditOf(tx: SqlQueries, userId: string): Promise<AuditEntry[]> {
	const rows = await tx.all<{
		action: AuditAction;
		user_id: string | null;
		source_id: string;
		row: number | null;
		fields_json: string | null;
		created_at: number;
	}>(
		`SELECT action, user_id, source_id, row, fields_json, created_at FROM audit_entries
			 WHERE user_id = ? ORDER BY created_at, id`,
		[userId]
	);
	return rows.map((entry) => ({
		action: entry.action,
		userId: entry.user_id,
		sourceId: entry.source_id,
		row: entry.row,
		fields: entry.fields_json === null ? null : (JSON.parse(entry.fields_json) as string[]),
		at: new Date(entry.created_at).toISOString()
	}));
}
