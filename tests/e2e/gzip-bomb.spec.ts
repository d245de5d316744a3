import { expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGzipBomb } from '../helpers/gzip-bomb';
import { failOnConsoleErrors } from './console';

failOnConsoleErrors();

test('a gzip bomb stops at the compression-ratio limit, with that message, in bounded time', async ({
	page
}) => {
	// 2 GiB of `a,b\n` in about 10 MB: the tab used to reach 10 GB before a misleading message.
	const path = join(mkdtempSync(join(tmpdir(), 'ferry-e2e-bomb-')), 'users.csv.gz');
	await writeGzipBomb(path, 2 * 1024 ** 3);
	await page.goto('/');
	await page.getByTestId('dropzone').waitFor();
	const started = Date.now();
	await page.getByTestId('file-input').setInputFiles(path);
	const error = page.getByTestId('error');
	await expect(error).toContainText('the compression-ratio limit (100:1)', { timeout: 20_000 });
	await expect(error).not.toContainText('permission');
	expect(Date.now() - started).toBeLessThan(20_000);
});
