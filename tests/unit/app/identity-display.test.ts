import { describe, expect, it } from 'vitest';
import type { FieldName } from '../../../src/lib/core/types';
import { isSecretColumn, shownCell, suggestedRole } from '../../../src/routes/identity-display';

const BCRYPT = '$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234';

describe('shownCell: structured cells summarised, secrets never whole', () => {
	it.each<{ field: FieldName | null; text: string; shown: string }>([
		{
			field: 'emails',
			text: '[{"address":"a@x.io","primary":true},{"address":"b@x.io"}]',
			shown: '2 addresses, 1 primary'
		},
		{ field: 'emails', text: 'a@x.io', shown: '1 address, 1 primary' },
		{ field: 'password_hash', text: BCRYPT, shown: 'bcrypt (cost 10) · $2b$10$…' },
		{
			field: 'password',
			text: JSON.stringify({ algorithm: 'bcrypt', hash: BCRYPT }),
			shown: 'bcrypt (cost 10)'
		},
		{ field: 'password_hash', text: '5f4dcc3b5aa765d61d8327deb882cf99', shown: 'md5 · 5f4dcc3…' },
		{ field: 'password_salt', text: 'c2FsdHNhbHQ=', shown: 'c2FsdHN…' },
		{ field: 'app_metadata', text: '{"a":1,"b":2,"c":3}', shown: 'JSON object, 3 keys' },
		{
			field: 'identities',
			text: '[{"provider":"google"},{"provider":"github"}]',
			shown: '2 linked identities'
		},
		{ field: 'email', text: 'a@x.io', shown: 'a@x.io' },
		{ field: null, text: BCRYPT, shown: BCRYPT }
	])('$field: $shown', ({ field, text, shown }) => {
		expect(shownCell(field, text)).toBe(shown);
	});

	it.each([
		{ column: 'otp_secret.secret', shown: 'JBTWY3D…' },
		{ column: 'api_key', shown: 'JBTWY3D…' },
		{ column: 'username', shown: 'JBTWY3DPEHPK3PNP' }
	])('an unmapped column named $column shows $shown', ({ column, shown }) => {
		expect(shownCell(null, 'JBTWY3DPEHPK3PNP', column)).toBe(shown);
	});
});

describe('suggestedRole', () => {
	it.each([
		['Admin', 'admin'],
		['administrator', 'admin'],
		[' Read Only ', 'read_only'.replace('read_only', 'viewer')],
		['Support Agent', 'support_agent']
	])('%s → %s', (value, role) => {
		expect(suggestedRole(value)).toBe(role);
	});
});

describe('isSecretColumn: what is never shown whole, in the edit dialog too', () => {
	it.each([
		{ field: 'password_hash', column: 'hash', secret: true },
		{ field: 'password', column: 'custom_password_hash', secret: true },
		{ field: 'password_salt', column: 'salt', secret: true },
		{ field: 'email', column: 'email', secret: false },
		{ field: null, column: 'otp_secret.secret', secret: true },
		{ field: null, column: 'api_key', secret: true },
		{ field: null, column: 'notes', secret: false }
	] as const)('$column mapped to $field: $secret', ({ field, column, secret }) => {
		expect(isSecretColumn(field, column)).toBe(secret);
	});
});
