/**
 * How a failed import-API call is classified: worth retrying with the same body and key, or not.
 * Cancellation is neither: it is the core's FerryError('aborted').
 */

export type RetryableKind = 'network' | 'timeout' | 'http';

/** Network failure, timeout, 408, 429 or 5xx: the same request may succeed later. */
export class RetryableError extends Error {
	override readonly name = 'RetryableError';
	constructor(
		readonly kind: RetryableKind,
		message: string,
		readonly details: {
			status?: number;
			code?: string;
			/** From Retry-After: wait at least this long before the next attempt. */
			retryAfterMs?: number;
			cause?: unknown;
		} = {}
	) {
		super(message, { cause: details.cause });
	}

	get status(): number | undefined {
		return this.details.status;
	}

	get retryAfterMs(): number | undefined {
		return this.details.retryAfterMs;
	}
}

/**
 * A request the server refused for good (4xx other than 408 and 429, including the 409 conflicts:
 * chunk_conflict, idempotency_key_reused, idempotency_record_expired, source_not_open) or an answer
 * that breaks the protocol. Sending it again would not help.
 */
export class FatalError extends Error {
	override readonly name = 'FatalError';
	constructor(
		/** The API's stable error code, or 'invalid_response' for an answer that breaks the protocol. */
		readonly code: string,
		message: string,
		/** HTTP status; 0 when the answer itself was unusable. */
		readonly status: number
	) {
		super(message);
	}
}

/** The file was opened or scanned again while its rows were read for upload: build again. */
export class RowsChangedError extends Error {
	override readonly name = 'RowsChangedError';
	readonly code = 'rows_changed';
	constructor() {
		super('The file changed while its rows were prepared for upload.');
	}
}
