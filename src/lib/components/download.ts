/*
 * Saving bytes the page made (a CSV, a key file) as a download, without any server: a blob URL
 * clicked through a detached link.
 */

// Revoking too early can cancel a download that has not started reading the blob yet (FileSaver.js
// waits 40 s for the same reason); the URL is useless to anyone but this page meanwhile.
export const REVOKE_AFTER_MS = 40_000;

export function downloadFile(parts: BlobPart[], name: string, type: string): void {
	const url = URL.createObjectURL(new Blob(parts, { type }));
	const link = document.createElement('a');
	link.href = url;
	link.download = name;
	link.rel = 'noopener';
	link.click();
	setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}

/** "team/report.ferry-report" → "report.csv": a name for the decrypted report. */
export function csvNameFor(reportName: string): string {
	const base = reportName.split(/[\\/]/).pop() ?? reportName;
	const stem = base.replace(/\.ferry-report$/i, '').replace(/\.[^.]*$/, '');
	return `${stem || 'failure-report'}.csv`;
}
