import { describe, expect, it } from 'vitest';
import { maskSecretFields, secretColumns } from '../../../src/lib/core/report/rows';

describe('the failure report never holds a whole secret', () => {
	it('finds the columns mapped to hashes and credentials', () => {
		expect([
			...secretColumns(['email', 'password_hash', null, 'password_salt', 'password'])
		]).toEqual([1, 3, 4]);
	});

	it.each([
		{ fields: ['a@x.io', '$2b$10$abcdefghijklmnopqrstuu'], masked: ['a@x.io', '$2b$10$…'] },
		{ fields: ['a@x.io', ''], masked: ['a@x.io', ''] },
		{ fields: ['a@x.io', 'short'], masked: ['a@x.io', '…'] }
	])('$fields → $masked', ({ fields, masked }) => {
		expect(maskSecretFields(fields, new Set([1]))).toEqual(masked);
	});
});
