import Papa from 'papaparse';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
	collectInvalidRows,
	extraColumns,
	mergeFailureRows,
	reportCsvBytes,
	type ExplainedRowLike,
	type RowPager
} from '../../../src/lib/core/report/collect';
import { reportCsv } from '../../../src/lib/core/report/csv';
import { ReportRowsChangedError } from '../../../src/lib/core/report/error';
import { refusedRow } from '../../../src/lib/core/report/rows';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import { ERROR_MASK } from '../../../src/lib/core/validate/codes';
import { ImportSession } from '../../../src/lib/pipeline/session';

const OPTIONS = { dateOrder: 'dmy' as const, defaultRegion: 'US', now: Date.UTC(2026, 0, 1) };

async function scanned(bytes: Uint8Array | string, name = 'users.csv') {
	const session = await ImportSession.open(new Blob([bytes as BlobPart]), name, {
		profile: REFERENCE_PROFILE
	});
	const mapping = session.preview.proposals.map((proposal) => proposal.field);
	const summary = await session.scan({ mapping, profile: REFERENCE_PROFILE, options: OPTIONS });
	const pager: RowPager = (offset, count) => session.filteredRows(ERROR_MASK, offset, count);
	return { session, summary, pager, columns: session.preview.layout.columns };
}

/** A pager over fixed rows that counts its calls. */
function fixedPager(rows: ExplainedRowLike[]) {
	const calls: [number, number][] = [];
	const pager: RowPager = async (offset, count) => {
		calls.push([offset, count]);
		return { total: rows.length, rows: rows.slice(offset, offset + count) };
	};
	return { pager, calls };
}

const explained = (row: number, fields: string[]): ExplainedRowLike => ({
	row,
	line: row + 2,
	fields,
	reasons: [{ code: 'invalid_email', message: 'Not an email address.' }]
});

describe('collectInvalidRows', () => {
	it('reports the legacy Windows-1252 file’s two invalid rows, 1-based, with original values', async () => {
		const bytes = readFileSync(new URL('../../fixtures/e2e/legacy-1252.csv', import.meta.url));
		const { pager, columns, summary } = await scanned(bytes, 'legacy-1252.csv');
		expect(summary.invalid).toBe(2);
		const { columns: reportColumns, rows } = await collectInvalidRows(pager, columns);
		expect(reportColumns).toEqual(columns);
		expect(rows.map((row) => [row.row, row.line, row.status, row.codes])).toEqual([
			[3, 4, 'invalid_row', ['invalid_boolean']],
			[5, 6, 'invalid_row', ['invalid_date']]
		]);
		expect(rows[0].values).toMatchObject({ name: 'Íñigo Pérez', verified: 'vielleicht' });
		expect(rows[1].values).toMatchObject({ name: 'Zoë Naïve', created_at: '31.02.2020' });
		expect(rows[0].messages).toHaveLength(1);
		expect(rows[0].messages[0]).not.toBe('');
	});

	it('pages through every invalid row, whatever the page size', async () => {
		const lines = Array.from({ length: 250 }, (_, i) =>
			i % 5 === 0 ? `${i},not-an-email` : `${i},user${i}@example.com`
		);
		const { pager, columns } = await scanned(`user_id,email\n${lines.join('\n')}\n`);
		let calls = 0;
		const counting: RowPager = (offset, count) => {
			calls++;
			return pager(offset, count);
		};
		const progress: [number, number][] = [];
		const { rows } = await collectInvalidRows(counting, columns, {
			pageSize: 7,
			onProgress: (done, total) => progress.push([done, total])
		});
		expect(rows.map((row) => row.row)).toEqual(Array.from({ length: 50 }, (_, i) => i * 5 + 1));
		expect(rows[1].values).toEqual({ user_id: '5', email: 'not-an-email' });
		expect(calls).toBe(Math.ceil(50 / 7));
		expect(progress.at(-1)).toEqual([50, 50]);
	});

	it('keeps rows with embedded newlines apart from their physical line', async () => {
		const { pager, columns } = await scanned(
			'user_id,email,name\n1,a@example.com,"Ann\nSmith"\n2,broken,"Bob\nJones"\n'
		);
		const { rows } = await collectInvalidRows(pager, columns);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ row: 2, line: 4, values: { name: 'Bob\nJones' } });
	});

	it('keeps the extra fields of ragged rows in columns of their own', async () => {
		const { pager, columns } = await scanned(
			'user_id,email\n1,a@example.com\n2,b@example.com,surplus,more\n'
		);
		const { columns: reportColumns, rows } = await collectInvalidRows(pager, columns);
		expect(reportColumns).toEqual(['user_id', 'email', 'extra field 1', 'extra field 2']);
		expect(rows).toHaveLength(1);
		expect(rows[0].codes).toEqual(['ragged_row']);
		expect(rows[0].values['extra field 2']).toBe('more');
	});

	it('asks once and writes only the header when nothing is invalid', async () => {
		const { pager, calls } = fixedPager([]);
		const collected = await collectInvalidRows(pager, ['email']);
		expect(collected.rows).toEqual([]);
		expect(calls).toEqual([[0, 2000]]);
		expect(new TextDecoder().decode(reportCsvBytes(collected.columns, collected.rows))).toBe(
			'row,line,status,reasons,messages,email\r\n'
		);
	});

	it('refuses pages that no longer belong together', async () => {
		const rows = [explained(0, ['a']), explained(1, ['b']), explained(2, ['c'])];
		let total = 3;
		const shrinking: RowPager = async (offset, count) => {
			const page = { total, rows: rows.slice(offset, offset + count) };
			total = 2;
			return page;
		};
		await expect(collectInvalidRows(shrinking, ['email'], { pageSize: 1 })).rejects.toThrow(
			ReportRowsChangedError
		);

		let current = true;
		const { pager } = fixedPager(rows);
		const rescanned: RowPager = async (offset, count) => {
			const page = await pager(offset, count);
			current = false;
			return page;
		};
		await expect(
			collectInvalidRows(rescanned, ['email'], { pageSize: 1, isCurrent: () => current })
		).rejects.toThrow(ReportRowsChangedError);
	});

	it('stops when aborted', async () => {
		const { pager } = fixedPager([explained(0, ['a'])]);
		await expect(
			collectInvalidRows(pager, ['email'], { signal: { aborted: true } })
		).rejects.toMatchObject({ code: 'aborted' });
	});
});

describe('extraColumns', () => {
	it('never repeats one of the file’s column names', () => {
		expect(extraColumns(['a'], 2)).toEqual(['extra field 1', 'extra field 2']);
		expect(extraColumns(['extra field 1', 'extra field 1 (2)'], 1)).toEqual(['extra field 1 (3)']);
		expect(extraColumns(['a'], 0)).toEqual([]);
	});
});

describe('mergeFailureRows and reportCsvBytes', () => {
	it('puts validation’s and the destination’s rows in row order, in one CSV', async () => {
		const columns = ['email', 'name'];
		const { pager } = fixedPager([explained(1, ['x@', 'X']), explained(6, ['=1+1', 'Y'])]);
		const invalid = await collectInvalidRows(pager, columns);
		const refused = [
			refusedRow(4, 5, columns, ['c@example.com', 'C'], 'not_found', 'No such user.'),
			refusedRow(9, 10, columns, ['d@example.com', 'D'], 'name_mismatch')
		];
		const rows = mergeFailureRows(invalid.rows, refused);
		expect(rows.map((row) => [row.row, row.status])).toEqual([
			[2, 'invalid_row'],
			[4, 'not_found'],
			[7, 'invalid_row'],
			[9, 'name_mismatch']
		]);
		const bytes = reportCsvBytes(columns, rows, 1);
		const text = new TextDecoder().decode(bytes);
		expect(text).toBe(reportCsv(columns, rows));
		const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
		expect(parsed[3]).toEqual([
			'7',
			'8',
			'invalid_row',
			'invalid_email',
			'Not an email address.',
			"'=1+1",
			'Y'
		]);
	});
});

describe('rows the admin dropped', () => {
	it('are listed with the dropped status, not as invalid rows', async () => {
		const pager: RowPager = async () => ({
			total: 1,
			rows: [
				{
					row: 4,
					line: 5,
					fields: ['u5'],
					reasons: [{ code: 'dropped', message: 'Dropped by hand in Ferry: not uploaded.' }],
					dropped: true
				}
			]
		});
		const { rows } = await collectInvalidRows(pager, ['user_id']);
		expect(rows).toEqual([
			{
				row: 5,
				line: 5,
				status: 'dropped',
				codes: ['dropped'],
				messages: ['Dropped by hand in Ferry: not uploaded.'],
				values: expect.objectContaining({ user_id: 'u5' })
			}
		]);
	});
});
