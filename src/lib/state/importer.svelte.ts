import type { ScanProgress } from '../core/engine/types';
import { dateOrderOfLocale, regionOfLocale } from '../core/locale';
import { applyUserChoice, blockingFields, headerSignature } from '../core/mapping/automap';
import { REFERENCE_SCHEMA } from '../core/schema/destination';
import type { ColumnProposal, DateOrder, FieldName, Mapping } from '../core/types';
import type { Preview, ScanSummary } from '../pipeline/session';
import { getDatabase } from '../storage/db';
import {
	createSource,
	findProfile,
	loadSource,
	saveProfile,
	saveVerdicts,
	updateSource
} from '../storage/sources';
import { parseClient, WorkerError } from '../workers/parse-client';

export type Phase = 'idle' | 'reading' | 'scanning' | 'done' | 'failed';

/** Applies a remembered or stored mapping over the proposals, as the admin's own choices. */
function withMapping(proposals: ColumnProposal[], mapping: Mapping): ColumnProposal[] {
	if (mapping.length !== proposals.length) return proposals;
	return mapping.reduce(
		(current, field, column) =>
			current[column].field === field ? current : applyUserChoice(current, column, field),
		proposals
	);
}

/**
 * The import page's state: one dropped file, its mapping and its verdicts, saved on the device as a
 * source so a reload or a closed tab comes back to the same place.
 */
class Importer {
	file = $state<File | null>(null);
	preview = $state<Preview | null>(null);
	proposals = $state<ColumnProposal[]>([]);
	summary = $state<ScanSummary | null>(null);
	progress = $state<ScanProgress | null>(null);
	phase = $state<Phase>('idle');
	error = $state<string | null>(null);
	/** Why the source could not be saved on the device (the import still works). */
	storageNotice = $state<string | null>(null);
	/** The saved source this file belongs to. */
	sourceId = $state<string | null>(null);
	/** The latest mapping and verdicts are written on the device. */
	saved = $state(false);
	/** '' means detected. */
	encoding = $state('');
	dateOrder = $state<DateOrder>('dmy');
	region = $state('US');
	/** Milliseconds from the drop to the preview on screen data (measured, shown in the UI). */
	previewMs = $state<number | null>(null);
	scanMs = $state<number | null>(null);
	/** Bumped after each finished scan so row views refetch. */
	generation = $state(0);
	/**
	 * The source is being uploaded or was imported (set by the upload state): its mapping, encoding
	 * and date order cannot change, since the rows sent were read with them.
	 */
	locked = $state(false);

	mapping: Mapping = $derived(this.proposals.map((proposal) => proposal.field));
	blocking: FieldName[] = $derived(blockingFields(this.mapping, REFERENCE_SCHEMA));

	#scan: AbortController | null = null;
	/** The admin changed the mapping: remember it for files with the same header. */
	#mappingChosen = false;

	constructor() {
		if (typeof navigator !== 'undefined') {
			this.dateOrder = dateOrderOfLocale(navigator.language);
			this.region = regionOfLocale(navigator.language);
		}
	}

	async drop(file: File): Promise<void> {
		this.file = file;
		this.locked = false;
		this.encoding = '';
		this.sourceId = null;
		this.#mappingChosen = false;
		if (await this.#open()) {
			await this.#save(() => this.#create(file));
			await this.validate();
		}
	}

	/** Returns to a saved source: its file from the device, its mapping and options, re-validated. */
	async resume(id: string): Promise<void> {
		if (this.sourceId === id) return;
		this.#scan?.abort();
		const loaded = await loadSource(id).catch(() => null);
		if (!loaded) {
			this.reset();
			this.error = 'That import is no longer on this device.';
			this.phase = 'failed';
			return;
		}
		const { source, file } = loaded;
		this.file = new File([file.original], file.name, {
			type: file.type,
			lastModified: file.lastModified
		});
		this.sourceId = id;
		this.encoding = source.readOptions.encoding ?? '';
		this.dateOrder = source.readOptions.dateOrder;
		this.region = source.readOptions.defaultRegion;
		this.#mappingChosen = false;
		if (await this.#open(source.mapping)) await this.validate();
	}

	async setEncoding(encoding: string): Promise<void> {
		if (this.locked) return;
		this.encoding = encoding;
		if (await this.#open()) await this.validate();
	}

	setField(column: number, field: FieldName | null): void {
		if (this.locked) return;
		this.proposals = applyUserChoice(this.proposals, column, field);
		this.#mappingChosen = true;
		void this.validate();
	}

	setDateOrder(order: DateOrder): void {
		if (this.locked) return;
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
		this.sourceId = null;
	}

	/** Reads the preview; a stored mapping (resume) or a remembered profile overrides the proposals. */
	async #open(mapping?: Mapping): Promise<boolean> {
		const file = this.file;
		if (!file) return false;
		this.#scan?.abort();
		const started = performance.now();
		this.phase = 'reading';
		this.error = null;
		this.preview = null;
		this.summary = null;
		this.progress = null;
		try {
			const preview = await parseClient.open(file, this.encoding || undefined);
			if (this.file !== file) return false;
			this.preview = preview;
			this.proposals = preview.proposals;
			this.previewMs = Math.round(performance.now() - started);
			const remembered =
				mapping ?? (await findProfile(headerSignature(preview.layout.keys)).catch(() => null));
			if (remembered) this.proposals = withMapping(preview.proposals, remembered);
			return true;
		} catch (error) {
			this.#fail(error);
			return false;
		}
	}

	/** Re-reads and re-validates the whole file in the worker; a newer call cancels an older one. */
	async validate(): Promise<void> {
		if (!this.preview) return;
		this.#scan?.abort();
		const controller = new AbortController();
		this.#scan = controller;
		const started = performance.now();
		const mapping = $state.snapshot(this.mapping);
		this.saved = false;
		this.phase = 'scanning';
		this.progress = { bytes: 0, total: this.preview.size, rows: 0 };
		try {
			const summary = await parseClient.scan(
				mapping,
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
			await this.#save(() => this.#record(summary, mapping));
			this.saved = this.storageNotice === null && !controller.signal.aborted;
		} catch (error) {
			if (controller.signal.aborted) return;
			this.#fail(error);
		}
	}

	async #create(file: File): Promise<void> {
		if (!this.preview) return;
		const source = await createSource({
			fileName: file.name,
			file,
			preview: $state.snapshot(this.preview) as Preview,
			mapping: $state.snapshot(this.mapping),
			readOptions: this.#readOptions()
		});
		if (this.file !== file) return;
		this.sourceId = source.id;
	}

	/** The scan's verdicts, mapping and options, written beside the source. */
	async #record(summary: ScanSummary, mapping: Mapping): Promise<void> {
		const id = this.sourceId;
		if (!id || !this.preview) return;
		const packed = await parseClient.packed();
		await saveVerdicts(id, { packed, summary: $state.snapshot(summary) as ScanSummary, mapping });
		// A source at its upload or results step stays there: re-validating it on reopening is no
		// step back.
		const stored = await getDatabase().sources.get(id);
		const step = stored?.step === 'upload' || stored?.step === 'results' ? stored.step : 'review';
		await updateSource(id, { mapping, readOptions: this.#readOptions(), step });
		if (this.#mappingChosen) await saveProfile(headerSignature(this.preview.layout.keys), mapping);
	}

	#readOptions() {
		return {
			encoding: this.encoding || null,
			dateOrder: this.dateOrder,
			defaultRegion: this.region
		};
	}

	/** Storage is a convenience, never a gate: a full disk is reported and the import goes on. */
	async #save(write: () => Promise<void>): Promise<void> {
		try {
			await write();
			this.storageNotice = null;
		} catch (error) {
			this.storageNotice = error instanceof Error ? error.message : String(error);
		}
	}

	#fail(error: unknown): void {
		this.phase = 'failed';
		this.error =
			error instanceof WorkerError || error instanceof Error ? error.message : String(error);
	}
}

export const importer = new Importer();
