/** A long job's progress as the admin reads it: how long is left, in words. */

/** Below this, the pace of a job is mostly its start-up: no estimate is shown. */
export const MIN_ESTIMATE_MS = 1000;

/**
 * Milliseconds left at the pace so far (`done` of `total` in `elapsedMs`), or null while the
 * estimate would mislead: before MIN_ESTIMATE_MS has passed or before anything is done.
 */
export function timeLeftMs(done: number, total: number, elapsedMs: number): number | null {
	if (elapsedMs < MIN_ESTIMATE_MS || done <= 0 || total <= 0) return null;
	if (done >= total) return 0;
	return ((total - done) / done) * elapsedMs;
}

/** "12 s", "3 min 5 s", "1 h 4 min"; "—" when unknown. */
export function formatDuration(ms: number | null): string {
	if (ms === null || !Number.isFinite(ms)) return '—';
	const seconds = Math.round(ms / 1000);
	if (seconds < 60) return `${seconds} s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
	return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
