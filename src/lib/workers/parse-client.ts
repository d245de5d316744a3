import * as Comlink from 'comlink';
import type { ScanProgress } from '../core/engine/types';
import type { FerryErrorCode, FerryErrorDetails } from '../core/errors';
import type { Mapping, ValidationOptions } from '../core/types';
import type { ValidRow, ValidRowsPage } from '../pipeline/session';
import type { ParseWorkerApi } from './parse.worker';

/** A core error as it arrives from the worker. */
export class WorkerError extends Error {
	constructor(
		readonly code: FerryErrorCode | 'internal',
		message: string,
		readonly details: FerryErrorDetails = {}
	) {
		super(message);
	}
}

function unwrap(error: unknown): never {
	const message = error instanceof Error ? error.message : String(error);
	try {
		const parsed = JSON.parse(message) as {
			code: FerryErrorCode;
			message: string;
			details: FerryErrorDetails;
		};
		throw new WorkerError(parsed.code, parsed.message, parsed.details);
	} catch (parseError) {
		if (parseError instanceof WorkerError) throw parseError;
		throw new WorkerError('internal', `Unexpected error: ${message}`);
	}
}

/** Owns the parse worker: created once, on first use or when warmed up ahead of a drop. */
class ParseClient {
	#worker: Worker | null = null;
	#api: Comlink.Remote<ParseWorkerApi> | null = null;

	#remote(): Comlink.Remote<ParseWorkerApi> {
		if (!this.#api) {
			this.#worker = new Worker(new URL('./parse.worker.ts', import.meta.url), { type: 'module' });
			this.#api = Comlink.wrap<ParseWorkerApi>(this.#worker);
		}
		return this.#api;
	}

	/** Starts the worker so the first drop does not pay for its start-up. */
	warm(): void {
		this.#remote();
	}

	/** The engine this browser runs and its range workers (starts the worker if need be). */
	about() {
		return this.#remote().about();
	}

	/** How many range workers a scan uses (default: one per core); answers the setting in force. */
	configure(options: { workers?: number }) {
		return this.#remote().configure(options);
	}

	open(file: File, encoding?: string) {
		return this.#remote().open(file, encoding).catch(unwrap);
	}

	async scan(
		mapping: Mapping,
		options: ValidationOptions,
		signal: AbortSignal,
		onProgress: (progress: ScanProgress) => void
	) {
		const remote = this.#remote();
		const cancel = () => void remote.cancel();
		signal.addEventListener('abort', cancel, { once: true });
		try {
			return await remote.scan(mapping, options, Comlink.proxy(onProgress)).catch(unwrap);
		} finally {
			signal.removeEventListener('abort', cancel);
		}
	}

	rows(start: number, count: number) {
		return this.#remote().rows(start, count).catch(unwrap);
	}

	filteredRows(mask: number, offset: number, count: number) {
		return this.#remote().filteredRows(mask, offset, count).catch(unwrap);
	}

	packed() {
		return this.#remote().packed().catch(unwrap);
	}

	explain(row: number) {
		return this.#remote().explain(row).catch(unwrap);
	}

	/**
	 * Every row without errors of the latest scan, normalised, read from the worker a page at a
	 * time: the chunk builder's input. Only one page is ever held on this side.
	 */
	async *validRows(pageSize = 2000): AsyncGenerator<ValidRow> {
		let cursor: number | null = 0;
		while (cursor !== null) {
			const page: ValidRowsPage = await this.#remote().validRows(cursor, pageSize).catch(unwrap);
			yield* page.rows;
			cursor = page.next;
		}
	}
}

export const parseClient = new ParseClient();
