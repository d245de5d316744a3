/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import {
	collectInvalidRows,
	encryptReport,
	mergeFailureRows,
	readRecipients,
	reportCsvBytes,
	type FailureRow,
	type ReportCost,
	type RowPager
} from '../core/report';
import './errors';

/*
 * The failure report, off the main thread: collects the invalid rows (paged by the caller from the
 * parse worker), writes the CSV and encrypts it, Argon2id included. The client starts one worker
 * per report and terminates it right after, so the plaintext, the key and Argon2's memory leave
 * with it; libsodium loads here, never in the import page itself.
 */

export interface SealInput {
	/** Rows the destination refused, keyed by the collected columns. */
	refused: FailureRow[];
	/** Rows the caller adds (the uploader's results). */
	extraRows: FailureRow[];
	password?: string;
	recipients: Uint8Array[];
	cost: ReportCost;
}

let collected: { columns: string[]; rows: FailureRow[] } | null = null;

const api = {
	/** Admins' public keys pasted one per line (readRecipients). */
	readRecipients(text: string) {
		return readRecipients(text);
	},

	/** Pages every invalid row in; answers the report's columns (the source's, then extra ones). */
	async collect(
		columns: string[],
		pager: RowPager,
		onProgress: (collected: number, total: number) => void
	): Promise<string[]> {
		collected = await collectInvalidRows(pager, columns, { onProgress });
		return collected.columns;
	},

	/** The encrypted report of the collected rows and `input`'s; its bytes moved to the caller. */
	async seal(input: SealInput): Promise<{ bytes: Uint8Array; rows: number }> {
		if (!collected) throw new Error('No rows were collected for the report.');
		const rows = mergeFailureRows(collected.rows, input.refused, input.extraRows);
		const plaintext = reportCsvBytes(collected.columns, rows);
		collected = null;
		try {
			const bytes = await encryptReport(plaintext, {
				password: input.password,
				recipients: input.recipients,
				cost: input.cost
			});
			return Comlink.transfer({ bytes, rows: rows.length }, [bytes.buffer]);
		} finally {
			plaintext.fill(0);
		}
	}
};

export type ReportWorkerApi = typeof api;

Comlink.expose(api);
