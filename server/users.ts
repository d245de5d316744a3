/**
 * Users out of the destination: `GET /users` (filtered pages of canonical records, secrets left
 * out) and `GET /users/:user_id/export` (the GDPR package of one user). Account rows are read
 * whole (`a.*`) and mapped by the field catalogue, so a column a migration adds for a canonical
 * field is exported without a change here.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import {
	PROTOCOL_VERSION,
	USER_CURSOR_TTL_MS,
	USER_PAGE_SIZE,
	type ExportedUser,
	type UserFilters,
	type UserImportRow,
	type UserPackage,
	type UserPage
} from '../src/lib/core/protocol/import-api';
import { FIELDS, SECRET_TYPES, USER_ID_MAX_LENGTH } from '../src/lib/core/schema/fields';
import type { CanonicalField } from '../src/lib/core/schema/fields';
import { BOOLEAN_SPELLINGS, parseBoolean } from '../src/lib/core/validate/rules/boolean';
import { auditOf } from './audit';
import { ApiError } from './errors';
import type { SqlDatabase, SqlParam, SqlQueries } from './sql';

/** Account columns that hold a canonical field and may be exported (user_id is the connection's). */
const ACCOUNT_EXPORT_FIELDS: readonly CanonicalField[] = FIELDS.filter(
	(field) => field.name !== 'user_id' && !SECRET_TYPES.includes(field.type)
);
const JSON_TYPES = new Set(['list', 'emails', 'json']);

type AccountRow = Record<string, unknown> & {
	id: number;
	connection_user_id: string | null;
	created_at: number;
	updated_at: number;
};

const ACCOUNT_SELECT = `SELECT a.*, c.user_id AS connection_user_id FROM accounts a
	LEFT JOIN connections c ON c.account_id = a.id`;

function iso(ms: number): string {
	return new Date(Number(ms)).toISOString();
}

/** A stored value as the canonical record has it: JSON for structured fields, 'true'/'false'. */
function exportedValue(field: CanonicalField, stored: unknown): unknown {
	if (typeof stored !== 'string') return stored;
	if (JSON_TYPES.has(field.type)) {
		try {
			return JSON.parse(stored);
		} catch {
			return stored;
		}
	}
	if (field.type === 'boolean') return String(parseBoolean(stored) ?? stored);
	return stored;
}

export function exportedUser(row: AccountRow): ExportedUser {
	const user: Record<string, unknown> = { user_id: row.connection_user_id ?? null };
	for (const field of ACCOUNT_EXPORT_FIELDS) {
		const stored = row[field.name];
		if (stored === null || stored === undefined || stored === '') continue;
		user[field.name] = exportedValue(field, stored);
	}
	user.created_at = iso(row.created_at);
	user.updated_at = iso(row.updated_at);
	return user as ExportedUser;
}

/** A cursor names the last account of a page, when it was given, and the filters it belongs to. */
interface UserCursor {
	afterId: number;
	issuedAt: number;
	filters: string;
}

function filtersDigest(filters: UserFilters): string {
	const ordered = Object.entries(filters)
		.filter(([, value]) => value !== undefined)
		.sort(([a], [b]) => a.localeCompare(b));
	return createHash('sha256').update(JSON.stringify(ordered)).digest('base64url').slice(0, 16);
}

function formatCursor(cursor: UserCursor): string {
	return Buffer.from(`u1.${cursor.afterId}.${cursor.issuedAt}.${cursor.filters}`).toString(
		'base64url'
	);
}

function readCursor(text: string, filters: UserFilters, now: number): number {
	const match = /^u1\.(\d{1,15})\.(\d{1,15})\.([A-Za-z0-9_-]{16})$/.exec(
		Buffer.from(text, 'base64url').toString()
	);
	if (!match) {
		throw new ApiError(400, 'invalid_cursor', 'The cursor is not one this server gave.');
	}
	if (match[3] !== filtersDigest(filters)) {
		throw new ApiError(
			400,
			'invalid_cursor',
			'The cursor belongs to other filters: send the filters of the first page with it.'
		);
	}
	if (now - Number(match[2]) > USER_CURSOR_TTL_MS) {
		throw new ApiError(
			400,
			'cursor_expired',
			`The cursor is older than ${USER_CURSOR_TTL_MS / 3_600_000} hours: start the export again.`
		);
	}
	return Number(match[1]);
}

/** An ISO 8601 date or date-time as epoch milliseconds. */
function instant(name: string, text: string | undefined): number | undefined {
	if (text === undefined) return undefined;
	const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
	if (Number.isNaN(ms)) {
		throw new ApiError(400, 'invalid_request', `${name} is not an ISO 8601 date or date-time.`);
	}
	return ms;
}

export class UserDirectory {
	readonly #db: SqlDatabase;
	readonly #now: () => number;

	constructor(db: SqlDatabase, now: () => number) {
		this.#db = db;
		this.#now = now;
	}

	/** Up to `limit` users in account order after the cursor's: new accounts never shift a page. */
	list(filters: UserFilters, limit: number, cursor: string | null): Promise<UserPage> {
		const now = this.#now();
		const afterId = cursor === null ? 0 : readCursor(cursor, filters, now);
		const conditions = ['a.id > ?'];
		const params: SqlParam[] = [afterId];
		if (filters.organization !== undefined) {
			conditions.push('a.organization = ?');
			params.push(filters.organization);
		}
		if (filters.role !== undefined) {
			conditions.push(
				this.#db.dialect === 'postgres'
					? 'a.roles::jsonb @> jsonb_build_array(CAST(? AS TEXT))'
					: `EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(a.roles) THEN a.roles END)
						 WHERE json_each.value = ?)`
			);
			params.push(filters.role);
		}
		const after = instant('created_after', filters.created_after);
		if (after !== undefined) {
			conditions.push('a.created_at >= ?');
			params.push(after);
		}
		const before = instant('created_before', filters.created_before);
		if (before !== undefined) {
			conditions.push('a.created_at < ?');
			params.push(before);
		}
		if (filters.blocked !== undefined) {
			const spellings = BOOLEAN_SPELLINGS[filters.blocked ? 'true' : 'false'];
			const known = `lower(a.blocked) IN (${spellings.map((word) => `'${word}'`).join(', ')})`;
			conditions.push(filters.blocked ? known : `(a.blocked IS NULL OR ${known})`);
		}
		return this.#db.snapshot(async (tx) => {
			const rows = await tx.all<AccountRow>(
				`${ACCOUNT_SELECT} WHERE ${conditions.join(' AND ')} ORDER BY a.id LIMIT ?`,
				[...params, limit + 1]
			);
			const page = rows.slice(0, limit);
			const last = page[page.length - 1];
			return {
				users: page.map(exportedUser),
				next:
					rows.length > limit
						? formatCursor({ afterId: last.id, issuedAt: now, filters: filtersDigest(filters) })
						: null
			};
		});
	}

	/** Everything held about the account connected to `userId`. */
	export(userId: string): Promise<UserPackage> {
		return this.#db.snapshot(async (tx) => {
			const account = await tx.get<AccountRow>(`${ACCOUNT_SELECT} WHERE c.user_id = ?`, [userId]);
			if (!account) {
				throw new ApiError(404, 'user_not_found', 'No account is connected to this user_id.');
			}
			return {
				protocol: PROTOCOL_VERSION,
				exportedAt: iso(this.#now()),
				user: exportedUser(account),
				account: { createdBySource: (account.created_by_source as string | null) ?? null },
				connections: await this.#connections(tx, account.id),
				imports: await this.#imports(tx, account),
				audit: await auditOf(tx, userId)
			};
		});
	}

	async #connections(tx: SqlQueries, accountId: number): Promise<UserPackage['connections']> {
		const rows = await tx.all<{
			user_id: string;
			source_id: string;
			kind: 'created' | 'linked';
			row: number;
			created_at: number;
		}>('SELECT user_id, source_id, kind, row, created_at FROM connections WHERE account_id = ?', [
			accountId
		]);
		return rows.map((row) => ({
			userId: row.user_id,
			sourceId: row.source_id,
			kind: row.kind,
			row: row.row,
			at: iso(row.created_at)
		}));
	}

	/**
	 * The rows whose verdict names this account. Only those since the account was created: an id a
	 * deleted account had may be given again, and its rows are another person's.
	 */
	async #imports(tx: SqlQueries, account: AccountRow): Promise<UserImportRow[]> {
		const rows = await tx.all<{
			source_id: string;
			name: string;
			file_name: string;
			row: number;
			status: UserImportRow['status'];
			reason: string | null;
			created_at: number;
		}>(
			`SELECT r.source_id, s.name, s.file_name, r.row, r.status, r.reason, k.created_at
				 FROM row_results r
				 JOIN sources s ON s.id = r.source_id
				 JOIN chunks k ON k.source_id = r.source_id AND k.seq = r.seq
				 WHERE r.account_id = ? AND k.created_at >= ?
				 ORDER BY k.created_at, r.source_id, r.row`,
			[account.id, account.created_at]
		);
		return rows.map((row) => ({
			sourceId: row.source_id,
			sourceName: row.name,
			fileName: row.file_name,
			row: row.row,
			status: row.status,
			reason: row.reason,
			at: iso(row.created_at)
		}));
	}
}

const userPageQuery = {
	type: 'object',
	additionalProperties: false,
	properties: {
		organization: { type: 'string', minLength: 1, maxLength: 1024 },
		role: { type: 'string', minLength: 1, maxLength: 1024 },
		created_after: { type: 'string', maxLength: 64 },
		created_before: { type: 'string', maxLength: 64 },
		blocked: { type: 'boolean' },
		limit: {
			type: 'integer',
			minimum: 1,
			maximum: USER_PAGE_SIZE.max,
			default: USER_PAGE_SIZE.default
		},
		cursor: { type: 'string', minLength: 1, maxLength: 200 }
	}
} as const;

const userParams = {
	type: 'object',
	required: ['user_id'],
	properties: { user_id: { type: 'string', minLength: 1, maxLength: USER_ID_MAX_LENGTH } }
} as const;

/** The two routes; `directory` is read per request, as the database opens when the app is ready. */
export function registerUserRoutes(
	app: FastifyInstance,
	base: string,
	directory: () => UserDirectory
): void {
	app.get<{ Querystring: UserFilters & { limit: number; cursor?: string } }>(
		`${base}/users`,
		{ schema: { querystring: userPageQuery } },
		async (request): Promise<UserPage> => {
			const { limit, cursor, ...filters } = request.query;
			return directory().list(filters, limit, cursor ?? null);
		}
	);

	app.get<{ Params: { user_id: string } }>(
		`${base}/users/:user_id/export`,
		{ schema: { params: userParams } },
		async (request): Promise<UserPackage> => directory().export(request.params.user_id)
	);
}
