import { isApplied, ROW_STATUSES, type ImportMode } from '../core/protocol/import-api';
import type { ResultStatus, SourceStatus } from '../storage/schema';

/** The badge colour of a run: success, partly refused, nothing applied, or not an outcome yet. */
export type OutcomeTone = 'ok' | 'warn' | 'bad' | '';

/** What a run did, as the upload panel and the sources list say it. */
export interface RunOutcome {
	/** Per status, e.g. ["0 imported", "296 not found"]: imported always, other statuses when met. */
	counts: string[];
	tone: OutcomeTone;
	/** Link mode found none of the rows' accounts: the destination has no accounts to link to. */
	noAccounts: boolean;
}

type ResultCounts = Partial<Record<ResultStatus, number>>;

const ORDER: readonly ResultStatus[] = [...ROW_STATUSES, 'unknown'];

function label(status: ResultStatus): string {
	return status.replaceAll('_', ' ');
}

/**
 * The run's counts per status and the colour they deserve: success only when rows were applied
 * and none refused, a warning when some were refused, an error when none were applied. Before any
 * answer (draft, a run still starting) and after a rollback the lifecycle says it all: tone ''.
 */
export function runOutcome(
	status: SourceStatus,
	results: ResultCounts,
	mode: ImportMode | null
): RunOutcome {
	let answered = 0;
	let applied = 0;
	for (const status of ORDER) {
		const count = results[status] ?? 0;
		answered += count;
		if (isApplied(status)) applied += count;
	}
	const counts =
		answered === 0
			? []
			: ORDER.filter((each) => each === 'imported' || (results[each] ?? 0) > 0).map(
					(each) => `${(results[each] ?? 0).toLocaleString()} ${label(each)}`
				);
	const finished = status === 'imported' || status === 'cancelled';
	const tone: OutcomeTone =
		status === 'rolled_back'
			? 'bad'
			: status === 'uploading'
				? 'warn'
				: !finished
					? ''
					: applied === 0
						? 'bad'
						: applied < answered || status === 'cancelled'
							? 'warn'
							: 'ok';
	const notFound = results.not_found ?? 0;
	return { counts, tone, noAccounts: mode === 'link' && answered > 0 && notFound === answered };
}

const PANEL_STATUS: Record<SourceStatus, string> = {
	draft: 'Not uploaded',
	uploading: 'Uploading',
	imported: 'Complete',
	cancelled: 'Cancelled',
	rolled_back: 'Rolled back'
};

const LIST_STATUS: Record<SourceStatus, string> = {
	draft: 'Draft',
	uploading: 'Uploading',
	imported: 'Imported',
	cancelled: 'Upload cancelled',
	rolled_back: 'Rolled back'
};

/** The upload panel's badge: "Complete: 0 imported, 296 not found", "Cancelled: 40 imported". */
export function uploadStatusText(status: SourceStatus, outcome: RunOutcome): string {
	const finished = status === 'imported' || status === 'cancelled';
	return finished && outcome.counts.length > 0
		? `${PANEL_STATUS[status]}: ${outcome.counts.join(', ')}`
		: PANEL_STATUS[status];
}

/** The sources list's badge: a finished run's real counts ("0 imported · 296 not found"). */
export function listStatusText(status: SourceStatus, outcome: RunOutcome): string {
	return status === 'imported' && outcome.counts.length > 0
		? outcome.counts.join(' · ')
		: LIST_STATUS[status];
}
