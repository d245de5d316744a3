import * as Comlink from 'comlink';

/** What an error carries across a worker boundary: its kind, its stable code and its details. */
export interface WireError {
	/** The class's name (FerryError, ReportError, …): the is…Error guards read it. */
	name: string;
	/** The stable code the UI branches on; 'internal' for an error without one (a bug). */
	code: string;
	message: string;
	details: Record<string, unknown>;
}

/**
 * An error thrown in a worker, as the caller receives it: the same name, code, message and
 * details, so `isFerryError`, `isReportError` and `error.code` work on this side unchanged.
 */
export class WorkerError extends Error {
	readonly code: string;
	readonly details: Record<string, unknown>;

	constructor(wire: WireError) {
		super(wire.message);
		this.name = wire.name;
		this.code = wire.code;
		this.details = wire.details;
	}
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

/** Any thrown value as plain data that survives structured clone. */
export function toWireError(error: unknown): WireError {
	if (error instanceof DOMException && error.name === 'AbortError')
		return { name: 'FerryError', code: 'aborted', message: error.message, details: {} };
	if (error instanceof Error) {
		const { code, details } = error as { code?: unknown; details?: unknown };
		return {
			name: error.name,
			code: typeof code === 'string' ? code : 'internal',
			message: error.message,
			details: isRecord(details) ? { ...details } : {}
		};
	}
	return { name: 'Error', code: 'internal', message: String(error), details: {} };
}

type Thrown = { value: unknown };

/**
 * Replaces Comlink's own 'throw' handler (which keeps only name, message and stack) with one that
 * keeps the code and details too. Both sides need it: every
 * worker and every client that wraps one imports this module.
 */
function registerErrorTransfer(): void {
	const builtIn = Comlink.transferHandlers.get('throw');
	if (!builtIn || (builtIn as { ferry?: true }).ferry) return;
	const handler: Comlink.TransferHandler<Thrown, WireError> & { ferry: true } = {
		ferry: true,
		canHandle: (value): value is Thrown => builtIn.canHandle(value),
		serialize: (thrown) => [toWireError(thrown.value), []],
		deserialize: (wire) => {
			throw new WorkerError(wire);
		}
	};
	Comlink.transferHandlers.set('throw', handler);
}

registerErrorTransfer();
