// A file with one record over the record limit is read to its end: the record is one invalid
// row (record_too_large), the others are checked, and no output carries its value.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from './run';
import { MAX_RECORD_BYTES } from '../../../src/lib/core/limits';
import { ensureIndexerBuilt } from '../../helpers/wasm-build';

beforeAll(() => ensureIndexerBuilt());

const huge = 'x'.repeat(MAX_RECORD_BYTES + 1);
const files = {
	'users.csv': `user_id,email,note\n1,a@example.com,ok\n2,b@example.com,${huge}\n3,c@example.com,ok\n`,
	'users.ndjson': [
		'{"user_id":"1","email":"a@example.com"}',
		`{"user_id":"2","email":"b@example.com","note":"${huge}"}`,
		'{"user_id":"3","email":"c@example.com"}'
	].join('\n')
};

describe('ferry validate with a record over the limit', () => {
	it.each(Object.keys(files) as (keyof typeof files)[])('%s', async (name) => {
		const path = join(mkdtempSync(join(tmpdir(), 'ferry-cli-')), name);
		writeFileSync(path, files[name]);
		const { code, stdout, stderr } = await run(['validate', path, '--json']);
		expect(stderr).toBe('');
		expect(code).toBe(0);
		// The record's value is nowhere: the whole answer is a few hundred bytes.
		expect(stdout.length).toBeLessThan(2000);
		expect(JSON.parse(stdout)).toMatchObject({
			rows: 3,
			valid: 2,
			invalid: 1,
			issues: { record_too_large: 1 }
		});
		const readable = await run(['validate', path]);
		expect(readable.code).toBe(0);
		expect(readable.stdout).toContain('record_too_large');
		expect(readable.stdout.length).toBeLessThan(5000);
	});
});
