/**
 * Ferry's own shapes: `csv`, `json` and `ndjson` of the canonical fields (or the chosen ones,
 * renamed), and `loginsign`, the CSV of LoginSign's import template. Every value is the canonical
 * one; a structured value (addresses, the credential, roles, metadata) is its JSON, which Ferry's
 * readers take back whole.
 */
import { PROFILES } from '../profiles/catalogue';
import { credentialTakenBy } from '../profiles/rules';
import { FIELDS } from '../schema/fields';
import { csvCell } from '../schema/templates';
import type { FieldName } from '../types';
import type { CanonicalRecord } from '../validate/normalize';
import { OutputFile } from './output';
import { chosenRecords, credentialOf, text } from './records';
import type { ConvertOptions, ConvertPiece, Target } from './types';

/** The fields a canonical record can carry (a bare hash and salt arrive inside `password`). */
export const WRITABLE_FIELDS: readonly FieldName[] = FIELDS.map((field) => field.name).filter(
	(name) => name !== 'password_hash' && name !== 'password_salt'
);

/** A value as one cell of text: flat values as they are, structured ones as their JSON. */
function cellText(value: unknown): string {
	return typeof value === 'string' ? value : JSON.stringify(value);
}

function columnsOf(options: ConvertOptions): { field: FieldName; name: string }[] {
	return (options.fields ?? WRITABLE_FIELDS).map((field) => ({
		field,
		name: options.rename?.[field] ?? field
	}));
}

type Shape = 'csv' | 'json' | 'ndjson';

const EXTENSION: Record<Shape, string> = { csv: 'csv', json: 'json', ndjson: 'ndjson' };

function tableTarget(shape: Shape, label: string): Target {
	return {
		name: shape,
		label,
		profile: null,
		holds: WRITABLE_FIELDS,
		limits: { bytesPerFile: null, rowsPerFile: null },
		skipReason: () => null,
		keepsPassword: () => true,
		async *write(records, options): AsyncIterable<ConvertPiece> {
			const columns = columnsOf(options);
			const file = new OutputFile(`users.${EXTENSION[shape]}`);
			if (shape === 'csv') file.write(`${columns.map(({ name }) => csvCell(name)).join(',')}\r\n`);
			if (shape === 'json') file.write('[');
			for await (const [record] of chosenRecords(records, options)) {
				let line: string;
				if (shape === 'csv') {
					line = `${columns.map(({ field }) => (record[field] === undefined ? '' : csvCell(cellText(record[field])))).join(',')}\r\n`;
				} else {
					const out: Record<string, unknown> = {};
					for (const { field, name } of columns)
						if (record[field] !== undefined) out[name] = record[field];
					const json = JSON.stringify(out);
					line = shape === 'ndjson' ? `${json}\n` : `${file.rows === 0 ? '\n' : ',\n'}${json}`;
				}
				const piece = file.write(line, 1);
				if (piece) yield piece;
			}
			if (shape === 'json') file.write(file.rows === 0 ? ']\n' : '\n]\n');
			yield* file.close();
		}
	};
}

export const csvTarget = tableTarget('csv', 'CSV of the canonical fields');
export const jsonTarget = tableTarget('json', 'JSON array of the canonical fields');
export const ndjsonTarget = tableTarget('ndjson', 'NDJSON of the canonical fields');

const LOGINSIGN = PROFILES.loginsign;
/** The columns of LoginSign's import template (schema/templates.ts templateCsv). */
const LOGINSIGN_COLUMNS = LOGINSIGN.fields.map((field) => field.name);

/** A LoginSign template row: a bare bcrypt in password_hash as the template shows, else the credential. */
function loginSignRow(record: CanonicalRecord): string {
	const found = credentialOf(record);
	const credential = (found && credentialTakenBy(LOGINSIGN, found)?.credential) ?? undefined;
	const bare = credential?.algorithm === 'bcrypt' && credential.salt === undefined;
	return LOGINSIGN_COLUMNS.map((field) => {
		if (field === 'password_hash') return bare ? csvCell(credential.hash) : '';
		if (field === 'password') return credential && !bare ? csvCell(JSON.stringify(credential)) : '';
		const value = record[field];
		return value === undefined ? '' : csvCell(cellText(value));
	}).join(',');
}

export const loginSignTarget: Target = {
	name: 'loginsign',
	label: 'LoginSign import template (CSV)',
	profile: LOGINSIGN,
	holds: WRITABLE_FIELDS,
	limits: { bytesPerFile: null, rowsPerFile: null },
	skipReason: (record) =>
		text(record, 'user_id') === ''
			? 'no_user_id'
			: text(record, 'email') === ''
				? 'no_email'
				: null,
	keepsPassword: (credential) => credentialTakenBy(LOGINSIGN, credential) !== null,
	async *write(records, options): AsyncIterable<ConvertPiece> {
		const file = new OutputFile('users.csv');
		file.write(`${LOGINSIGN_COLUMNS.map(csvCell).join(',')}\r\n`);
		for await (const [record, index] of chosenRecords(records, options)) {
			const reason = this.skipReason(record);
			if (reason) {
				yield { kind: 'skip', reason, record: index };
				continue;
			}
			const piece = file.write(`${loginSignRow(record)}\r\n`, 1);
			if (piece) yield piece;
		}
		yield* file.close();
	}
};
