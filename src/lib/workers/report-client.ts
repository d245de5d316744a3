import * as Comlink from 'comlink';
import type { RecipientKeys } from '../core/report/recipients';
import type { RowPager } from '../core/report/collect';
import type { FailureRow } from '../core/report/rows';
import type { DisposableEndpoint } from './crypto-client';
import './errors';
import type { ReportWorkerApi, SealInput } from './report.worker';

function spawnReportWorker(): DisposableEndpoint {
	return new Worker(new URL('./report.worker.ts', import.meta.url), {
		type: 'module',
		name: 'ferry-report'
	});
}

/**
 * Runs `work` against a fresh report worker and terminates it when `work` settles, when the worker
 * fails to start, or when `signal` aborts (which rejects with the signal's reason).
 */
async function withReportWorker<T>(
	signal: AbortSignal | undefined,
	work: (remote: Comlink.Remote<ReportWorkerApi>) => Promise<T>
): Promise<T> {
	signal?.throwIfAborted();
	const worker = spawnReportWorker();
	let stop = () => {};
	// Settles only on abort or when the worker itself fails (e.g. its script did not load).
	const interrupted = new Promise<never>((_, reject) => {
		const onAbort = () => reject(signal?.reason);
		const onError = (event: Event) => {
			event.preventDefault();
			reject(new Error('The report worker failed; reload the page and try again.'));
		};
		signal?.addEventListener('abort', onAbort, { once: true });
		worker.addEventListener('error', onError as EventListener);
		stop = () => {
			signal?.removeEventListener('abort', onAbort);
			worker.removeEventListener('error', onError as EventListener);
		};
	});
	try {
		return await Promise.race([work(Comlink.wrap<ReportWorkerApi>(worker)), interrupted]);
	} finally {
		stop();
		worker.terminate();
	}
}

/** Admins' public keys pasted one per line, decoded in a worker (none is started for no text). */
export function readRecipientsInWorker(text: string): Promise<RecipientKeys> {
	if (!text.trim()) return Promise.resolve({ keys: [], problem: null });
	return withReportWorker(undefined, (remote) => remote.readRecipients(text));
}

export interface ReportJob extends Omit<SealInput, 'refused'> {
	/** The source's columns. */
	columns: string[];
	/** Pages the invalid rows (from the parse worker). */
	pager: RowPager;
	onProgress(collected: number, total: number): void;
	/** The rows the destination refused, keyed by the report's columns. */
	refused(columns: string[]): Promise<FailureRow[]>;
	/** Called once the rows are collected, before the CSV is written and encrypted. */
	onSealing(): void;
	signal: AbortSignal;
}

/** Collects, writes and encrypts a failure report in a worker discarded afterwards. */
export function writeReportInWorker(
	job: ReportJob
): Promise<{ bytes: Uint8Array<ArrayBuffer>; rows: number }> {
	const { columns, pager, onProgress, refused, onSealing, signal, ...seal } = job;
	return withReportWorker(signal, async (remote) => {
		const reportColumns = await remote.collect(
			columns,
			Comlink.proxy(pager),
			Comlink.proxy(onProgress)
		);
		const refusedRows = await refused(reportColumns);
		signal.throwIfAborted();
		onSealing();
		const sealed = await remote.seal({ ...seal, refused: refusedRows });
		return { bytes: sealed.bytes as Uint8Array<ArrayBuffer>, rows: sealed.rows };
	});
}
