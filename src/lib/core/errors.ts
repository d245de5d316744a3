/** Every failure the core reports on purpose. Anything else escaping the core is a bug. */
export type FerryErrorCode =
	| 'empty_file'
	| 'binary_file'
	| 'zip_unsupported'
	| 'unsupported_format'
	| 'unterminated_quote'
	| 'record_too_long'
	| 'invalid_json'
	| 'invalid_utf8'
	| 'unknown_encoding'
	| 'decompression_limit'
	| 'too_many_rows'
	/** Replace in column: the admin's pattern is not a valid regular expression. */
	| 'invalid_pattern'
	| 'aborted';

export interface FerryErrorDetails {
	/** 1-based physical line where the problem starts. */
	line?: number;
	/** 1-based column (characters) on that line. */
	column?: number;
	/** Byte offset in the UTF-8 working copy. */
	offset?: number;
}

export class FerryError extends Error {
	override readonly name = 'FerryError';
	constructor(
		readonly code: FerryErrorCode,
		message: string,
		readonly details: FerryErrorDetails = {}
	) {
		super(message);
	}
}

export function isFerryError(error: unknown): error is FerryError {
	return error instanceof Error && error.name === 'FerryError' && 'code' in error;
}

/** Throws the project's own abort error when the signal has fired. */
export function throwIfAborted(signal: AbortSignalLike | undefined): void {
	if (signal?.aborted) throw new FerryError('aborted', 'The operation was cancelled.');
}

/** The part of AbortSignal the core needs (the core is compiled without DOM types). */
export interface AbortSignalLike {
	readonly aborted: boolean;
}
