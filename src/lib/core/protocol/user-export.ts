/**
 * Exporting users out of a destination (`GET /users`), shared by the CLI (`ferry export`) and the
 * app: which fields, under which names, in JSON or CSV, and what a refusal means for people.
 * Pure: the callers fetch and write.
 */
import Papa from 'papaparse';
import { neutraliseFormula } from '../report/csv';
import {
	EXPORTED_USER_FIELDS,
	USER_CURSOR_TTL_MS,
	USER_FILTER_NAMES,
	type ExportedUser,
	type UserFilters,
	type UserPackage
} from './import-api';

export const EXPORT_FORMATS = ['json', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** How many users "a sample" is. */
export const EXPORT_SAMPLE_SIZE = 10;

/** An export's choices, checked: the fields in order and the name each is written under. */
export interface ExportPlan {
	format: ExportFormat;
	/** Fields in output order; all exported fields when none were chosen. */
	fields: readonly string[];
	/** Output name of each field (its own name unless renamed). */
	names: readonly string[];
}

export class ExportChoiceError extends Error {
	override readonly name = 'ExportChoiceError';
}

/**
 * Checks the chosen fields (none = every exported field) and renames (`from=to`). An unknown
 * field, a rename of a field not exported, or two columns with one name are refused.
 */
export function exportPlan(
	format: ExportFormat,
	chosen: readonly string[],
	renames: readonly string[]
): ExportPlan {
	const known = new Set(EXPORTED_USER_FIELDS);
	const fields = chosen.length > 0 ? chosen : EXPORTED_USER_FIELDS;
	for (const field of fields) {
		if (!known.has(field)) {
			throw new ExportChoiceError(
				`unknown field "${field}": the fields are ${EXPORTED_USER_FIELDS.join(', ')}`
			);
		}
	}
	if (new Set(fields).size !== fields.length) {
		throw new ExportChoiceError('a field is chosen twice');
	}
	const renamed = new Map<string, string>();
	for (const rename of renames) {
		const match = /^([^=]+)=(.+)$/.exec(rename.trim());
		if (!match) throw new ExportChoiceError(`a rename is "field=name", not "${rename}"`);
		const [, from, to] = match.map((part) => part.trim());
		if (!fields.includes(from)) {
			throw new ExportChoiceError(`cannot rename "${from}": it is not among the exported fields`);
		}
		renamed.set(from, to);
	}
	const names = fields.map((field) => renamed.get(field) ?? field);
	if (new Set(names).size !== names.length) {
		throw new ExportChoiceError('two columns would have the same name');
	}
	return { format, fields, names };
}

/** `?organization=…&limit=…&cursor=…` for `GET /users`, filters in their documented order. */
export function userPageQuery(filters: UserFilters, limit: number, cursor: string | null): string {
	const query = new URLSearchParams();
	for (const name of USER_FILTER_NAMES) {
		const value = filters[name];
		if (value !== undefined && value !== '') query.set(name, String(value));
	}
	query.set('limit', String(limit));
	if (cursor !== null) query.set('cursor', cursor);
	return `?${query}`;
}

/** What starts the file: the CSV header line, or the opening of the JSON array. */
export function exportHead(plan: ExportPlan): string {
	return plan.format === 'csv' ? csvLines([plan.names.map(neutraliseFormula)]) : '[';
}

/** What ends a complete file. */
export function exportTail(plan: ExportPlan, rowsWritten: number): string {
	return plan.format === 'csv' ? '' : rowsWritten > 0 ? '\n]\n' : ']\n';
}

/** One page of users as text to append, after `rowsWritten` users already in the file. */
export function exportPageText(
	plan: ExportPlan,
	users: readonly ExportedUser[],
	rowsWritten: number
): string {
	if (users.length === 0) return '';
	if (plan.format === 'csv') {
		return csvLines(
			users.map((user) => plan.fields.map((field) => neutraliseFormula(cellText(user[field]))))
		);
	}
	return users
		.map((user, index) => {
			const record: Record<string, unknown> = {};
			plan.fields.forEach((field, column) => {
				if (user[field] !== undefined) record[plan.names[column]] = user[field];
			});
			return `${rowsWritten + index === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`;
		})
		.join('');
}

function cellText(value: unknown): string {
	if (value === undefined || value === null) return '';
	return typeof value === 'string' ? value : JSON.stringify(value);
}

/** RFC 4180 records, each ending with CRLF (as the failure report). */
function csvLines(rows: string[][]): string {
	return `${Papa.unparse(rows, { newline: '\r\n', escapeFormulae: false })}\r\n`;
}

/**
 * A refusal of `GET /users` in words: a destination without the endpoint, a cursor that expired,
 * a token refused; else the API's own message.
 */
export function exportRefusal(status: number, code: string | undefined, message: string): string {
	if (status === 404) {
		return 'this destination cannot export users: it has no GET /users endpoint (it may be an older or another import API)';
	}
	if (code === 'cursor_expired') {
		return `the saved position of this export expired (cursors last ${USER_CURSOR_TTL_MS / 3_600_000} hours): start the export again`;
	}
	if (code === 'invalid_cursor') {
		return 'the destination did not recognise the saved position of this export: start the export again';
	}
	if (status === 401) return 'the destination refused the token';
	return `the destination refused the export (${status}${code ? ` ${code}` : ''}): ${message}`;
}

/** A file name for an export started at `now`: users-2026-12-05.csv. */
export function exportFileName(format: ExportFormat, now: number): string {
	return `users-${new Date(now).toISOString().slice(0, 10)}.${format}`;
}

/** The suffix of an encrypted GDPR package: Ferry's report format, opened like a failure report. */
export const USER_PACKAGE_SUFFIX = '.ferry-report';

/** gdpr-<user id, file-safe>.ferry-report */
export function userPackageFileName(userId: string): string {
	return `gdpr-${userId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)}${USER_PACKAGE_SUFFIX}`;
}

/** A decrypted report that is a GDPR package (JSON) rather than a failure report (CSV); else null. */
export function readUserPackage(text: string): UserPackage | null {
	if (!text.trimStart().startsWith('{')) return null;
	try {
		const value = JSON.parse(text) as Partial<UserPackage> | null;
		const isPackage =
			typeof value === 'object' &&
			value !== null &&
			typeof value.user === 'object' &&
			Array.isArray(value.imports) &&
			Array.isArray(value.audit);
		return isPackage ? (value as UserPackage) : null;
	} catch {
		return null;
	}
}
