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

/** better-sqlite3 reports lock contention with these codes; the client should retry later. */
export function isDatabaseBusy(error: unknown): boolean {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}
