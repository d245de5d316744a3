import type { ScanProgress } from '../core/engine/types';
import { dateOrderOfLocale, regionOfLocale } from '../core/locale';
import { applyUserChoice, blockingFields } from '../core/mapping/automap';
import { REFERENCE_SCHEMA } from '../core/schema/destination';
import type { ColumnProposal, DateOrder, FieldName, Mapping } from '../core/types';
import type { Preview, ScanSummary } from '../pipeline/session';
import { parseClient, WorkerError } from '../workers/parse-client';

export type Phase = 'idle' | 'reading' | 'scanning' | 'done' | 'failed';

/** The import page's state: one dropped file, its mapping and its verdicts. */
class Importer {
	file = $state<File | null>(null);
	preview = $state<Preview | null>(null);
	proposals = $state<ColumnProposal[]>([]);
	summary = $state<ScanSummary | null>(null);
	progress = $state<ScanProgress | null>(null);
	phase = $state<Phase>('idle');
	error = $state<string | null>(null);
	/** '' means detected. */
	encoding = $state('');
	dateOrder = $state<DateOrder>('dmy');
	region = $state('US');
	/** Milliseconds from the drop to the preview on screen data (measured, shown in the UI). */
	previewMs = $state<number | null>(null);
	scanMs = $state<number | null>(null);
	/** Bumped after each finished scan so row views refetch. */
	generation = $state(0);

	mapping: Mapping = $derived(this.proposals.map((proposal) => proposal.field));
	blocking: FieldName[] = $derived(blockingFields(this.mapping, REFERENCE_SCHEMA));

	#scan: AbortController | null = null;

	constructor() {
		if (typeof navigator !== 'undefined') {
			this.dateOrder = dateOrderOfLocale(navigator.language);
			this.region = regionOfLocale(navigator.language);
		}
	}

	async drop(file: File): Promise<void> {
		this.file = file;
		this.encoding = '';
		await this.#open();
	}

	async setEncoding(encoding: string): Promise<void> {
		this.encoding = encoding;
		await this.#open();
	}

	setField(column: number, field: FieldName | null): void {
		this.proposals = applyUserChoice(this.proposals, column, field);
		void this.validate();
	}

	setDateOrder(order: DateOrder): void {
		this.dateOrder = order;
		void this.validate();
	}

	reset(): void {
		this.#scan?.abort();
		this.file = null;
		this.preview = null;
		this.proposals = [];
		this.summary = null;
		this.progress = null;
		this.phase = 'idle';
		this.error = null;
	}

	async #open(): Promise<void> {
		const file = this.file;
		if (!file) return;
		this.#scan?.abort();
		const started = performance.now();
		this.phase = 'reading';
		this.error = null;
		this.preview = null;
		this.summary = null;
		this.progress = null;
		try {
			const preview = await parseClient.open(file, this.encoding || undefined);
			if (this.file !== file) return;
			this.preview = preview;
			this.proposals = preview.proposals;
			this.previewMs = Math.round(performance.now() - started);
		} catch (error) {
			this.#fail(error);
			return;
		}
		await this.validate();
	}

	/** Re-reads and re-validates the whole file in the worker; a newer call cancels an older one. */
	async validate(): Promise<void> {
		if (!this.preview) return;
		this.#scan?.abort();
		const controller = new AbortController();
		this.#scan = controller;
		const started = performance.now();
		this.phase = 'scanning';
		this.progress = { bytes: 0, total: this.preview.size, rows: 0 };
		try {
			const summary = await parseClient.scan(
				$state.snapshot(this.mapping),
				{ dateOrder: this.dateOrder, defaultRegion: this.region, now: Date.now() },
				controller.signal,
				(progress) => {
					if (!controller.signal.aborted) this.progress = progress;
				}
			);
			if (controller.signal.aborted) return;
			if (summary.preview) {
				// The worker re-read the file in another encoding.
				if (summary.preview.layout.columns.length !== this.proposals.length)
					this.proposals = summary.preview.proposals;
				this.preview = summary.preview;
			}
			this.summary = summary;
			this.scanMs = Math.round(performance.now() - started);
			this.phase = 'done';
			this.generation++;
		} catch (error) {
			if (controller.signal.aborted) return;
			this.#fail(error);
		}
	}

	#fail(error: unknown): void {
		this.phase = 'failed';
		this.error =
			error instanceof WorkerError || error instanceof Error ? error.message : String(error);
	}
}

export const importer = new Importer();
