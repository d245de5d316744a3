import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ScanSummary } from '../../../src/lib/pipeline/session';

/*
 * The import page's state against a parse worker whose answers a test releases one by one: a scan
 * that a newer one replaced must not land, however late its answer comes.
 */

interface Pending {
	mapping: (string | null)[];
	answer: (summary: ScanSummary) => void;
	fail: (error: Error) => void;
}
const scans: Pending[] = [];

vi.mock('../../../src/lib/workers/parse-client', () => ({
	parseClient: {
		open: async () => ({
			size: 100,
			layout: { columns: ['email', 'name'], keys: ['email', 'name'] },
			proposals: [
				{ column: 0, field: 'email', confidence: 1, method: 'alias' },
				{ column: 1, field: 'name', confidence: 1, method: 'alias' }
			]
		}),
		scan: (mapping: (string | null)[]) =>
			new Promise<ScanSummary>((answer, fail) => scans.push({ mapping, answer, fail })),
		setEdits: async () => undefined,
		distinctValues: async () => []
	}
}));
vi.mock('../../../src/lib/storage/sources', () => ({
	createSource: async () => ({ id: 'source-1' }),
	findProfile: async () => null,
	loadEditSteps: async () => [],
	saveScanCounts: async () => true,
	saveProfile: async () => undefined,
	updateSource: async () => undefined,
	getSource: async () => undefined,
	loadSource: async () => undefined,
	clearEditSteps: async () => undefined,
	deleteEditStep: async () => undefined,
	saveEditStep: async () => undefined
}));
vi.mock('../../../src/lib/state/notify.svelte', () => ({
	notifier: { jobEnded: () => undefined },
	validationMessage: () => ''
}));
vi.mock('../../../src/lib/state/settings.svelte', async () => {
	const { REFERENCE_PROFILE } = await import('../../../src/lib/core/profiles/catalogue');
	return { settings: { profile: REFERENCE_PROFILE } };
});

/** A summary told apart from others by its row count. */
const summaryOf = (rows: number) => ({ rows, valid: rows, invalid: 0 }) as unknown as ScanSummary;

/** Lets every answer already given run its continuations. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

async function untilScans(count: number): Promise<void> {
	for (let wait = 0; scans.length < count && wait < 100; wait++) await settle();
	expect(scans).toHaveLength(count);
}

/** A dropped file, then a mapping change while its first scan is still out: two scans out. */
async function twoScans() {
	const { importer } = await import('../../../src/lib/state/importer.svelte');
	void importer.drop(new File(['email,name\n'], 'users.csv'));
	await untilScans(1);
	importer.setField(1, 'nickname');
	await untilScans(2);
	return importer;
}

afterEach(() => {
	scans.length = 0;
	vi.resetModules();
});

describe('Importer', () => {
	it('shows the newest scan, not an older one whose answer comes later', async () => {
		const importer = await twoScans();
		expect(scans[1].mapping).toEqual(['email', 'nickname']);

		scans[1].answer(summaryOf(2));
		await settle();
		expect(importer.phase).toBe('done');
		expect(importer.summary?.rows).toBe(2);

		scans[0].answer(summaryOf(1));
		await settle();
		expect(importer.summary?.rows).toBe(2);
		expect(importer.mapping).toEqual(['email', 'nickname']);
	});

	it('stays scanning while the newest scan is out, whatever an older one answers', async () => {
		const importer = await twoScans();

		scans[0].answer(summaryOf(1));
		await settle();
		expect(importer.phase).toBe('scanning');
		expect(importer.summary).toBeNull();

		scans[1].answer(summaryOf(2));
		await settle();
		expect(importer.summary?.rows).toBe(2);
	});

	it('does not fail for an older scan that ends with an error (as an aborted one does)', async () => {
		const importer = await twoScans();

		scans[0].fail(new DOMException('The scan was cancelled.', 'AbortError'));
		await settle();
		expect(importer.phase).toBe('scanning');
		expect(importer.error).toBeNull();

		scans[1].answer(summaryOf(2));
		await settle();
		expect(importer.phase).toBe('done');
	});
});
