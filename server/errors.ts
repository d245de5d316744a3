/** A refusal the API makes on purpose: an HTTP status, a stable code and a message for people. */
export class ApiError extends Error {
	override readonly name = 'ApiError';
	constructor(
		readonly statusCode: number,
		readonly code: string,
		message: string,
		readonly headers: Record<string, string> = {}
	) {
		super(message);
	}
}

export function isApiError(error: unknown): error is ApiError {
	return error instanceof ApiError;
}

/**
 * PostgreSQL's SQLSTATEs for a transaction that lost to a concurrent one, and was rolled back
 * whole: a lock not granted within lock_timeout, a deadlock, a serialization failure, or a unique or
 * foreign key a transaction of another source committed first (two sources creating the same
 * email at once). Sent again, the chunk is applied against what that transaction committed.
 */
const POSTGRES_CONTENTION = new Set(['55P03', '40P01', '40001', '23505', '23503']);

/** Lock contention or a lost race: nothing was applied, and the client should retry later. */
export function isDatabaseBusy(error: unknown): boolean {
	const code = (error as { code?: unknown } | null)?.code;
	if (typeof code !== 'string') return false;
	return /^SQLITE_(BUSY|LOCKED)/.test(code) || POSTGRES_CONTENTION.has(code);
}
