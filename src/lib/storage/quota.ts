/*
 * Running out of space, and asking the browser to keep our data. `navigator.storage` is absent in
 * Node and in some embedded browsers: every function here answers 'unsupported' then, never throws.
 */

/** 'best-effort': the browser may evict the data under storage pressure. */
export type Persistence = 'persisted' | 'best-effort' | 'unsupported';

export interface StorageEstimateBytes {
	/** Bytes this origin uses. */
	usage: number;
	/** Bytes this origin may use at most. */
	quota: number;
}

export interface StorageState {
	persistence: Persistence;
	estimate: StorageEstimateBytes | 'unsupported';
}

/** A source the admin could delete to make room. */
export interface DeletionCandidate {
	id: string;
	name: string;
	bytes: number;
}

function storageManager(): StorageManager | null {
	return typeof navigator !== 'undefined' && navigator.storage ? navigator.storage : null;
}

/** Asks the browser not to evict Ferry's data. Firefox may show a prompt: do not await it in a UI path. */
export async function requestPersistence(): Promise<Persistence> {
	const storage = storageManager();
	if (!storage?.persist) return 'unsupported';
	try {
		return (await storage.persist()) ? 'persisted' : 'best-effort';
	} catch {
		return 'unsupported';
	}
}

export async function storageState(): Promise<StorageState> {
	const storage = storageManager();
	const [persisted, estimate] = await Promise.all([
		storage?.persisted ? storage.persisted().catch(() => null) : null,
		storage?.estimate ? storage.estimate().catch(() => null) : null
	]);
	return {
		persistence: persisted === null ? 'unsupported' : persisted ? 'persisted' : 'best-effort',
		estimate:
			estimate && typeof estimate.usage === 'number' && typeof estimate.quota === 'number'
				? { usage: estimate.usage, quota: estimate.quota }
				: 'unsupported'
	};
}

const QUOTA_NAMES = new Set([
	'QuotaExceededError',
	// Firefox before DOMException names were unified.
	'NS_ERROR_DOM_QUOTA_REACHED'
]);

/**
 * True for a quota failure however it arrives: the raw DOMException of a request, Dexie's
 * QuotaExceededError, or a wrapper holding it (Dexie's AbortError `inner` when the transaction
 * aborted, BulkError/ModifyError `failures`, an Error `cause`).
 */
export function isQuotaError(error: unknown): boolean {
	return hasQuotaError(error, 0);
}

function hasQuotaError(error: unknown, depth: number): boolean {
	if (typeof error !== 'object' || error === null || depth > 4) return false;
	const { name, inner, cause, failures } = error as {
		name?: unknown;
		inner?: unknown;
		cause?: unknown;
		failures?: unknown;
	};
	if (typeof name === 'string' && QUOTA_NAMES.has(name)) return true;
	const nested = [inner, cause, ...(Array.isArray(failures) ? failures : [])];
	return nested.some((candidate) => hasQuotaError(candidate, depth + 1));
}

export function formatBytes(bytes: number): string {
	const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1000 && unit < units.length - 1) {
		value /= 1000;
		unit++;
	}
	const digits = unit === 0 || value >= 100 ? 0 : 1;
	return `${value.toFixed(digits)} ${units[unit]}`;
}

/** A write did not fit: nothing of it was stored. Its message is meant for the admin as is. */
export class StorageFullError extends Error {
	override readonly name = 'StorageFullError';

	constructor(
		/** What was being saved, e.g. 'the file “users.csv”'. */
		readonly what: string,
		readonly estimate: StorageEstimateBytes | 'unsupported',
		/** Largest sources first. */
		readonly candidates: DeletionCandidate[],
		options?: { cause?: unknown }
	) {
		super(storageFullMessage(what, estimate, candidates), options);
	}
}

export function isStorageFullError(error: unknown): error is StorageFullError {
	return error instanceof Error && error.name === 'StorageFullError';
}

function storageFullMessage(
	what: string,
	estimate: StorageEstimateBytes | 'unsupported',
	candidates: DeletionCandidate[]
): string {
	const space =
		estimate === 'unsupported'
			? 'The browser does not say how much space is left.'
			: `Ferry's data uses ${formatBytes(estimate.usage)} of the ${formatBytes(estimate.quota)} ` +
				`this browser allows here (${formatBytes(Math.max(0, estimate.quota - estimate.usage))} free).`;
	const advice =
		candidates.length > 0
			? `Delete sources you no longer need (largest: ${candidates
					.map((candidate) => `“${candidate.name}”, ${formatBytes(candidate.bytes)}`)
					.join('; ')}) or free disk space on this device, then try again.`
			: 'Free disk space on this device, then try again.';
	return `Not enough storage space to save ${what}: nothing of it was saved. ${space} ${advice}`;
}
