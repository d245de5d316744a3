/**
 * The app's "Export users": pages of the destination's GET /users streamed into a file, with the
 * position kept in the export log (IndexedDB) after every page, so an export the connection
 * dropped resumes where it stopped, after a reload too. The file is one the admin picks
 * (showSaveFilePicker) where the browser has the File System Access API; elsewhere a working file
 * in the origin's private storage (OPFS), downloaded once complete.
 */
import { downloadFile } from '$lib/components/download';
import {
	EXPORT_SAMPLE_SIZE,
	ExportChoiceError,
	exportFileName,
	exportHead,
	exportPageText,
	exportPlan,
	exportRefusal,
	exportTail,
	userPageQuery,
	type ExportFormat,
	type ExportPlan
} from '$lib/core/protocol/user-export';
import { USER_PAGE_SIZE, type UserFilters, type UserPage } from '$lib/core/protocol/import-api';
import { settings } from '$lib/state/settings.svelte';
import { sources } from '$lib/state/sources.svelte';
import { listExports, purgeExports, saveExport } from '$lib/storage/exports';
import type { ExportRecord } from '$lib/storage/schema';

/** What the admin chose on the page. */
export interface ExportChoice {
	filters: UserFilters;
	format: ExportFormat;
	fields: string[];
	/** `field=name` for each renamed field. */
	renames: string[];
	sample: boolean;
}

const MEDIA_TYPES: Record<ExportFormat, string> = {
	csv: 'text/csv',
	json: 'application/json'
};

/** The parts of the File System Access API used here, which TypeScript's DOM types lack. */
interface SaveFilePickerWindow {
	showSaveFilePicker?(options: {
		suggestedName: string;
		types: { description: string; accept: Record<string, string[]> }[];
	}): Promise<FileSystemFileHandle>;
}
interface PermissionHandle {
	queryPermission?(options: { mode: 'readwrite' }): Promise<PermissionState>;
	requestPermission?(options: { mode: 'readwrite' }): Promise<PermissionState>;
}

const workingFileName = (record: Pick<ExportRecord, 'id' | 'format'>) =>
	`ferry-export-${record.id}.${record.format}`;

/** Writes `text` at `position` and cuts the file there first, committing on close. */
async function writeAt(
	file: FileSystemFileHandle,
	position: number,
	text: string
): Promise<number> {
	const bytes = new TextEncoder().encode(text);
	const writable = await file.createWritable({ keepExistingData: true });
	try {
		await writable.truncate(position);
		await writable.write({ type: 'write', position, data: bytes });
	} finally {
		await writable.close();
	}
	return bytes.length;
}

function planOf(record: ExportRecord): ExportPlan {
	return { format: record.format, fields: record.fields, names: record.names };
}

export class UserExport {
	/** The export under way or last run in this tab. */
	current = $state<ExportRecord | null>(null);
	running = $state(false);
	/** Why the export could not start. */
	problem = $state<string | null>(null);
	log = $state.raw<ExportRecord[]>([]);

	/** Forgets what the retention setting no longer keeps, then reads the log. */
	async refresh(): Promise<void> {
		const purged = await purgeExports(sources.retention);
		for (const record of purged) await this.#removeWorkingFile(record);
		// A "running" export this tab is not running was cut off by a closed tab or a reload.
		for (const record of await listExports()) {
			if (record.status === 'running' && !(this.running && this.current?.id === record.id)) {
				await saveExport({
					...record,
					status: 'interrupted',
					message: 'The page was closed during the export.'
				});
			}
		}
		this.log = await listExports();
	}

	async start(choice: ExportChoice): Promise<void> {
		await settings.ready;
		this.problem = settings.problem;
		if (this.problem) return;
		let plan: ExportPlan;
		try {
			plan = exportPlan(choice.format, choice.fields, choice.renames);
		} catch (error) {
			if (!(error instanceof ExportChoiceError)) throw error;
			this.problem = `${error.message[0].toUpperCase()}${error.message.slice(1)}.`;
			return;
		}
		const id = crypto.randomUUID();
		const fileName = exportFileName(choice.format, Date.now());
		const target = await this.#target(id, fileName, choice.format);
		if (!target) return;
		const now = Date.now();
		const record: ExportRecord = {
			id,
			destination: settings.value.url,
			filters: Object.fromEntries(
				Object.entries(choice.filters).filter(([, value]) => value !== undefined && value !== '')
			),
			format: plan.format,
			fields: [...plan.fields],
			names: [...plan.names],
			sample: choice.sample,
			status: 'running',
			rows: 0,
			bytes: 0,
			cursor: null,
			file: target.file,
			target: target.kind,
			fileName,
			message: null,
			startedAt: now,
			updatedAt: now,
			endedAt: null
		};
		record.bytes = await writeAt(record.file, 0, exportHead(plan));
		await this.#run(record);
	}

	/** Continues an interrupted export from its kept cursor (a click: the file may ask permission). */
	async resume(record: ExportRecord): Promise<void> {
		const handle = record.file as FileSystemFileHandle & PermissionHandle;
		if (record.target === 'picked' && handle.queryPermission) {
			const state = await handle.queryPermission({ mode: 'readwrite' });
			if (
				state !== 'granted' &&
				(await handle.requestPermission?.({ mode: 'readwrite' })) !== 'granted'
			) {
				this.problem = 'The browser did not allow writing to the chosen file again.';
				return;
			}
		}
		await this.#run({ ...record, status: 'running', message: null });
	}

	/** Saves a finished export kept in private storage as a download (again). */
	async download(record: ExportRecord): Promise<void> {
		const file = await record.file.getFile();
		downloadFile([file], record.fileName, MEDIA_TYPES[record.format]);
	}

	async #target(
		id: string,
		fileName: string,
		format: ExportFormat
	): Promise<{ file: FileSystemFileHandle; kind: ExportRecord['target'] } | null> {
		const picker = (window as SaveFilePickerWindow).showSaveFilePicker;
		if (picker) {
			try {
				const file = await picker({
					suggestedName: fileName,
					types: [
						{ description: format.toUpperCase(), accept: { [MEDIA_TYPES[format]]: [`.${format}`] } }
					]
				});
				return { file, kind: 'picked' };
			} catch (error) {
				// The admin closed the picker: nothing starts.
				if ((error as Error).name === 'AbortError') return null;
				throw error;
			}
		}
		const directory = await navigator.storage.getDirectory();
		const file = await directory.getFileHandle(workingFileName({ id, format }), { create: true });
		return { file, kind: 'private' };
	}

	async #save(record: ExportRecord): Promise<void> {
		record.updatedAt = Date.now();
		this.current = record;
		await saveExport($state.snapshot(record) as ExportRecord);
		this.log = await listExports();
	}

	async #run(start: ExportRecord): Promise<void> {
		const record = { ...start };
		const plan = planOf(record);
		this.running = true;
		this.problem = null;
		try {
			await this.#save(record);
			do {
				const limit = record.sample ? EXPORT_SAMPLE_SIZE : USER_PAGE_SIZE.max;
				const url = `${record.destination}/users${userPageQuery(record.filters, limit, record.cursor)}`;
				let response: Response;
				try {
					response = await fetch(url, {
						headers: { authorization: await settings.authorization() }
					});
				} catch {
					record.status = 'interrupted';
					record.message = `The connection dropped after ${record.rows} users. It resumes from there when the connection is back, or with Resume.`;
					return;
				}
				if (!response.ok) {
					const body = (await response.json().catch(() => ({}))) as {
						code?: string;
						message?: string;
					};
					const reason = exportRefusal(
						response.status,
						body.code,
						body.message ?? response.statusText
					);
					record.status = 'failed';
					record.message = `${reason[0].toUpperCase()}${reason.slice(1)}.`;
					record.cursor = null;
					return;
				}
				const page = (await response.json()) as UserPage;
				record.bytes += await writeAt(
					record.file,
					record.bytes,
					exportPageText(plan, page.users, record.rows)
				);
				record.rows += page.users.length;
				record.cursor = record.sample ? null : page.next;
				if (record.cursor !== null) await this.#save(record);
			} while (record.cursor !== null);
			record.bytes += await writeAt(record.file, record.bytes, exportTail(plan, record.rows));
			record.status = 'complete';
			record.endedAt = Date.now();
			if (record.target === 'private') await this.download(record);
		} catch (error) {
			record.status = 'failed';
			record.message = `The export stopped: ${error instanceof Error ? error.message : String(error)}`;
		} finally {
			if (record.status === 'failed') record.endedAt = Date.now();
			await this.#save(record);
			this.running = false;
		}
	}

	async #removeWorkingFile(record: ExportRecord): Promise<void> {
		if (record.target !== 'private') return;
		try {
			const directory = await navigator.storage.getDirectory();
			await directory.removeEntry(workingFileName(record));
		} catch {
			// Gone already.
		}
	}
}

export const userExport = new UserExport();
