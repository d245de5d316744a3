import { liveQuery } from 'dexie';
import type { ScanProgress } from '../core/engine/types';
import { ROLE_VALUES_CAP } from '../core/limits';
import { dateOrderOfLocale, regionOfLocale } from '../core/locale';
import { applyUserChoice, blockingFields, headerSignature } from '../core/mapping/automap';
import type { FirebaseHashConfig } from '../core/identity/firebase';
import type { DestinationProfile } from '../core/profiles/types';
import type { ColumnProposal, DateOrder, FieldName, Mapping } from '../core/types';
import type { EditStep, RowEdit } from '../core/edits/overlay';
import type { ReplaceSpec } from '../core/edits/replace';
import type {
	DistinctValues,
	EditOutcome,
	Preview,
	ReplaceProgress,
	ScanSummary,
	SendingOptions
} from '../pipeline/session';
import type {
	SourceRecord,
	SourceStatus,
	StoredReadOptions,
	StoredSending
} from '../storage/schema';
import {
	clearEditSteps,
	createSource,
	findProfile,
	getSource,
	loadEditSteps,
	loadSource,
	deleteEditStep,
	saveEditStep,
	saveProfile,
	saveScanCounts,
	updateSource
} from '../storage/sources';
import { RowsChangedError } from '../upload/errors';
import { parseClient } from '../workers/parse-client';
import { notifier, validationMessage } from './notify.svelte';
import { settings } from './settings.svelte';

/** Profiles that judge alike (the API's schema fetched again gives an equal, new profile). */
export function sameProfile(a: DestinationProfile, b: DestinationProfile): boolean {
	return a === b || JSON.stringify(a) === JSON.stringify(b);
}

const NO_SENDING: StoredSending = { hashConfig: null, roleMap: {}, organization: '' };

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

/** What identifies how a source is read and validated: equal keys give equal verdicts. */
export function sourceKey(mapping: Mapping, readOptions: StoredReadOptions): string {
	return JSON.stringify([
		mapping,
		readOptions.encoding,
		readOptions.dateOrder,
		readOptions.defaultRegion
	]);
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
	/** Milliseconds from the scan's start to its latest progress (the time-left estimate's pace). */
	progressMs = $state(0);
	#phase = $state<Phase>('idle');
	error = $state<string | null>(null);
	/** Why the source could not be saved on the device (the import still works). */
	storageNotice = $state<string | null>(null);
	/** The saved source this file belongs to. */
	#sourceId = $state<string | null>(null);
	/** The latest mapping and verdicts are written on the device. */
	saved = $state(false);
	/** The mapping or read options were just taken over from another tab showing the same source. */
	changedElsewhere = $state(false);
	/** '' means detected. */
	encoding = $state('');
	dateOrder = $state<DateOrder>('dmy');
	region = $state('US');
	/** Milliseconds from the drop to the preview on screen data (measured, shown in the UI). */
	previewMs = $state<number | null>(null);
	scanMs = $state<number | null>(null);
	/** Bumped after each finished scan so row views refetch. */
	generation = $state(0);
	/** The saved source's status as stored (follow), null before it is known. */
	#status = $state<SourceStatus | null>(null);
	/**
	 * The source is being uploaded or was imported: its mapping, encoding and date order cannot
	 * change, since the rows sent were read with them.
	 */
	locked: boolean = $derived(this.#status === 'uploading' || this.#status === 'imported');
	/** The file can be forgotten: the source is stored and no upload is reading it. */
	forgettable: boolean = $derived(this.sourceId !== null && this.#status !== 'uploading');

	mapping: Mapping = $derived(this.proposals.map((proposal) => proposal.field));
	/** The destination's profile chosen in Settings: every verdict is against it. */
	profile: DestinationProfile = $derived(settings.profile);
	blocking: FieldName[] = $derived(blockingFields(this.mapping, this.profile));
	/** The hash config, role mapping and organization of this source (stored with it). */
	sending = $state.raw<StoredSending>(NO_SENDING);
	/** The distinct values of the column mapped to roles, once read; null when none is. */
	roleValues = $state.raw<DistinctValues | null>(null);
	/** The column roleValues were read from, and the preview of the file's reading they belong to. */
	#roleValuesOf: { column: number; preview: Preview } | null = null;
	/** The profile the latest scan validated against. */
	#validatedWith: DestinationProfile | null = null;
	/** The instant the latest scan judged dates against. */
	#validatedAt = 0;

	/** What the latest edit step did ("edit row 3, email"), null when there is nothing to undo. */
	undoLabel = $state<string | null>(null);
	/** An edit, undo or replace is being made in the worker. */
	editing = $state(false);
	/** How far a replace in column has read the file. */
	replaceProgress = $state<ReplaceProgress | null>(null);
	/** Why the latest edit could not be made. */
	editError = $state<string | null>(null);
	/** Edits are made once the file is scanned, and never to rows already sent. */
	editable: boolean = $derived(this.#phase === 'done' && !this.locked);

	/**
	 * This tab's edit steps, oldest first (the stored ones, or only these when the source could
	 * not be stored): a plain array, since a replace in a column may change a million rows.
	 */
	#steps: { step: EditStep; seq: number | null }[] = [];
	#scan: AbortController | null = null;
	/** The admin changed the mapping: remember it for files with the same header. */
	#mappingChosen = false;
	/** sourceKey of what was last loaded from or written to the saved source by this tab. */
	#storedKey: string | null = null;
	/** The saved source as the database last showed it (follow). */
	#latest: SourceRecord | null = null;

	get phase(): Phase {
		return this.#phase;
	}

	set phase(phase: Phase) {
		this.#phase = phase;
		this.#wake();
	}

	get sourceId(): string | null {
		return this.#sourceId;
	}

	set sourceId(id: string | null) {
		this.#sourceId = id;
		this.#wake();
	}

	/** Callers of scanned() waiting for the current scan to finish. */
	#waiting = new Set<() => void>();

	constructor() {
		if (typeof navigator !== 'undefined') {
			this.dateOrder = dateOrderOfLocale(navigator.language);
			this.region = regionOfLocale(navigator.language);
		}
	}

	/**
	 * Resolves once source `id` is open and scanned here (at once if it is), and rejects with a
	 * RowsChangedError as soon as another file is opened instead (or `signal` aborts).
	 */
	scanned(id: string, signal?: AbortSignal): Promise<void> {
		return new Promise((resolve, reject) => {
			const check = () => {
				if (signal?.aborted) reject(signal.reason);
				else if (this.sourceId !== id) reject(new RowsChangedError());
				else if (this.phase === 'done') resolve();
				else return;
				this.#waiting.delete(check);
				signal?.removeEventListener('abort', check);
			};
			this.#waiting.add(check);
			signal?.addEventListener('abort', check, { once: true });
			check();
		});
	}

	/** Settles the scanned() promises that the latest change of sourceId or phase decides. */
	#wake(): void {
		for (const check of [...this.#waiting]) check();
	}

	async drop(file: File): Promise<void> {
		this.file = file;
		this.#status = null;
		this.encoding = '';
		this.sourceId = null;
		this.#storedKey = null;
		this.#latest = null;
		this.changedElsewhere = false;
		this.#mappingChosen = false;
		this.sending = NO_SENDING;
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
			const forgottenAt = (await getSource(id).catch(() => null))?.fileForgottenAt;
			this.reset();
			this.error =
				forgottenAt != null
					? forgottenMessage(forgottenAt)
					: 'That import is no longer on this device.';
			this.phase = 'failed';
			return;
		}
		const { source, file } = loaded;
		this.file = new File([file.original], file.name, {
			type: file.type,
			lastModified: file.lastModified
		});
		this.sourceId = id;
		this.#status = source.status;
		this.#latest = null;
		this.storageNotice = null;
		this.changedElsewhere = false;
		this.encoding = source.readOptions.encoding ?? '';
		this.dateOrder = source.readOptions.dateOrder;
		this.region = source.readOptions.defaultRegion;
		this.sending = source.sending ?? NO_SENDING;
		this.#storedKey = sourceKey(source.mapping, source.readOptions);
		this.#mappingChosen = false;
		// Another tab may have changed the source while its file was read: take that over instead.
		if ((await this.#open(source.mapping)) && !(await this.#adopt(true))) await this.validate();
	}

	/**
	 * Saves what a full disk kept from being saved: the source itself if it was never created, then
	 * the latest verdicts. Nothing was half-written before, so this simply writes it all again.
	 */
	async retrySave(): Promise<void> {
		const file = this.file;
		if (!file || !this.preview) return;
		if (!this.sourceId) {
			await this.#save(() => this.#create(file));
			if (!this.sourceId) return;
		}
		const summary = this.summary;
		if (this.phase !== 'done' || !summary) return;
		await this.#save(() => this.#record(summary, $state.snapshot(this.mapping)));
		this.saved = this.storageNotice === null;
	}

	/**
	 * Follows the saved source while the page shows it: when another tab changes its mapping or read
	 * options, this tab takes them over and validates again, unless it has an unsaved change of its
	 * own (whose write then wins, and the other tab follows). Returns the function that stops.
	 */
	follow(id: string): () => void {
		const subscription = liveQuery(() => getSource(id)).subscribe({
			next: (source) => {
				if (!source || this.sourceId !== id) return;
				// Its retention period passed, or it was forgotten in another tab: let go of it here too.
				if (source.fileForgottenAt != null) {
					this.reset();
					this.error = forgottenMessage(source.fileForgottenAt);
					this.phase = 'failed';
					return;
				}
				this.#status = source.status;
				this.#latest = source;
				void this.#adopt();
			},
			// Reading failed (e.g. the database was deleted in another tab): nothing to follow.
			error: () => {}
		});
		return () => subscription.unsubscribe();
	}

	/**
	 * Takes over the latest stored mapping and read options if another tab changed them; returns
	 * whether it did (and so validates). While the file is being read, the change waits for
	 * the next call (resume makes it once the file is open).
	 */
	async #adopt(opened = false): Promise<boolean> {
		const source = this.#latest;
		const preview = this.preview;
		if (!source || source.id !== this.sourceId || !preview) return false;
		if (this.phase === 'reading' && !opened) return false;
		const key = sourceKey(source.mapping, source.readOptions);
		if (key === this.#storedKey || this.#localKey() !== this.#storedKey) return false;
		this.#storedKey = key;
		this.changedElsewhere = true;
		const encoding = source.readOptions.encoding ?? '';
		this.dateOrder = source.readOptions.dateOrder;
		this.region = source.readOptions.defaultRegion;
		if (encoding !== this.encoding) {
			this.encoding = encoding;
			if (await this.#open(source.mapping)) await this.validate();
			return true;
		}
		this.proposals = withMapping(preview.proposals, source.mapping);
		await this.validate();
		return true;
	}

	#localKey(): string {
		return sourceKey($state.snapshot(this.mapping), this.#readOptions());
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
		this.changedElsewhere = false;
		// Dates judged against the same instant as before: the worker then re-checks only this column.
		void this.validate(this.#validatedAt);
	}

	setDateOrder(order: DateOrder): void {
		if (this.locked) return;
		this.dateOrder = order;
		void this.validate();
	}

	/** The profile chosen in Settings changed (meant for an $effect): the file is checked against it. */
	profileChanged(): void {
		if (this.preview && this.#validatedWith && !sameProfile(this.#validatedWith, this.profile))
			void this.validate();
	}

	/** The Firebase project's hash config: bare hashes are read with it, so every row again. */
	setHashConfig(hashConfig: FirebaseHashConfig | null): void {
		if (this.locked) return;
		this.#setSending({ hashConfig });
		void this.validate();
	}

	/** A role found in the file sent as `name` ('' drops it); applied when the rows are sent. */
	mapRole(value: string, name: string): void {
		if (this.locked) return;
		this.#setSending({ roleMap: { ...this.sending.roleMap, [value]: name } });
	}

	setRoleMap(roleMap: Record<string, string>): void {
		if (this.locked) return;
		this.#setSending({ roleMap });
	}

	setOrganization(organization: string): void {
		if (this.locked) return;
		this.#setSending({ organization });
	}

	/** What normaliseRecord adds to the rows sent: the role mapping and the organization. */
	get sendingOptions(): SendingOptions {
		const { roleMap, organization } = this.sending;
		return { roleMap: { ...roleMap }, organization };
	}

	#setSending(patch: Partial<StoredSending>): void {
		this.sending = { ...this.sending, ...patch };
		const id = this.sourceId;
		if (id) {
			const sending = $state.snapshot(this.sending) as StoredSending;
			void this.#save(() => updateSource(id, { sending }));
		}
	}

	reset(): void {
		this.#scan?.abort();
		this.file = null;
		this.preview = null;
		this.proposals = [];
		this.summary = null;
		this.progress = null;
		this.roleValues = null;
		this.sending = NO_SENDING;
		this.phase = 'idle';
		this.error = null;
		this.sourceId = null;
		this.#status = null;
		this.#storedKey = null;
		this.changedElsewhere = false;
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
			const preview = await parseClient.open(
				file,
				this.encoding || undefined,
				$state.snapshot(this.profile) as DestinationProfile
			);
			if (this.file !== file) return false;
			this.preview = preview;
			this.proposals = preview.proposals;
			this.previewMs = Math.round(performance.now() - started);
			const remembered =
				mapping ?? (await findProfile(headerSignature(preview.layout.keys)).catch(() => null));
			if (remembered) this.proposals = withMapping(preview.proposals, remembered);
			await this.#loadEdits();
			return this.file === file;
		} catch (error) {
			this.#fail(error);
			return false;
		}
	}

	/**
	 * Validates the file in the worker, dates judged against `now`; a newer call cancels an older
	 * one. Only the column whose field changed is checked again when nothing else did (the worker's
	 * ImportSession.scan); else the whole file is re-read.
	 */
	async validate(now = Date.now()): Promise<void> {
		if (!this.preview) return;
		this.#scan?.abort();
		const controller = new AbortController();
		this.#scan = controller;
		const started = performance.now();
		const mapping = $state.snapshot(this.mapping);
		const profile = this.profile;
		this.#validatedWith = profile;
		this.#validatedAt = now;
		this.saved = false;
		this.phase = 'scanning';
		this.progress = { bytes: 0, total: this.preview.size, rows: 0 };
		this.progressMs = 0;
		try {
			const summary = await parseClient.scan(
				mapping,
				{
					dateOrder: this.dateOrder,
					defaultRegion: this.region,
					now,
					hashConfig: $state.snapshot(this.sending.hashConfig)
				},
				controller.signal,
				(progress) => {
					if (controller.signal.aborted) return;
					this.progress = progress;
					this.progressMs = performance.now() - started;
				},
				$state.snapshot(profile) as DestinationProfile
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
			void this.#readRoleValues(mapping, controller.signal);
			notifier.jobEnded(this.scanMs, validationMessage(this.file?.name ?? 'The file', summary));
			let written = false;
			await this.#save(async () => (written = await this.#record(summary, mapping)));
			this.saved = written && this.storageNotice === null && !controller.signal.aborted;
		} catch (error) {
			if (controller.signal.aborted) return;
			this.#fail(error);
		}
	}

	/**
	 * The source's stored edit steps, handed to the freshly opened file in the worker as one overlay
	 * (the scan that follows judges them); a new file starts with none.
	 */
	async #loadEdits(): Promise<void> {
		const id = this.sourceId;
		const stored = id ? await loadEditSteps(id).catch(() => []) : [];
		this.#steps = stored.map(({ seq, label, changes }) => ({ seq, step: { label, changes } }));
		this.undoLabel = stored.at(-1)?.label ?? null;
		this.editError = null;
		// Bookkeeping only, never rendered: a plain Map on purpose.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		const overlay = new Map<number, RowEdit | null>();
		for (const { step } of this.#steps)
			for (const { row, after } of step.changes) overlay.set(row, after);
		if (overlay.size > 0)
			await parseClient.setEdits([...overlay].map(([row, edit]) => ({ row, edit })));
	}

	/** Replaces cells of one row (by column) as one step; the row is judged again at once. */
	editRow(row: number, values: Record<number, string>): Promise<boolean> {
		return this.#edit(() => parseClient.editRow(row, values));
	}

	/** Drops rows (they count as not in the file), or keeps them again. */
	dropRows(rows: number[], dropped = true): Promise<boolean> {
		return this.#edit(() => parseClient.dropRows(rows, dropped));
	}

	/**
	 * How many rows a replace in a column would change (apply false), or makes it as one step: the
	 * worker reads every row, with progress. Null when it was cancelled or failed (editError says why).
	 */
	async replaceInColumn(
		spec: ReplaceSpec,
		apply: boolean,
		signal: AbortSignal
	): Promise<number | null> {
		if (!this.editable) return null;
		this.replaceProgress = { rows: 0, total: this.summary?.rows ?? 0 };
		let matches: number | null = null;
		await this.#edit(async () => {
			const answer = await parseClient.replaceInColumn(spec, apply, signal, (progress) => {
				if (!signal.aborted) this.replaceProgress = progress;
			});
			matches = answer.matches;
			return answer.outcome;
		});
		this.replaceProgress = null;
		return signal.aborted ? null : matches;
	}

	/** Takes back the latest edit step. */
	async undo(): Promise<void> {
		const id = this.sourceId;
		await this.#change(async () => {
			const last = this.#steps.pop();
			if (!last) return [];
			if (id && last.seq !== null) await deleteEditStep(id, last.seq);
			return last.step.changes.map(({ row, before }) => ({ row, edit: before }));
		});
	}

	/** Takes back every edit: each edited row as the file has it. */
	async undoAll(): Promise<void> {
		const id = this.sourceId;
		await this.#change(async () => {
			if (id) await clearEditSteps(id);
			const steps = this.#steps.splice(0);
			const rows = new Set(steps.flatMap(({ step }) => step.changes.map((change) => change.row)));
			return [...rows].map((row) => ({ row, edit: null }));
		});
	}

	/** Sets rows' edits in the worker after `changes` decided them (from the stored steps). */
	async #change(changes: () => Promise<{ row: number; edit: RowEdit | null }[]>): Promise<void> {
		if (!this.editable || this.editing) return;
		this.editing = true;
		this.editError = null;
		try {
			const summary = await parseClient.setEdits(await changes());
			this.undoLabel = this.#steps.at(-1)?.step.label ?? null;
			if (summary) await this.#edited(summary);
		} catch (error) {
			this.editError = failureMessage(error);
		} finally {
			this.editing = false;
		}
	}

	/** Makes one edit in the worker, then stores its step; false when nothing was done. */
	async #edit(make: () => Promise<EditOutcome | null>): Promise<boolean> {
		if (!this.editable || this.editing) return false;
		this.editing = true;
		this.editError = null;
		try {
			const outcome = await make();
			if (!outcome || outcome.step.changes.length === 0) return false;
			const { step } = outcome;
			const entry: { step: EditStep; seq: number | null } = { step, seq: null };
			this.#steps.push(entry);
			this.undoLabel = step.label;
			const id = this.sourceId;
			if (id)
				await this.#save(async () => {
					entry.seq = await saveEditStep(id, step);
					return true;
				});
			await this.#edited(outcome.summary);
			return true;
		} catch (error) {
			this.editError = failureMessage(error);
			return false;
		} finally {
			this.editing = false;
		}
	}

	/** Shows the summary with the edits, refreshes the rows and stores the new counts. */
	async #edited(summary: ScanSummary): Promise<void> {
		this.summary = summary;
		this.generation++;
		const id = this.sourceId;
		if (id) await this.#save(() => saveScanCounts(id, summary));
	}

	/**
	 * The distinct roles of the column mapped to roles, for the value-mapping step. They are the
	 * file's own values, whatever the rest of the mapping: read again only for another column or
	 * another reading of the file (a new preview), not after each change of another column's field.
	 */
	async #readRoleValues(mapping: Mapping, signal: AbortSignal): Promise<void> {
		const column = mapping.indexOf('roles');
		const preview = this.preview;
		if (column < 0 || !preview) {
			this.roleValues = null;
			return;
		}
		const read = this.#roleValuesOf;
		if (this.roleValues && read?.column === column && read.preview === preview) return;
		try {
			const values = await parseClient.distinctValues(column, ROLE_VALUES_CAP);
			if (signal.aborted) return;
			this.roleValues = values;
			this.#roleValuesOf = { column, preview };
		} catch {
			// A newer scan or file replaced the rows: its own read follows.
		}
	}

	/** Returns whether the source was created. */
	async #create(file: File): Promise<boolean> {
		if (!this.preview) return false;
		const mapping = $state.snapshot(this.mapping);
		const readOptions = this.#readOptions();
		const source = await createSource({
			fileName: file.name,
			file,
			preview: $state.snapshot(this.preview) as Preview,
			mapping,
			readOptions,
			sending: $state.snapshot(this.sending) as StoredSending
		});
		if (this.file !== file) return false;
		this.#storedKey = sourceKey(mapping, readOptions);
		this.sourceId = source.id;
		return true;
	}

	/**
	 * The scan's verdicts, mapping and options, written beside the source; false if nothing was
	 * written. A scan of this tab's own change is written whatever the database holds (the latest
	 * change wins); a scan that merely re-validated what this tab last saw stored (a resume) is written
	 * only if that is still what is stored, so it never overwrites a newer change from another tab.
	 */
	async #record(summary: ScanSummary, mapping: Mapping): Promise<boolean> {
		const id = this.sourceId;
		if (!id || !this.preview) return false;
		const readOptions = this.#readOptions();
		const known = this.#storedKey;
		const key = sourceKey(mapping, readOptions);
		// Before the write: the change this write makes in the database is this tab's own.
		this.#storedKey = key;
		let written: boolean;
		try {
			written = await saveScanCounts(id, summary, (current) => {
				// A re-validation of what this tab last saw stored never overwrites a newer change.
				if (key === known && sourceKey(current.mapping, current.readOptions) !== known) return null;
				// A source at its upload or results step stays there: re-validating is no step back.
				const step =
					current.step === 'upload' || current.step === 'results' ? current.step : 'review';
				return { mapping, readOptions, step };
			});
		} catch (error) {
			// Nothing was written (a full disk): the database still holds what it held.
			this.#storedKey = known;
			throw error;
		}
		if (!written) {
			// Another tab changed the source meanwhile: follow it instead.
			this.#storedKey = known;
			void this.#adopt();
			return false;
		}
		// An older scan finishing late must not remember a mapping the admin has changed since.
		if (this.#mappingChosen && this.#localKey() === key)
			await saveProfile(headerSignature(this.preview.layout.keys), mapping);
		return true;
	}

	#readOptions(): StoredReadOptions {
		return {
			encoding: this.encoding || null,
			dateOrder: this.dateOrder,
			defaultRegion: this.region
		};
	}

	/**
	 * Storage is a convenience, never a gate: a full disk is reported and the import goes on. The
	 * notice stays until something is written again (a skipped write does not clear it).
	 */
	async #save(write: () => Promise<boolean>): Promise<void> {
		try {
			if (await write()) this.storageNotice = null;
		} catch (error) {
			this.storageNotice = error instanceof Error ? error.message : String(error);
		}
	}

	#fail(error: unknown): void {
		this.phase = 'failed';
		this.error = failureMessage(error);
	}
}

function forgottenMessage(at: number): string {
	return (
		`Its file was removed from this device on ${new Date(at).toLocaleDateString()}; ` +
		'its counts, upload results and encrypted report are on the Sources page.'
	);
}

/**
 * What the admin reads when a file cannot be opened or scanned, chosen by the error's name and code,
 * never its text: a FerryError (a limit, a damaged file) says so itself; Chromium's NotReadableError
 * blames "permission problems" when the real cause is that a copy of the file no longer fits.
 */
function failureMessage(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	if (error.name === 'NotReadableError')
		return 'The browser could not read the file back, most likely because it ran out of memory or disk space while copying it. Close other tabs, or check the file with the ferry CLI.';
	return error.message;
}

export const importer = new Importer();
