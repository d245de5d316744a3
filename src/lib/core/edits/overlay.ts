/**
 * Fixes made in place: an overlay over the rows of a source (the file itself is never rewritten).
 * Per edited row, the cells the admin replaced and whether the row is dropped. A dropped row counts
 * as not in the file: it makes no other row a duplicate, is not uploaded, and the report lists it
 * as dropped rather than as a failure.
 */

/** One row's edits: replaced cell values by column index, and the dropped flag. */
export interface RowEdit {
	values: Record<number, string>;
	dropped: boolean;
}

/** The edits of a source, keyed by 0-based data row; rows without edits are absent. */
export type EditOverlay = ReadonlyMap<number, RowEdit>;

/** One row's edit before and after one action (null: the row had, or has, no edit). */
export interface RowChange {
	row: number;
	before: RowEdit | null;
	after: RowEdit | null;
}

/** One undoable action (an edited cell, a column replace, dropped rows): undone as one step. */
export interface EditStep {
	label: string;
	changes: RowChange[];
}

/** A record's fields with its row's edits applied: what every reader of a row sees. */
export function applyEdits(fields: string[], edit: RowEdit | null | undefined): string[] {
	if (!edit) return fields;
	let applied: string[] | null = null;
	for (const key in edit.values) {
		const column = Number(key);
		applied ??= fields.slice();
		while (applied.length <= column) applied.push('');
		applied[column] = edit.values[key];
	}
	return applied ?? fields;
}

/** The columns an edit replaced, in order. */
export function editedColumns(edit: RowEdit | null | undefined): number[] {
	return edit ? Object.keys(edit.values).map(Number) : [];
}

/** null for an edit that changes nothing, so an overlay holds only rows that differ. */
export function normalisedEdit(edit: RowEdit): RowEdit | null {
	return edit.dropped || Object.keys(edit.values).length > 0 ? edit : null;
}

/**
 * The edit after setting one cell: a value equal to the file's own is no edit at all, so writing
 * the original back undoes the cell.
 */
export function withCell(
	edit: RowEdit | null | undefined,
	column: number,
	value: string,
	original: string
): RowEdit | null {
	const values = { ...edit?.values };
	if (value === original) delete values[column];
	else values[column] = value;
	return normalisedEdit({ values, dropped: edit?.dropped ?? false });
}

/** The edit after dropping the row, or taking it back. */
export function withDropped(edit: RowEdit | null | undefined, dropped: boolean): RowEdit | null {
	return normalisedEdit({ values: { ...edit?.values }, dropped });
}

/** The step that undoes `step`. */
export function inverseStep(step: EditStep): EditStep {
	return {
		label: `Undo ${step.label}`,
		changes: step.changes.map(({ row, before, after }) => ({ row, before: after, after: before }))
	};
}

/** Applies one step to an overlay in place. */
export function applyStep(overlay: Map<number, RowEdit>, step: EditStep): void {
	for (const { row, after } of step.changes) {
		if (after) overlay.set(row, after);
		else overlay.delete(row);
	}
}
