import { throwIfAborted } from '../errors';
import { MAX_ROWS_PER_FILE, tooManyRows } from '../limits';
import { readRecords } from '../read';
import { Validator } from '../validate/validator';
import { Growable } from './growable';
import type { ScanEngine, ScanRequest, ScanResult } from './types';

/** The reference path: papaparse-based reading and the JavaScript rules, row by row. */
export const referenceEngine: ScanEngine = {
	name: 'js',
	async scan(request: ScanRequest): Promise<ScanResult> {
		const { source, layout, mapping, profile, options, signal, onProgress } = request;
		const maxRows = request.maxRows ?? Infinity;
		const validator = new Validator({ profile, mapping, columns: layout.columns, options });
		const rowStarts = new Growable((n) => new Float64Array(n));
		const rowEnds = new Growable((n) => new Float64Array(n));
		const rowLines = new Growable((n) => new Uint32Array(n));
		const extraKeys = new Set<string>();
		let bytes = layout.dataStart;

		const records = readRecords(source, layout, {
			signal,
			transform: request.transformRecord,
			onExtraKey: (key) => extraKeys.add(key),
			onProgress: (read) => (bytes = read),
			maxRecordBytes: request.maxRecordBytes
		});
		reading: for await (const batch of records) {
			throwIfAborted(signal);
			for (const record of batch) {
				if (rowStarts.length >= maxRows) break reading;
				if (rowStarts.length >= MAX_ROWS_PER_FILE) throw tooManyRows();
				if (record.tooLarge) validator.addTooLarge();
				else validator.add(record.fields, record.fieldCount, record.malformedQuote);
				rowStarts.push(record.start);
				rowEnds.push(record.end);
				rowLines.push(record.line);
			}
			onProgress?.({ bytes, total: source.size, rows: rowStarts.length });
		}

		const summary = validator.finish();
		onProgress?.({ bytes: source.size, total: source.size, rows: summary.rows });
		return {
			...summary,
			engine: referenceEngine.name,
			rowStarts: rowStarts.toArray(),
			rowEnds: rowEnds.toArray(),
			rowLines: rowLines.toArray(),
			extraKeys: [...extraKeys],
			roleValues: validator.roleValues(),
			firstRowOfKey: (key, value) => validator.firstRowOfKey(key, value),
			explain: (row, fields, fieldCount, malformedQuote) =>
				validator.explain(row, fields, fieldCount, malformedQuote)
		};
	}
};
