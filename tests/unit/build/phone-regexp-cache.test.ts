import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cachePhonePatterns } from '../../../vite-plugins/phone-regexp-cache.js';

const library = join(import.meta.dirname, '../../../node_modules/libphonenumber-js');

const scratch = mkdtempSync(join(tmpdir(), 'ferry-phone-'));
let modules = 0;

/** The helper module's default export, from its (possibly transformed) source. */
async function helperOf(code: string): Promise<(text: string, pattern: string) => boolean> {
	const file = join(scratch, `helper-${modules++}.mjs`);
	// Without its source-map comment: the map file is not beside the copy.
	writeFileSync(file, code.replace(/\/\/# sourceMappingURL=.*/, ''));
	return (await import(/* @vite-ignore */ pathToFileURL(file).href)).default;
}

describe('the phone pattern cache', () => {
	it.each(['es6', 'es6-modern', 'source'])('patches the %s build and matches as it did', async (build) => {
		const code = readFileSync(join(library, build, 'helpers/matchesEntirely.js'), 'utf8');
		const original = await helperOf(code);
		const cached = await helperOf(cachePhonePatterns(code, build));
		const cases: [string, string][] = [
			['2025550143', '[2-9]\\d{9}'],
			['12', '[2-9]\\d{9}'],
			['2025550143', '[2-9]\\d{9}'],
			['', '\\d*'],
			['abc', 'a|abc'],
			['abcd', 'a|abc']
		];
		for (const [text, pattern] of cases) expect(cached(text, pattern)).toBe(original(text, pattern));
		expect(cases.map(([text, pattern]) => cached(text, pattern))).toEqual([
			true,
			false,
			true,
			true,
			true,
			false
		]);
	});

	it('refuses a helper that no longer has the line it replaces', () => {
		expect(() => cachePhonePatterns('export default () => true', 'x.js')).toThrow(/changed/);
	});
});
