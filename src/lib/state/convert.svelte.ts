import { downloadFile, REVOKE_AFTER_MS } from '$lib/components/download';
import { TARGETS, targetByName, type Target, type TargetName } from '$lib/core/convert';
import { timeLeftMs } from '$lib/core/progress';
import type { FieldName } from '$lib/core/types';
import { exportFolder, removeExport } from '$lib/io/export-folders';
import { holdLock } from '$lib/io/private-files';
import {
	choiceProblem,
	convertMessage,
	convertOptions,
	zipName,
	type ConvertOutcome,
	type ConvertPreflight,
	type ConvertProgress
} from '$lib/pipeline/convert-job';
import type { SourceRecord } from '$lib/storage/schema';
import { parseClient } from '$lib/workers/parse-client';
import { importer } from './importer.svelte';
import { notifier } from './notify.svelte';
import { sources } from './sources.svelte';

export type ConvertPhase =
	'idle' | 'opening' | 'checking' | 'checked' | 'writing' | 'written' | 'failed';

/** A source the page can convert: validated, its file still on this device. */
export interface ConvertibleSource {
	/** The saved source's id; null for a current import that could not be saved. */
	id: string | null;
	name: string;
	valid: number;
}

/** The current import (when scanned) first, then every saved source whose file is kept. */
export function convertibleSources(
	list: readonly SourceRecord[],
	current: { id: string | null; name: string; valid: number } | null
): ConvertibleSource[] {
	const kept = list
		.filter((source) => source.fileForgottenAt == null && source.counts !== null)
		.map((source) => ({ id: source.id, name: source.name, valid: source.counts!.valid }));
	if (!current) return kept;
	return [current, ...kept.filter((source) => source.id !== current.id)];
}

interface Written {
	id: string;
	download: File;
	name: string;
	outcome: ConvertOutcome;
}

/** The Export page's conversion of a source (issue 11): choices, pre-flight, writing, download. */
class Converter {
	/** The chosen source's id; null: the current import. */
	sourceId = $state<string | null>(null);
	targetName = $state<TargetName>('hanko');
	fields = $state<FieldName[]>([...TARGETS.hanko.holds]);
	rename = $state<Partial<Record<FieldName, string>>>({});
	sample = $state<number | null>(null);

	phase = $state<ConvertPhase>('idle');
	error = $state<string | null>(null);
	preflight = $state.raw<ConvertPreflight | null>(null);
	progress = $state.raw<ConvertProgress | null>(null);
	elapsedMs = $state(0);
	written = $state.raw<Written | null>(null);
	downloaded = $state(false);

	target: Target = $derived(targetByName(this.targetName)!);
	problem: string | null = $derived(
		choiceProblem({ fields: this.fields, rename: this.rename, sample: this.sample })
	);
	etaMs: number | null = $derived(
		this.progress ? timeLeftMs(this.progress.done, this.progress.total, this.elapsedMs) : null
	);
	busy: boolean = $derived(
		this.phase === 'opening' || this.phase === 'checking' || this.phase === 'writing'
	);

	#job: AbortController | null = null;
	/** Releases the Web Lock that keeps other tabs' sweep off the written export's folder. */
	#release: (() => void) | null = null;

	setTarget(name: TargetName): void {
		this.targetName = name;
		this.addDefaultFields();
		this.rename = {};
		this.changed();
	}

	/** Auth0's "add default fields": the target's own field set, in its order. */
	addDefaultFields(): void {
		this.fields = [...this.target.holds];
		this.changed();
	}

	addField(field: FieldName): void {
		if (!this.fields.includes(field)) this.fields.push(field);
		this.changed();
	}

	removeField(field: FieldName): void {
		this.fields = this.fields.filter((chosen) => chosen !== field);
		this.changed();
	}

	/** A choice changed: the pre-flight and any written result no longer describe it. */
	changed(): void {
		if (this.busy) this.cancel();
		this.preflight = null;
		this.error = null;
		if (this.phase !== 'idle') this.phase = 'idle';
		void this.discard();
	}

	#options() {
		return convertOptions(this.target, {
			fields: this.fields,
			rename: this.rename,
			sample: this.sample
		});
	}

	/** Opens the chosen source (re-validated with its mapping and edits) unless it is the open one. */
	async #open(signal: AbortSignal): Promise<void> {
		const id = this.sourceId;
		if (id === null || (importer.sourceId === id && importer.phase === 'done')) {
			if (importer.phase !== 'done') throw new Error('The current import has not been checked.');
			return;
		}
		this.phase = 'opening';
		// resume() settles once the file is open and scanned, or has failed (its error says why).
		await importer.resume(id);
		signal.throwIfAborted();
		if (importer.phase === 'failed')
			throw new Error(importer.error ?? 'The source could not be opened.');
		await importer.scanned(id, signal);
	}

	/** The pre-flight: what the target cannot take, counted in the worker before anything is written. */
	async check(): Promise<void> {
		if (this.problem) return;
		const job = this.#start();
		try {
			await this.#open(job.signal);
			this.phase = 'checking';
			this.preflight = await parseClient.convertPreflight(
				this.targetName,
				this.#options(),
				$state.snapshot(importer.sendingOptions),
				job.signal
			);
			this.phase = 'checked';
		} catch (error) {
			this.#failed(error, job);
		}
	}

	/** Writes the files in the worker, then offers the one file or the ZIP of several. */
	async write(): Promise<void> {
		const preflight = this.preflight;
		if (!preflight || this.problem) return;
		await this.discard();
		const job = this.#start();
		const id = crypto.randomUUID();
		const started = performance.now();
		this.phase = 'writing';
		this.progress = { done: 0, total: preflight.records };
		try {
			await this.#lock(id);
			const sourceName = this.#sourceName();
			const { download, outcome } = await parseClient.convertWrite(
				{
					id,
					targetName: this.targetName,
					options: this.#options(),
					sending: $state.snapshot(importer.sendingOptions),
					total: preflight.records,
					zipName: zipName(sourceName, this.targetName)
				},
				job.signal,
				(progress) => {
					this.progress = progress;
					this.elapsedMs = performance.now() - started;
				}
			);
			if (job.signal.aborted) throw job.signal.reason;
			this.written = { id, download, name: download.name, outcome };
			this.phase = 'written';
			notifier.jobEnded(
				performance.now() - started,
				convertMessage(sourceName, this.target.label, outcome)
			);
		} catch (error) {
			await this.#remove(id);
			this.#failed(error, job);
		}
	}

	cancel(): void {
		this.#job?.abort(new DOMException('Cancelled', 'AbortError'));
	}

	/** Saves the result; its temporary copy is removed once the browser has had time to read it. */
	download(): void {
		const written = this.written;
		if (!written) return;
		downloadFile([written.download], written.name, written.download.type);
		this.downloaded = true;
		setTimeout(() => {
			if (this.written === written) void this.discard();
		}, REVOKE_AFTER_MS);
	}

	/** Removes the written result from the private file system (leaving the page, a new choice). */
	async discard(): Promise<void> {
		const written = this.written;
		if (!written) return;
		this.written = null;
		this.downloaded = false;
		if (this.phase === 'written') this.phase = 'idle';
		await this.#remove(written.id);
	}

	/** Leaving the page: a result not yet saved goes now; a saved one when its download has read it. */
	leave(): void {
		this.cancel();
		if (!this.downloaded) void this.discard();
	}

	#sourceName(): string {
		const chosen = this.sourceId ?? importer.sourceId;
		return (
			sources.list.find((source) => source.id === chosen)?.name ?? importer.file?.name ?? 'users'
		);
	}

	#start(): AbortController {
		this.#job?.abort();
		const job = new AbortController();
		this.#job = job;
		this.error = null;
		this.progress = null;
		return job;
	}

	async #lock(id: string): Promise<void> {
		this.#release = await holdLock(exportFolder(id));
	}

	async #remove(id: string): Promise<void> {
		await removeExport(id);
		this.#release?.();
		this.#release = null;
	}

	#failed(error: unknown, job: AbortController): void {
		if (this.#job !== job) return;
		this.progress = null;
		if (job.signal.aborted) {
			this.phase = this.preflight ? 'checked' : 'idle';
			return;
		}
		this.phase = 'failed';
		this.error =
			error instanceof Error && error.name === 'RowsChangedError'
				? 'The source was opened again or edited while it was converted. Check it again.'
				: error instanceof Error
					? error.message
					: String(error);
	}
}

export const converter = new Converter();
