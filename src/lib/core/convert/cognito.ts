/**
 * Amazon Cognito user pool CSV import (docs/platform-formats.md §4.2): the header of the pool's
 * template, UTF-8 without BOM, values unquoted with a comma escaped as `\,`, at most 500,000 users
 * and 100 MB per file (a larger source is split into several files, each with the header) and
 * 16,000 characters per row. The CSV import takes no password hashes.
 */
import { PROFILES } from '../profiles/catalogue';
import type { FieldName } from '../types';
import type { CanonicalRecord } from '../validate/normalize';
import { numberedName, OutputFile, utf8Bytes } from './output';
import { chosenRecords, text } from './records';
import type { ConvertPiece, Target } from './types';

const PROFILE = PROFILES.cognito;

/** The column order of the template the console downloads (GetCSVHeader's columns). */
export const COGNITO_HEADER = [
	'cognito:username',
	'name',
	'given_name',
	'family_name',
	'middle_name',
	'nickname',
	'preferred_username',
	'profile',
	'picture',
	'website',
	'email',
	'email_verified',
	'gender',
	'birthdate',
	'zoneinfo',
	'locale',
	'phone_number',
	'phone_number_verified',
	'address',
	'updated_at',
	'cognito:mfa_enabled'
] as const;

/** Template columns filled from a canonical field (the Cognito preset reads them back so). */
const FROM_FIELD: Partial<Record<(typeof COGNITO_HEADER)[number], FieldName>> = {
	name: 'name',
	given_name: 'given_name',
	family_name: 'family_name',
	nickname: 'nickname',
	preferred_username: 'username',
	picture: 'picture',
	email: 'email',
	email_verified: 'email_verified',
	locale: 'locale',
	phone_number: 'phone_number',
	phone_number_verified: 'phone_verified'
};

/** The pool's identifier of the user: the source's user id, else its username. */
function poolUsername(record: CanonicalRecord): string {
	return text(record, 'user_id') || text(record, 'username');
}

/** A value as Cognito reads it: unquoted, a comma escaped with a backslash, on one line. */
function cell(value: string): string {
	return value.replace(/\r\n|[\r\n]/g, ' ').replaceAll(',', '\\,');
}

export function cognitoRow(record: CanonicalRecord): string {
	return COGNITO_HEADER.map((column) => {
		if (column === 'cognito:username') return cell(poolUsername(record));
		if (column === 'cognito:mfa_enabled') return 'false';
		const field = FROM_FIELD[column];
		return field ? cell(text(record, field)) : '';
	}).join(',');
}

const HEADER_LINE = `${COGNITO_HEADER.join(',')}\n`;

export const cognitoTarget: Target = {
	name: 'cognito',
	label: 'Amazon Cognito user pool import (CSV)',
	profile: PROFILE,
	holds: ['user_id', ...(Object.values(FROM_FIELD) as FieldName[])],
	limits: {
		bytesPerFile: PROFILE.limits.bytesPerImport,
		rowsPerFile: PROFILE.limits.rowsPerImport
	},
	skipReason(record) {
		const username = poolUsername(record);
		if (username === '') return 'no_username';
		return /[\s]/.test(username) ? 'username_with_whitespace' : null;
	},
	keepsPassword: () => false,
	async *write(records, options): AsyncIterable<ConvertPiece> {
		const maxBytes = options.limits?.bytesPerFile ?? this.limits.bytesPerFile ?? Infinity;
		const maxRows = options.limits?.rowsPerFile ?? this.limits.rowsPerFile ?? Infinity;
		const maxChars = PROFILE.limits.charsPerRow ?? Infinity;
		let files = 0;
		let file: OutputFile | null = null;
		for await (const [record, index] of chosenRecords(records, options)) {
			const reason = this.skipReason(record);
			const row = reason ? '' : cognitoRow(record);
			if (reason || [...row].length > maxChars) {
				yield { kind: 'skip', reason: reason ?? 'too_large', record: index };
				continue;
			}
			const line = `${row}\n`;
			if (file && (file.rows >= maxRows || file.size + utf8Bytes(line) > maxBytes)) {
				yield* file.close();
				file = null;
			}
			if (!file) {
				file = new OutputFile(numberedName('users', 'csv', ++files));
				file.write(HEADER_LINE);
			}
			const piece = file.write(line, 1);
			if (piece) yield piece;
		}
		if (file) yield* file.close();
	}
};
