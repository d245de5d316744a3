import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../../../scripts/bundle.mjs';
import { USER_EXPORT_HEADER, userExportRecords } from '../../../scripts/lib/user-export';
import { ensureIndexerBuilt } from '../../helpers/wasm-build';

// The range worker threads run from the bundle (dist/range-worker.js), so the CLI runs as built.
const bin = fileURLToPath(new URL('../../../bin/ferry.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ferry-threads-'));

beforeAll(async () => {
	ensureIndexerBuilt();
	await bundleCli();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function validate(path: string, threads: number): unknown {
	const args = [bin, 'validate', path, '--json', '--region', 'US', '--date-order', 'mdy'];
	return JSON.parse(
		execFileSync('node', [...args, '--threads', String(threads)], { encoding: 'utf8' })
	);
}

describe('ferry validate --threads', () => {
	it('gives the one-thread answer with range workers, duplicates spanning ranges included', () => {
		// About 24 MB: six 4 MiB ranges, so that later ranges are scanned into the arrays of earlier
		// ones, given back once merged. The export repeats emails all over the file; the first
		// record is repeated (user_id and email) at the end and in the middle, across ranges.
		const records: string[] = [];
		let bytes = 0;
		for (const record of userExportRecords()) {
			if (bytes >= 24e6) break;
			records.push(record);
			bytes += record.length;
		}
		const middle = Math.floor(records.length / 2);
		records.splice(middle, 0, records[0]);
		records.push(records[0], records[middle + 1]);
		const path = join(dir, 'users.csv');
		writeFileSync(path, USER_EXPORT_HEADER + records.join(''));

		const one = validate(path, 1) as { engine: string; issues: Record<string, number> };
		expect(one.engine).toMatch(/^wasm/);
		expect(one.issues.duplicate_user_id).toBeGreaterThanOrEqual(3);
		expect(validate(path, 2)).toEqual(one);
		expect(validate(path, 3)).toEqual(one);
	});

	it('refuses a thread count that is not a whole number of at least 1', () => {
		expect(() =>
			execFileSync('node', [bin, 'validate', 'x.csv', '--threads', '0'], { stdio: 'pipe' })
		).toThrow(/--threads/);
	});
});
