import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteAllLocalData, getDatabase } from '../../../src/lib/storage/db';
import {
	clearEditSteps,
	createSource,
	deleteSource,
	loadEditSteps,
	deleteEditStep,
	saveEditStep
} from '../../../src/lib/storage/sources';
import { sampleSource } from './helpers';

beforeEach(async () => {
	await deleteAllLocalData();
});

const cell = (row: number, value: string) => ({
	label: `edit row ${row + 1}`,
	changes: [{ row, before: null, after: { values: { 1: value }, dropped: false } }]
});

describe('edit steps stored with a source', () => {
	it('keeps steps in order, deletes the latest (undo) and clears them all (undo all)', async () => {
		const { id } = await createSource(sampleSource());
		expect(await saveEditStep(id, cell(0, 'a@x.com'))).toBe(0);
		expect(await saveEditStep(id, cell(1, 'b@x.com'))).toBe(1);
		expect(await saveEditStep(id, cell(2, 'c@x.com'))).toBe(2);
		expect((await loadEditSteps(id)).map((step) => step.seq)).toEqual([0, 1, 2]);
		await deleteEditStep(id, 2);
		expect(await saveEditStep(id, cell(3, 'd@x.com'))).toBe(2);
		expect((await loadEditSteps(id)).map((step) => step.label)).toEqual([
			'edit row 1',
			'edit row 2',
			'edit row 4'
		]);
		await clearEditSteps(id);
		expect(await loadEditSteps(id)).toEqual([]);
	});

	it('are deleted with their source, and never mix with another source', async () => {
		const first = await createSource(sampleSource());
		const second = await createSource(sampleSource());
		await saveEditStep(first.id, cell(0, 'a@x.com'));
		await saveEditStep(second.id, cell(0, 'z@x.com'));
		await deleteSource(first.id);
		expect(await getDatabase().edits.where('sourceId').equals(first.id).count()).toBe(0);
		expect((await loadEditSteps(second.id)).map((step) => step.changes[0].after)).toEqual([
			{ values: { 1: 'z@x.com' }, dropped: false }
		]);
	});
});
