import { liveQuery, type Subscription } from 'dexie';
// Not the core/report index: that would bring libsodium into the import page (it loads in the worker).
import type { ReportCost } from '../core/report/cipher';
import { downloadFile } from '../components/download';
import { ReportRowsChangedError } from '../core/report/error';
import { maskSecretFields, refusedRow, secretColumns, type FailureRow } from '../core/report/rows';
import { rejectedRows } from '../storage/outbox-store';
import { loadReport, reportInfo, saveReport, type ReportInfo } from '../storage/sources';
import { parseClient } from '../workers/parse-client';
import { writeReportInWorker } from '../workers/report-client';
import { importer, sourceKey } from './importer.svelte';

export type ReportPhase = 'idle' | 'collecting' | 'encrypting' | 'saving' | 'done' | 'failed';

export interface WriteReportInput {
	/** Asked for each time a report is written, never kept. Optional when there are recipients. */
	password?: string;
	/** Admins' X25519 public keys (decoded). */
	recipients?: Uint8Array[];
	cost?: ReportCost;
	/**
	 * Rows the destination refused (from the uploader's results), reported beside the rows
	 * validation kept back. Their `values` are keyed by the source's column names.
	 */
	extraRows?: FailureRow[];
}

/** A report written in this tab: its encrypted bytes stay in memory for the download. */
interface WrittenReport {
	sourceId: string | null;
	/** The dropped file it was written from (tells unsaved imports apart). */
	file: File | null;
	name: string;
	rows: number;
	bytes: Blob;
	/** Stored on the device as well (then the stored copy is the same or newer). */
	stored: boolean;
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** "legacy.csv" → "legacy.csv.ferry-report", without characters file systems refuse. */
export function reportFileName(sourceName: string): string {
	// eslint-disable-next-line no-control-regex
	const safe = sourceName.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_').trim();
	return `${safe || 'failure-report'}.ferry-report`;
}

/** An encrypted report as it is downloaded. */
export interface ReportFile {
	name: string;
	bytes: Blob;
}

/** The encrypted report stored for a source, named after it; null when none is stored. */
export async function storedReportFile(
	sourceId: string,
	sourceName: string
): Promise<ReportFile | null> {
	const bytes = await loadReport(sourceId);
	return bytes ? { name: reportFileName(sourceName), bytes } : null;
}

/** Saves the encrypted report as a download (the import page and the import log both do). */
export function downloadReportFile(report: ReportFile): void {
	downloadFile([report.bytes], report.name, 'application/octet-stream');
}

/**
 * The failure report of the source open on the import page. Writing it runs in a report worker
 * that is then discarded: it pages every row that did not import out of the parse worker, builds
 * the CSV and encrypts it (Argon2id included); this side stores only the ciphertext.
 */
class FailureReport {
	phase = $state<ReportPhase>('idle');
	/** Rows collected so far, while collecting. */
	progress = $state.raw<{ collected: number; total: number } | null>(null);
	error = $state<string | null>(null);
	/** Why the written report is not stored on the device (it can still be downloaded). */
	storageNotice = $state<string | null>(null);
	/** The report stored for the followed source (live: another tab writing it shows here too). */
	stored = $state.raw<ReportInfo | null>(null);
	/** The report written in this tab for the followed source. */
	written = $state.raw<WrittenReport | null>(null);

	/** The stored report was written from another mapping or other read options than the current ones. */
	stale: boolean = $derived(
		this.stored !== null &&
			this.stored.basis !== null &&
			importer.phase === 'done' &&
			this.stored.basis !== this.#basis()
	);

	busy: boolean = $derived(
		this.phase === 'collecting' || this.phase === 'encrypting' || this.phase === 'saving'
	);

	#sourceId: string | null = null;
	#file: File | null = null;
	#subscription: Subscription | null = null;
	#controller: AbortController | null = null;

	/**
	 * Follows the report of the import open on the page: a saved source (by id), or a file that
	 * could not be saved (sourceId null). Switching to another one forgets what was written for the
	 * previous one. Returns the function that stops.
	 */
	follow(sourceId: string | null, file: File | null): () => void {
		const same = sourceId !== null ? sourceId === this.#sourceId : file === this.#file;
		if (!same) {
			this.cancel();
			this.phase = 'idle';
			this.error = null;
			this.storageNotice = null;
			this.progress = null;
			this.stored = null;
			const written = this.written;
			// The same dropped file (saved meanwhile, after a full disk) keeps its report.
			const keep =
				written !== null &&
				(written.file === file || (sourceId !== null && written.sourceId === sourceId));
			if (!keep) this.written = null;
		}
		this.#sourceId = sourceId;
		this.#file = file;
		this.#subscription?.unsubscribe();
		this.#subscription = null;
		if (sourceId) {
			this.#subscription = liveQuery(() => reportInfo(sourceId)).subscribe({
				next: (info) => {
					if (this.#sourceId === sourceId) this.stored = info;
				},
				error: () => {
					if (this.#sourceId === sourceId) this.stored = null;
				}
			});
		}
		const subscription = this.#subscription;
		return () => {
			subscription?.unsubscribe();
			if (this.#subscription === subscription) this.#subscription = null;
		};
	}

	/** Writes the report of the rows that did not import; resolves once stored (or not storable). */
	async write(input: WriteReportInput): Promise<void> {
		const preview = importer.preview;
		if (this.busy || !preview || importer.phase !== 'done') return;
		const sourceId = importer.sourceId;
		const file = importer.file;
		const name = this.stored?.sourceName ?? importer.file?.name ?? preview.fileName;
		const generation = importer.generation;
		const basis = this.#basis();
		const controller = new AbortController();
		this.#controller = controller;
		this.error = null;
		this.storageNotice = null;
		this.phase = 'collecting';
		this.progress = { collected: 0, total: importer.summary?.invalid ?? 0 };
		try {
			const isCurrent = () => importer.generation === generation && importer.phase === 'done';
			const secret = secretColumns($state.snapshot(importer.mapping));
			const sealed = await writeReportInWorker({
				columns: $state.snapshot(preview.layout.columns),
				pager: async (offset, count) => {
					const page = await parseClient.reportRows(offset, count);
					if (!isCurrent()) throw new ReportRowsChangedError();
					const rows = page.rows.map((row) => ({
						...row,
						fields: maskSecretFields(row.fields, secret)
					}));
					return { ...page, rows };
				},
				onProgress: (collected, total) => {
					if (!controller.signal.aborted) this.progress = { collected, total };
				},
				refused: async (columns) =>
					sourceId ? refusedByDestination(sourceId, columns, secret) : [],
				onSealing: () => (this.phase = 'encrypting'),
				extraRows: input.extraRows ?? [],
				password: input.password || undefined,
				recipients: input.recipients ?? [],
				cost: input.cost ?? 'interactive',
				signal: controller.signal
			});
			controller.signal.throwIfAborted();
			const rows = sealed.rows;
			const bytes = new Blob([sealed.bytes], { type: 'application/octet-stream' });
			this.phase = 'saving';
			let stored = false;
			if (sourceId) {
				try {
					await saveReport(sourceId, bytes, { rows, basis });
					stored = true;
				} catch (error) {
					this.storageNotice = messageOf(error);
				}
			} else {
				this.storageNotice =
					'This import is not saved on this device, so neither is its report. Download it now.';
			}
			this.written = { sourceId, file, name, rows, bytes, stored };
			this.phase = 'done';
		} catch (error) {
			if (controller.signal.aborted) {
				this.phase = 'idle';
			} else {
				this.phase = 'failed';
				this.error = messageOf(error);
			}
		} finally {
			this.progress = null;
			if (this.#controller === controller) this.#controller = null;
		}
	}

	/** Stops a write in progress (the report worker is terminated). */
	cancel(): void {
		this.#controller?.abort();
	}

	/**
	 * The encrypted report to download: the one written in this tab, else the one stored for the
	 * source (written earlier, or in another tab). Null when there is none.
	 */
	async download(): Promise<ReportFile | null> {
		const sourceId = this.#sourceId;
		const written = this.written;
		const stored = this.stored;
		// A report this tab could not store is newer than any stored one; otherwise the stored
		// copy is the latest (another tab may have written it again since).
		if (stored && sourceId && !(written && !written.stored)) {
			const report = await storedReportFile(sourceId, stored.sourceName);
			if (report) return report;
		}
		return written ? { name: reportFileName(written.name), bytes: written.bytes } : null;
	}

	#basis(): string {
		return sourceKey($state.snapshot(importer.mapping), {
			encoding: importer.encoding || null,
			dateOrder: importer.dateOrder,
			defaultRegion: importer.region
		});
	}
}

export const failureReport = new FailureReport();

/**
 * The rows the destination answered with anything but imported/updated, each with its status,
 * reason and original values (re-read from the working copy by the parse worker).
 */
async function refusedByDestination(
	sourceId: string,
	columns: string[],
	secret: ReadonlySet<number>
): Promise<FailureRow[]> {
	const refused: FailureRow[] = [];
	for (const result of await rejectedRows(sourceId)) {
		const [row] = await parseClient.rows(result.row - 1, 1);
		if (row)
			refused.push(
				refusedRow(
					result.row,
					row.line,
					columns,
					maskSecretFields(row.fields, secret),
					result.status,
					result.reason
				)
			);
	}
	return refused;
}
