/**
 * How the import page shows identity values: a structured cell as a short summary ("2 addresses,
 * 1 primary", "bcrypt (cost 10)"), and a secret never whole (maskSecret). The credential census
 * in words is the core's (identity/census.ts), the CLI's too.
 */
import { readCredentialCell, readEmailsCell, readJsonCell } from '$lib/core/identity/cells';
import { recogniseHash } from '$lib/core/identity/hash-shapes';
import { maskSecret } from '$lib/core/identity/mask';
import { SECRET_TYPES, fieldByName } from '$lib/core/schema/fields';
import type { FieldName } from '$lib/core/types';

function plural(count: number, one: string, many = `${one}s`): string {
	return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** Columns whose name says they hold a secret (a TOTP secret, a token), masked even unmapped. */
const SECRET_COLUMN = /secret|passw|hash|salt|token|(^|[^a-z])key$/i;

/** A field whose values are secrets (a hash, a salt, a credential). */
function isSecretField(field: FieldName | null): boolean {
	return field !== null && SECRET_TYPES.includes(fieldByName(field).type);
}

/** A column whose cells are secrets: mapped to a hash or credential, or named like a secret. */
export function isSecretColumn(field: FieldName | null, column: string): boolean {
	return field === null ? SECRET_COLUMN.test(column) : isSecretField(field);
}

/** A credential cell as its algorithm and the params worth seeing: "bcrypt (cost 10)". */
function credentialSummary(text: string): string {
	const read = readCredentialCell(text, { salt: '', firebase: null });
	if (read === null) return '';
	if ('error' in read) return 'not a valid password hash';
	const { algorithm, hash } = read.credential;
	// A structured credential may leave out what its hash string says (bcrypt's cost).
	const recognised = recogniseHash(hash);
	const params = {
		...('credential' in recognised ? recognised.credential.params : {}),
		...read.credential.params
	};
	const shown = ['cost', 'digest', 'iterations', 'rounds']
		.filter((name) => params[name] !== undefined)
		.map((name) => `${name} ${params[name]}`);
	return shown.length > 0 ? `${algorithm} (${shown.join(', ')})` : algorithm;
}

/**
 * What a cell of a column mapped to `field` shows: structured values summarised, secrets (by
 * field, or by the column's name when it is not imported) masked, anything else as it is.
 */
export function shownCell(field: FieldName | null, text: string, column = ''): string {
	const value = text.trim();
	if (value === '') return text;
	if (field === null) return isSecretColumn(field, column) ? maskSecret(value) : text;
	const { type, jsonShape } = fieldByName(field);
	if (type === 'credential' || field === 'password_hash') {
		const summary = credentialSummary(value);
		if (value.startsWith('{') || value.startsWith('[')) return summary;
		// A bare hash keeps its masked start: enough to tell two rows apart, never the secret.
		return summary === 'unknown' ? maskSecret(value) : `${summary} · ${maskSecret(value)}`;
	}
	if (type === 'hash') return maskSecret(value);
	if (type === 'emails') {
		const read = readEmailsCell(value);
		if ('error' in read) return 'not a list of addresses';
		const primary = read.emails.filter((email) => email.primary).length;
		return `${plural(read.emails.length, 'address', 'addresses')}, ${primary} primary`;
	}
	if (type === 'json') {
		const read = readJsonCell(value, jsonShape ?? 'object');
		if ('error' in read) return `${read.error}`;
		if (Array.isArray(read.value))
			return field === 'identities'
				? plural(read.value.length, 'linked identity', 'linked identities')
				: `JSON array, ${plural(read.value.length, 'item')}`;
		return `JSON object, ${plural(Object.keys(read.value as object).length, 'key')}`;
	}
	return text;
}

/** Role names the admin most likely means by these, as written by most platforms. */
const ROLE_SYNONYMS: Record<string, string> = {
	administrator: 'admin',
	administrators: 'admin',
	admins: 'admin',
	superuser: 'admin',
	root: 'admin',
	owners: 'owner',
	editors: 'editor',
	members: 'member',
	users: 'member',
	user: 'member',
	readonly: 'viewer',
	'read-only': 'viewer',
	read_only: 'viewer',
	reader: 'viewer',
	viewers: 'viewer',
	guest: 'viewer'
};

/** The destination role suggested for a value: trimmed, lower-cased, a common synonym folded. */
export function suggestedRole(value: string): string {
	const name = value.trim().toLowerCase().replace(/\s+/g, '_');
	return ROLE_SYNONYMS[name] ?? name;
}
