import * as Comlink from 'comlink';
import type { RecipientKeys } from '../core/report/recipients';
import type { RowPager } from '../core/report/collect';
import type { FailureRow } from '../core/report/rows';
import { withDisposableWorker, type DisposableEndpoint } from './disposable';
import type { ReportWorkerApi, SealInput } from './report.worker';

function spawnReportWorker(): DisposableEndpoint {
	return new Worker(new URL('./report.worker.ts', import.meta.url), {
		type: 'module',
		name: 'ferry-report'
	});
}

function withReportWorker<T>(
	signal: AbortSignal | undefined,
	work: (remote: Comlink.Remote<ReportWorkerApi>) => Promise<T>
): Promise<T> {
	return withDisposableWorker(
		spawnReportWorker,
		signal,
		'The report worker failed; reload the page and try again.',
		work
	);
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
