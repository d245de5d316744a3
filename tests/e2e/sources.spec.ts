import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';

/*
 * /sources reads what the import page stores. Until that page saves sources, records are written
 * straight into the app's IndexedDB store (after the app has created it), then the page reloads.
 */

test.use({ locale: 'en-US' });

function sourceRecord(overrides: Record<string, unknown>) {
	return {
		createdAt: Date.UTC(2025, 0, 10, 9),
		updatedAt: Date.UTC(2025, 0, 10, 10),
		status: 'draft',
		step: 'mapping',
		fileBytes: 1000,
		headerSignature: 'email|name',
		mapping: ['email', 'given_name'],
		readOptions: { encoding: null, dateOrder: 'dmy', defaultRegion: 'US' },
		counts: null,
		resultCounts: {},
		destination: null,
		...overrides
	};
}

const IMPORTED = sourceRecord({
	id: 'source-imported',
	name: 'auth0-export.ndjson.gz',
	fileName: 'auth0-export.ndjson.gz',
	status: 'imported',
	step: 'results',
	fileBytes: 2_400_000,
	counts: { rows: 1200, valid: 1180, invalid: 20, warnings: 3 },
	resultCounts: { imported: 1150, not_found: 30 }
});
const DRAFT = sourceRecord({
	id: 'source-draft',
	name: 'Legacy users',
	fileName: 'legacy-1252.csv',
	// Touched now: a draft only dropped and left untouched for a day is tidied away on app start.
	updatedAt: Date.now()
});

async function seedSources(page: Page, records: object[]) {
	await page.evaluate(async (records) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('ferry');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		await new Promise<void>((resolve, reject) => {
			const transaction = db.transaction('sources', 'readwrite');
			for (const record of records) transaction.objectStore('sources').put(record);
			transaction.oncomplete = () => resolve();
			transaction.onerror = () => reject(transaction.error);
		});
		db.close();
	}, records);
}

async function openEmptySources(page: Page) {
	await page.goto('/sources');
	// Shown once the database has answered, so the app has created its schema by then.
	await expect(page.getByTestId('sources-empty')).toBeVisible();
}

test('an empty device: the empty state, the storage estimate, and delete-all confirmed', async ({
	page
}) => {
	await openEmptySources(page);
	await expectNoAxeViolations(page, 'sources: empty');
	await expect(page.getByTestId('sources-table')).toHaveCount(0);
	await expect(page.getByTestId('storage-usage')).toContainText('Ferry uses');
	await expect(page.getByTestId('storage-persistence')).toHaveAttribute(
		'data-state',
		/^(persisted|best-effort|unsupported)$/
	);

	const dialog = page.getByTestId('confirm-dialog').filter({ hasText: 'Delete all local data?' });
	await page.getByTestId('delete-all').click();
	await expect(dialog).toBeVisible();
	await dialog.getByTestId('confirm-cancel').click();
	await expect(dialog).toBeHidden();

	await page.getByTestId('delete-all').click();
	await dialog.getByTestId('confirm-accept').click();
	await expect(dialog).toBeHidden();
	await expect(page.getByTestId('delete-all')).toHaveText('Delete all local data');
	await expect(page.getByTestId('sources-empty')).toBeVisible();
	await expect(page.getByTestId('sources-error')).toHaveCount(0);
});

test('stored sources are listed newest first, deleted one by one, then all at once', async ({
	page
}) => {
	await openEmptySources(page);
	await seedSources(page, [IMPORTED, DRAFT]);
	await page.reload();

	const rows = page.getByTestId('source-row');
	await expect(rows).toHaveCount(2);
	await expect(rows.nth(0)).toHaveAttribute('data-id', 'source-draft');
	await expect(rows.nth(1)).toHaveAttribute('data-id', 'source-imported');

	await expectNoAxeViolations(page, 'sources: listed');
	const draft = rows.nth(0);
	await expect(draft.getByTestId('source-open')).toHaveText('Legacy users');
	await expect(draft).toContainText('legacy-1252.csv');
	await expect(draft.getByTestId('source-status')).toHaveText('Draft');
	await expect(draft.getByTestId('source-step')).toHaveText('Mapping');
	await expect(draft.getByTestId('source-counts')).toContainText('not checked yet');

	const imported = rows.nth(1);
	await expect(imported.getByTestId('source-open')).toHaveAttribute(
		'href',
		'/?source=source-imported'
	);
	// A finished run is listed with its real counts, not just "Imported".
	await expect(imported.getByTestId('source-status')).toHaveText('1,150 imported · 30 not found');
	await expect(imported.getByTestId('source-step')).toHaveText('Results');
	await expect(imported.getByTestId('source-size')).toHaveText('2.4 MB');
	await expect(imported.getByTestId('source-counts')).toContainText(
		'1,200 rows: 1,180 valid, 20 invalid, 3 with warnings'
	);
	await expect(imported.getByTestId('source-results')).toHaveCount(0);
	await expect(imported).toContainText('Jan 10, 2025');

	const confirmOne = page.getByTestId('confirm-dialog').filter({ hasText: 'Delete this source?' });
	// Cancelling keeps the source.
	await imported.getByTestId('source-delete').click();
	await expect(confirmOne).toContainText('auth0-export.ndjson.gz');
	await confirmOne.getByTestId('confirm-cancel').click();
	await expect(rows).toHaveCount(2);

	// The list follows the database (liveQuery): no reload needed.
	await imported.getByTestId('source-delete').click();
	await confirmOne.getByTestId('confirm-accept').click();
	await expect(rows).toHaveCount(1);
	await expect(rows.nth(0)).toHaveAttribute('data-id', 'source-draft');

	const confirmAll = page
		.getByTestId('confirm-dialog')
		.filter({ hasText: 'Delete all local data?' });
	await page.getByTestId('delete-all').click();
	await confirmAll.getByTestId('confirm-accept').click();
	await expect(page.getByTestId('sources-empty')).toBeVisible();

	await page.reload();
	await expect(page.getByTestId('sources-empty')).toBeVisible();
});

test('another tab upgrading the database shows the reload notice', async ({ page, context }) => {
	await openEmptySources(page);
	await expect(page.getByTestId('connection-notice')).toHaveCount(0);

	// Same origin, without the app: a newer schema opened by "another tab".
	const other = await context.newPage();
	await other.goto('/favicon.svg');
	await other.evaluate(async () => {
		const current = await new Promise<number>((resolve, reject) => {
			const request = indexedDB.open('ferry');
			request.onsuccess = () => {
				request.result.close();
				resolve(request.result.version);
			};
			request.onerror = () => reject(request.error);
		});
		await new Promise<void>((resolve, reject) => {
			const request = indexedDB.open('ferry', current + 10);
			request.onsuccess = () => {
				request.result.close();
				resolve();
			};
			request.onerror = () => reject(request.error);
		});
	});

	const notice = page.getByTestId('connection-notice');
	await expect(notice).toHaveAttribute('data-kind', 'upgraded-elsewhere');
	await expect(notice).toContainText(
		'Ferry was updated in another tab. Reload this tab to continue.'
	);
	await expect(page.getByTestId('reload')).toBeVisible();
	await expect(page.getByTestId('delete-all')).toBeDisabled();
});
