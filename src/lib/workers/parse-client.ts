import * as Comlink from 'comlink';
import type { ScanProgress } from '../core/engine/types';
import type { Mapping, ValidationOptions } from '../core/types';
import type { RowEdit } from '../core/edits/overlay';
import type { ReplaceSpec } from '../core/edits/replace';
import { REFERENCE_PROFILE } from '../core/profiles/catalogue';
import type { DestinationProfile } from '../core/profiles/types';
import type { ReplaceProgress, SendingOptions, Shown } from '../pipeline/session';
import type { ChunkLimits, ChunkToSend } from '../upload/chunks';
import type { ConvertOptions } from '../core/convert';
import type { ConvertProgress } from '../pipeline/convert-job';
import type { RowSelection } from '../upload/selection';
import './errors';
import type { ParseWorkerApi } from './parse.worker';

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

	/**
	 * Starts the worker so the first drop does not pay for its start-up: it loads the engine, then
	 * opens and scans a made-up export, so that the preview's and the scan's code is compiled (and
	 * its range workers started); resolves when it has. A file opened meanwhile cancels that scan.
	 */
	warm(): Promise<void> {
		return this.#remote().ready();
	}

	/** The engine this browser runs and its range workers (starts the worker if need be). */
	about() {
		return this.#remote().about();
	}

	/** How many range workers a scan uses (default: one per core); answers the setting in force. */
	configure(options: { workers?: number }) {
		return this.#remote().configure(options);
	}

	/** `profile`: the destination's (the mapping proposes only fields it takes); the bench leaves it out. */
	open(file: File, encoding?: string, profile: DestinationProfile = REFERENCE_PROFILE) {
		return this.#remote().open(file, encoding, profile);
	}

	async scan(
		mapping: Mapping,
		options: ValidationOptions,
		signal: AbortSignal,
		onProgress: (progress: ScanProgress) => void,
		profile: DestinationProfile = REFERENCE_PROFILE
	) {
		const remote = this.#remote();
		const cancel = () => void remote.cancel();
		signal.addEventListener('abort', cancel, { once: true });
		try {
			return await remote.scan(mapping, options, profile, Comlink.proxy(onProgress));
		} finally {
			signal.removeEventListener('abort', cancel);
		}
	}

	/** `shown`: rows for the screen, their long values cut (see ImportSession.rows). */
	rows(start: number, count: number, shown?: Shown) {
		return this.#remote().rows(start, count, shown);
	}

	filteredRows(mask: number, offset: number, count: number, shown?: Shown) {
		return this.#remote().filteredRows(mask, offset, count, shown);
	}

	/** Sets rows' edits as given (stored overlay, undo); the summary once the file is scanned. */
	setEdits(changes: { row: number; edit: RowEdit | null }[]) {
		return this.#remote().setEdits(changes);
	}

	editRow(row: number, values: Record<number, string>) {
		return this.#remote().editRow(row, values);
	}

	dropRows(rows: number[], dropped: boolean) {
		return this.#remote().dropRows(rows, dropped);
	}

	/** A replace in a column run in the worker: counted (apply false) or made as one step. */
	async replaceInColumn(
		spec: ReplaceSpec,
		apply: boolean,
		signal: AbortSignal,
		onProgress: (progress: ReplaceProgress) => void
	) {
		const remote = this.#remote();
		const cancel = () => void remote.cancel();
		signal.addEventListener('abort', cancel, { once: true });
		try {
			return await remote.replaceInColumn(spec, apply, Comlink.proxy(onProgress));
		} finally {
			signal.removeEventListener('abort', cancel);
		}
	}

	/** The failure report's rows, paged: invalid ones, then dropped ones, with the edits applied. */
	reportRows(offset: number, count: number) {
		return this.#remote().reportRows(offset, count);
	}

	/** SHA-256 (hex) of the open file, computed in the worker. */
	fileSha256() {
		return this.#remote().fileSha256();
	}

	/** The distinct items of a list column of the scanned file (the roles found), at most `cap`. */
	distinctValues(column: number, cap: number) {
		return this.#remote().distinctValues(column, cap);
	}

	/** Where each import of at most rowsPerPart valid rows begins (1-based row numbers). */
	partStarts(rowsPerPart: number) {
		return this.#remote().partStarts(rowsPerPart);
	}

	/**
	 * The upload's chunks of the latest scan's valid rows (those `selection` keeps), built (JSON, hash, gzip) in the worker
	 * and pulled one at a time: only one chunk's bytes are ever held on this side.
	 */
	async *chunks(
		limits: ChunkLimits,
		sending: SendingOptions,
		rowsPerPart: number | null,
		selection?: RowSelection
	): AsyncGenerator<ChunkToSend> {
		const remote = this.#remote();
		await remote.startChunks(limits, sending, rowsPerPart, selection);
		for (;;) {
			const chunk = await remote.nextChunk();
			if (!chunk) return;
			yield chunk;
		}
	}

	/** Runs `job` in the worker; `signal` cancels the conversion there. */
	async #converting<T>(
		signal: AbortSignal,
		job: (remote: Comlink.Remote<ParseWorkerApi>) => Promise<T>
	) {
		const remote = this.#remote();
		const cancel = () => void remote.convertCancel();
		signal.addEventListener('abort', cancel, { once: true });
		try {
			return await job(remote);
		} finally {
			signal.removeEventListener('abort', cancel);
		}
	}

	/** The pre-flight of converting the latest scan's valid rows (counted in the worker). */
	convertPreflight(
		targetName: string,
		options: ConvertOptions,
		sending: SendingOptions,
		signal: AbortSignal
	) {
		return this.#converting(signal, (remote) =>
			remote.convertPreflight(targetName, options, sending)
		);
	}

	/**
	 * Writes the conversion in the worker into the private file system's folder of export `job.id`;
	 * answers the file to download (one file, or the ZIP of several), read from disk when saved.
	 */
	convertWrite(
		job: {
			id: string;
			targetName: string;
			options: ConvertOptions;
			sending: SendingOptions;
			total: number;
			zipName: string;
		},
		signal: AbortSignal,
		onProgress: (progress: ConvertProgress) => void
	) {
		return this.#converting(signal, (remote) =>
			remote.convertWrite(job, Comlink.proxy(onProgress))
		);
	}
}

export const parseClient = new ParseClient();
