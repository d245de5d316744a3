import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layoutSources } from '../../../wasm/generate-layout.mjs';
import { CsvControl, JsonControl, RowCheck, RowConfig } from '../../../src/lib/core/wasm/layout';

const root = join(import.meta.dirname, '../../..');

describe('the layout shared across the WebAssembly boundary', () => {
	it('is generated from wasm/layout.mjs as committed (else run npm run build:wasm)', async () => {
		const sources = await layoutSources(root);
		for (const [path, text] of Object.entries(sources)) {
			expect(readFileSync(join(root, path), 'utf8'), path).toBe(text);
		}
	});

	it('puts each field at an offset aligned to its size, inside its block', () => {
		expect(CsvControl.POSITION % 8).toBe(0);
		expect(CsvControl.SIZE).toBe(CsvControl.QUOTE_LINE + 8);
		expect(JsonControl.SIZE).toBe(JsonControl.ERROR_COLUMN + 8);
		expect(RowCheck.MAX_LENGTH).toBe(24);
		expect(RowConfig.SIZE).toBeGreaterThanOrEqual(RowConfig.BIT_CONTROL + 4);
	});
});
