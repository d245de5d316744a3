/** Why an encrypted report was not opened. */
export type ReportErrorCode =
	| 'wrong_key'
	| 'tampered'
	| 'truncated'
	| 'unknown_version'
	| 'not_a_report'
	| 'cost_too_high'
	| 'no_matching_recipient';

/**
 * A refusal to open an encrypted report. Separate from FerryError, whose codes describe reading
 * source files.
 */
export class ReportError extends Error {
	override readonly name = 'ReportError';
	constructor(
		readonly code: ReportErrorCode,
		message: string
	) {
		super(message);
	}
}

export function isReportError(error: unknown): error is ReportError {
	return error instanceof Error && error.name === 'ReportError' && 'code' in error;
}

/** The rows being paged changed while they were read (the file was validated again). */
export class ReportRowsChangedError extends Error {
	override readonly name = 'ReportRowsChangedError';
	readonly code = 'rows_changed';

	constructor() {
		super(
			'The file was validated again while the report was being written: write the report again.'
		);
	}
}
