import 'fake-indexeddb/auto';
import Dexie, { type DBCore, type Middleware } from 'dexie';
import { ISSUE_CODES } from '../../../src/lib/core/validate/codes';
import type { IssueCode } from '../../../src/lib/core/types';
import type { Preview, ScanSummary } from '../../../src/lib/pipeline/session';
import { FerryDatabase } from '../../../src/lib/storage/db';
import type { NewLocalSource } from '../../../src/lib/storage/sources';

export const CSV =
	'email,name,user_id\r\na@example.com,Ann,u1\r\nb@example.com,Bob,u2\r\nbad,Cy,u1\r\n';

export function bytesOf(text: string): Uint8Array<ArrayBuffer> {
	return new TextEncoder().encode(text);
}

export async function blobBytes(blob: Blob): Promise<Uint8Array> {
	return new Uint8Array(await blob.arrayBuffer());
}

export function samplePreview(fileName = 'users.csv'): Preview {
	return {
		fileName,
		size: CSV.length,
		info: { compression: null, encoding: 'utf-8', bom: false, overridden: false },
		layout: {
			format: 'csv',
			delimiter: ',',
			sepLine: false,
			header: true,
			columns: ['email', 'name', 'user_id'],
			keys: ['email', 'name', 'user_id'],
			duplicateHeaders: [],
			dataStart: 20,
			preset: null,
			jsonRoot: null
		},
		rows: [
			{ row: 0, line: 2, fields: ['a@example.com', 'Ann', 'u1'] },
			{ row: 1, line: 3, fields: ['b@example.com', 'Bob', 'u2'] },
			{ row: 2, line: 4, fields: ['bad', 'Cy', 'u1'] }
		],
		proposals: [
			{ column: 0, field: 'email', confidence: 1, method: 'alias' },
			{ column: 1, field: 'name', confidence: 1, method: 'alias' },
			{ column: 2, field: 'user_id', confidence: 1, method: 'alias' }
		],
		notices: []
	};
}

export function sampleSource(overrides: Partial<NewLocalSource> = {}): NewLocalSource {
	return {
		fileName: 'users.csv',
		file: new Blob([bytesOf(CSV)], { type: 'text/csv' }),
		preview: samplePreview(overrides.fileName),
		mapping: ['email', 'name', 'user_id'],
		readOptions: { encoding: null, dateOrder: 'dmy', defaultRegion: 'US' },
		...overrides
	};
}

function issueCounts(counts: Partial<Record<IssueCode, number>>): Record<IssueCode, number> {
	return Object.fromEntries(ISSUE_CODES.map((code) => [code, counts[code] ?? 0])) as Record<
		IssueCode,
		number
	>;
}

/** A scan's summary of the sample CSV: more than the counts a source stores. */
export function sampleSummary(): ScanSummary {
	return {
		engine: 'js',
		rows: 3,
		valid: 2,
		invalid: 1,
		warnings: 0,
		validWithWarnings: 0,
		issueCounts: issueCounts({ invalid_email: 1, duplicate_user_id: 1 }),
		dateOrders: [],
		extraKeys: [],
		duplicateRows: 1,
		credentials: {},
		notices: []
	};
}

/** A fresh database name per call, for tests that open their own connections. */
export function uniqueName(prefix: string): string {
	return `${prefix}-${crypto.randomUUID()}`;
}

/**
 * How a full disk shows: the write request fails with QuotaExceededError, or (Chrome, usually) every
 * request succeeds and the transaction aborts at commit with QuotaExceededError as its error.
 */
export type QuotaFailure = 'request' | 'commit';

/** fake-indexeddb's internal abort, which sets the transaction's error the way a browser does. */
interface FakeTransaction {
	_abort(errorName: string): void;
}

/**
 * Makes writes to `table` fail like a full disk while `control.failing` is true. Dexie builds its
 * middleware stack when it opens, so this closes and reopens the database.
 */
export async function simulateQuota(db: Dexie, table: string, failure: QuotaFailure = 'request') {
	const control = { failing: true };
	const middleware: Middleware<DBCore> = {
		stack: 'dbcore',
		name: 'test-quota',
		create: (down) => ({
			...down,
			table(name) {
				const inner = down.table(name);
				return {
					...inner,
					async mutate(request) {
						if (!control.failing || name !== table) return inner.mutate(request);
						if (failure === 'request') {
							throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
						}
						const response = await inner.mutate(request);
						(request.trans as unknown as FakeTransaction)._abort('QuotaExceededError');
						return response;
					}
				};
			}
		})
	};
	db.close({ disableAutoOpen: false });
	db.use(middleware);
	await db.open();
	return {
		control,
		async remove() {
			db.close({ disableAutoOpen: false });
			db.unuse({ stack: 'dbcore', name: 'test-quota' });
			await db.open();
		}
	};
}

/** A FerryDatabase that a later release upgraded to the version after today's (test-only). */
export class FerryDatabaseNext extends FerryDatabase {
	constructor(name: string) {
		super(name);
		this.version(this.verno + 1).stores({ notes: 'id' });
	}
}
