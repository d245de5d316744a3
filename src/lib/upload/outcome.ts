import { formatDuration } from '../core/progress';
import { isApplied, ROW_STATUSES, type ImportMode } from '../core/protocol/import-api';
import type {
	FollowUpKind,
	ResultStatus,
	SourceRecord,
	SourceStatus,
	UploadRecord
} from '../storage/schema';

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

/** runOutcome of a stored source: its status, its destination's answers and its import mode. */
export function sourceOutcome(
	source: Pick<SourceRecord, 'status' | 'resultCounts' | 'destination'>
): RunOutcome {
	return runOutcome(source.status, source.resultCounts, source.destination?.mode ?? null);
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

/** How the import log shows a run's times: to the second, as runs often last seconds. */
export const LOG_TIME_FORMAT: Intl.DateTimeFormatOptions = {
	dateStyle: 'medium',
	timeStyle: 'medium'
};

/** When a run started and how it ended, as the import log lists it. */
export interface RunTimes {
	startedAt: number;
	/** When the run stopped, or null while it is still going (or was interrupted and not resumed). */
	end: { at: number; as: 'completed' | 'cancelled' | 'rolled back' } | null;
	/** When the destination removed the run again, after it ended; null when it was not. */
	rolledBackAt: number | null;
}

/**
 * The run's times from its upload record: it ends when the destination confirms completion, when
 * the admin cancels, or, for a run stopped halfway and never resumed, when it is rolled back.
 */
export function runTimes(upload: UploadRecord): RunTimes {
	const { startedAt, completedAt, cancelledAt, rolledBackAt } = upload;
	const end =
		completedAt !== null
			? { at: completedAt, as: 'completed' as const }
			: cancelledAt !== null
				? { at: cancelledAt, as: 'cancelled' as const }
				: rolledBackAt !== null
					? { at: rolledBackAt, as: 'rolled back' as const }
					: null;
	return {
		startedAt,
		end,
		rolledBackAt: end?.as === 'rolled back' ? null : rolledBackAt
	};
}

/** How long a run took: "3 min 5 s", or "under 1 s" rather than a "0 s" that reads as nothing. */
export function formatRunDuration(ms: number): string {
	return ms < 1000 ? 'under 1 s' : formatDuration(ms);
}

const FOLLOW_UP_TITLE: Record<FollowUpKind, string> = {
	dry_run: 'Dry run',
	sample: 'Sample',
	retry: 'Retry'
};

/** What a follow-up run is called in the panel and the import log: "Dry run", "Retry". */
export function followUpTitle(kind: FollowUpKind): string {
	return FOLLOW_UP_TITLE[kind];
}

/**
 * A run's badge, follow-ups included: a finished dry run says what would happen ("Would be: 3
 * imported, 1 not found"), since nothing happened.
 */
export function runStatusText(
	source: Pick<SourceRecord, 'status' | 'resultCounts' | 'destination' | 'followUp'>
): string {
	const outcome = sourceOutcome(source);
	return source.followUp?.kind === 'dry_run' &&
		source.status === 'imported' &&
		outcome.counts.length > 0
		? `Would be: ${outcome.counts.join(', ')}`
		: uploadStatusText(source.status, outcome);
}
