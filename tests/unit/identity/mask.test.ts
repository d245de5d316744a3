import { describe, expect, it } from 'vitest';
import { maskCredential, maskSecret } from '../../../src/lib/core/identity/mask';
import { HASHES } from './fixtures';

describe('maskSecret', () => {
	const cases = [
		{ value: HASHES.bcrypt2b, masked: '$2b$10$…' },
		{ value: HASHES.argon2id, masked: '$argon2…' },
		{ value: 'abcdefgh', masked: 'abcdefg…' },
		{ value: 'abc123', masked: '…' },
		{ value: 'seven77', masked: '…' },
		{ value: '🔑🔑🔑🔑🔑🔑🔑🔑', masked: '🔑🔑🔑🔑🔑🔑🔑…' },
		{ value: '', masked: '' }
	];
	for (const { value, masked } of cases)
		it(JSON.stringify(value), () => {
			expect(maskSecret(value)).toBe(masked);
		});
});

describe('maskCredential', () => {
	it('masks hash, salt and keys, keeps the other params', () => {
		const credential = {
			algorithm: 'hmac' as const,
			hash: 'cg7f42jH39/2EaAU4wNd4s2lKIk=',
			encoding: 'base64' as const,
			salt: 'saltsaltsalt',
			salt_encoding: 'utf8' as const,
			params: { digest: 'sha1', key: '736868736868', keyEncoding: 'hex' }
		};
		expect(maskCredential(credential)).toEqual({
			algorithm: 'hmac',
			hash: 'cg7f42j…',
			encoding: 'base64',
			salt: 'saltsal…',
			salt_encoding: 'utf8',
			params: { digest: 'sha1', key: '7368687…', keyEncoding: 'hex' }
		});
		expect(credential.hash).toBe('cg7f42jH39/2EaAU4wNd4s2lKIk=');
	});
	it("masks Firebase's signer key", () => {
		const masked = maskCredential({
			algorithm: 'firebase-scrypt',
			hash: 'abcdefghij',
			params: { rounds: 8, signerKey: 'c2lnbmVyLWtleQ==' }
		});
		expect(masked.params).toEqual({ rounds: 8, signerKey: 'c2lnbmV…' });
	});
});
