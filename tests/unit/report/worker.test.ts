import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import {
	decryptReport,
	encodeRecipientKey,
	generateRecipientKeyPair,
	ReportRowsChangedError,
	reportCsv,
	type ExplainedRowLike,
	type RowPager
} from '../../../src/lib/core/report';
import { WorkerError } from '../../../src/lib/workers/errors';
import { workerOverChannel } from '../../helpers/worker-over-channel';
import type { ReportWorkerApi } from '../../../src/lib/workers/report.worker';

/*
 * The report worker, its global scope played by one end of a MessageChannel: the same Comlink
 * messages the browser's worker receives, the pager and progress as proxies to this side.
 */
describe('report.worker', () => {
	const remote = workerOverChannel<ReportWorkerApi>(
		() => import('../../../src/lib/workers/report.worker')
	);

	const ROWS: ExplainedRowLike[] = [
		{
			row: 1,
			line: 3,
			fields: ['u2', 'broken'],
			reasons: [{ code: 'invalid_email', message: 'No @.' }]
		},
		{
			row: 4,
			line: 6,
			fields: ['u5', 'x', 'extra'],
			reasons: [{ code: 'ragged', message: 'Too many.' }]
		}
	];
	const pager: RowPager = async (offset, count) => ({
		total: ROWS.length,
		rows: ROWS.slice(offset, offset + count)
	});

	it('collects, writes and seals the report; the admin key opens it', async () => {
		const admin = await generateRecipientKeyPair();
		const recipients = await remote().readRecipients(
			`\n${await encodeRecipientKey(admin.publicKey)}\n`
		);
		expect(recipients.problem).toBeNull();
		const columns = await remote().collect(
			['user_id', 'email'],
			Comlink.proxy(pager),
			Comlink.proxy(() => {})
		);
		expect(columns).toEqual(['user_id', 'email', 'extra field 1']);
		const sealed = await remote().seal({
			refused: [],
			extraRows: [],
			recipients: recipients.keys,
			cost: 'interactive'
		});
		expect(sealed.rows).toBe(2);
		const csv = new TextDecoder().decode(await decryptReport(sealed.bytes, admin));
		expect(csv.split('\r\n')[0]).toBe(reportCsv(columns, []).trim());
		expect(csv).toContain('2,3,invalid_row,invalid_email,No @.,u2,broken,');
	});

	it('names bad recipient lines', async () => {
		expect((await remote().readRecipients('not a key')).problem).toMatch(/^Line 1 is not/);
	});

	it('passes an error of the pager back with its name and code', async () => {
		const changed: RowPager = async () => {
			throw new ReportRowsChangedError();
		};
		const error = await remote()
			.collect(
				['a'],
				Comlink.proxy(changed),
				Comlink.proxy(() => {})
			)
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(WorkerError);
		expect(error).toMatchObject({ name: 'ReportRowsChangedError', code: 'rows_changed' });
	});
});
