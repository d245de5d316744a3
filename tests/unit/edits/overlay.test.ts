import { describe, expect, it } from 'vitest';
import {
	applyEdits,
	applyStep,
	editedColumns,
	inverseStep,
	withCell,
	withDropped,
	type RowEdit
} from '../../../src/lib/core/edits/overlay';
import { cellReplacer, patternError } from '../../../src/lib/core/edits/replace';

describe('the edit overlay', () => {
	it('applies replaced cells without touching the record, and pads a short one', () => {
		const fields = ['u1', 'a@x.com'];
		const edit: RowEdit = { values: { 1: 'b@x.com', 3: 'en' }, dropped: false };
		expect(applyEdits(fields, edit)).toEqual(['u1', 'b@x.com', '', 'en']);
		expect(fields).toEqual(['u1', 'a@x.com']);
		expect(applyEdits(fields, undefined)).toBe(fields);
		expect(editedColumns(edit)).toEqual([1, 3]);
	});

	it('writing the original value back is no edit; an edit with nothing left is none', () => {
		const edit = withCell(null, 1, 'b@x.com', 'a@x.com');
		expect(edit).toEqual({ values: { 1: 'b@x.com' }, dropped: false });
		expect(withCell(edit, 1, 'a@x.com', 'a@x.com')).toBeNull();
		const dropped = withDropped(edit, true);
		expect(dropped).toEqual({ values: { 1: 'b@x.com' }, dropped: true });
		expect(withDropped(withDropped(null, true), false)).toBeNull();
	});

	it('undoes a step by its inverse', () => {
		const overlay = new Map<number, RowEdit>();
		const step = {
			label: 'Drop row 3',
			changes: [{ row: 2, before: null, after: { values: {}, dropped: true } }]
		};
		applyStep(overlay, step);
		expect(overlay.get(2)?.dropped).toBe(true);
		applyStep(overlay, inverseStep(step));
		expect(overlay.size).toBe(0);
	});
});

describe('replace in column', () => {
	it('exact: the whole trimmed cell', () => {
		const replace = cellReplacer({ column: 0, mode: 'exact', find: 'N/A', replacement: '' });
		expect(replace(' N/A ')).toBe('');
		expect(replace('N/A x')).toBeNull();
	});

	it('pattern: every match, with groups; unchanged cells are null', () => {
		const replace = cellReplacer({
			column: 0,
			mode: 'pattern',
			find: '@old\\.example$',
			replacement: '@new.example'
		});
		expect(replace('ada@old.example')).toBe('ada@new.example');
		expect(replace('ada@other.example')).toBeNull();
		const swap = cellReplacer({
			column: 0,
			mode: 'pattern',
			find: '(\\w+) (\\w+)',
			replacement: '$2 $1'
		});
		expect(swap('Ada Lovelace')).toBe('Lovelace Ada');
		const caseless = cellReplacer({
			column: 0,
			mode: 'pattern',
			find: 'yes',
			replacement: 'true',
			ignoreCase: true
		});
		expect(caseless('YES')).toBe('true');
	});

	it('says clearly why a pattern cannot be used', () => {
		expect(patternError({ column: 0, mode: 'pattern', find: '(', replacement: '' })).toMatch(
			/^This is not a valid pattern: /
		);
		expect(patternError({ column: 0, mode: 'pattern', find: '', replacement: '' })).toBe(
			'Type a pattern to look for.'
		);
		expect(patternError({ column: 0, mode: 'exact', find: '(', replacement: '' })).toBeNull();
	});
});
