import { describe, expect, it, vi } from 'vitest';
import {
	decryptReport,
	deriveKeyInProcess,
	encryptReport,
	generateRecipientKeyPair,
	readReportHeader,
	type KeyDeriver
} from '../../../src/lib/core/report/cipher';
import { ReportError } from '../../../src/lib/core/report/error';
import { crc32, headerLength } from '../../../src/lib/core/report/format';

const KIB = 1024;
const CHUNK = 64 * KIB + 17;

/** Deterministic, non-repeating-looking bytes, so misplaced chunks cannot compare equal. */
function bytes(size: number): Uint8Array {
	const out = new Uint8Array(size);
	let state = 0x9e3779b9;
	for (let i = 0; i < size; i++) {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		out[i] = state & 0xff;
	}
	return out;
}

/** A derive spy that must stay uncalled: refusals happen before any key derivation. */
const forbiddenDerive = () => vi.fn<KeyDeriver>(deriveKeyInProcess);

async function refusal(promise: Promise<unknown>): Promise<ReportError> {
	const error = await promise.then(
		() => null,
		(caught: unknown) => caught
	);
	expect(error).toBeInstanceOf(ReportError);
	return error as ReportError;
}

/** Recomputes the header checksum, as an attacker (not mere damage) would. */
function withValidChecksum(file: Uint8Array): Uint8Array {
	const out = file.slice();
	const length = headerLength(out[130]);
	new DataView(out.buffer).setUint32(length - 4, crc32(out.subarray(0, length - 4)), true);
	return out;
}

function flipBit(file: Uint8Array, offset: number, bit = 0): Uint8Array {
	const out = file.slice();
	out[offset] ^= 1 << bit;
	return out;
}

function join(...parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
	parts.reduce((offset, part) => (out.set(part, offset), offset + part.length), 0);
	return out;
}

describe('password round trip at the real interactive cost', () => {
	const cases = [
		{ input: 0, expected: { chunks: 1 } },
		{ input: 10, expected: { chunks: 1 } },
		{ input: 64 * KIB, expected: { chunks: 1 } },
		{ input: 64 * KIB + 1, expected: { chunks: 2 } },
		{ input: 200 * KIB, expected: { chunks: 4 } }
	];
	it.each(cases)('$input bytes', async ({ input, expected }) => {
		const plaintext = bytes(input);
		const file = await encryptReport(plaintext, { password: 'correct horse' });
		expect(file.length).toBe(headerLength(0) + input + 17 * expected.chunks);
		const header = readReportHeader(file);
		expect(header.password).toMatchObject({ opsLimit: 2, memLimit: 64 * 1024 * 1024 });
		expect(header.recipients).toEqual([]);
		expect(await decryptReport(file, { password: 'correct horse' })).toEqual(plaintext);
	});

	it('writes a fresh salt and file key every time', async () => {
		const plaintext = bytes(100);
		const [first, second] = await Promise.all([
			encryptReport(plaintext, { password: 'pw' }),
			encryptReport(plaintext, { password: 'pw' })
		]);
		expect(readReportHeader(first).password?.salt).not.toEqual(
			readReportHeader(second).password?.salt
		);
		expect(first.subarray(headerLength(0))).not.toEqual(second.subarray(headerLength(0)));
	});

	it('refuses a wrong password', async () => {
		const file = await encryptReport(bytes(100), { password: 'right' });
		const error = await refusal(decryptReport(file, { password: 'wrong' }));
		expect(error.code).toBe('wrong_key');
		expect(error.message).toMatch(/wrong password/i);
	});

	it('treats the password as NFC: a decomposed spelling opens a composed one', async () => {
		const file = await encryptReport(bytes(100), { password: 'Zo\u00eb' });
		expect(await decryptReport(file, { password: 'Zoe\u0308' })).toEqual(bytes(100));
	});

	it('uses an injected deriver both ways, with the header salt and costs', async () => {
		const derive = vi.fn<KeyDeriver>(deriveKeyInProcess);
		const file = await encryptReport(bytes(100), { password: 'pw', derive });
		expect(await decryptReport(file, { password: 'pw' }, { derive })).toEqual(bytes(100));
		const { salt } = readReportHeader(file).password!;
		expect(derive.mock.calls).toEqual([
			['pw', salt, 2, 64 * 1024 * 1024],
			['pw', salt, 2, 64 * 1024 * 1024]
		]);
	});

	it('moderate cost round trip (the default caps allow it)', async () => {
		const file = await encryptReport(bytes(100), { password: 'pw', cost: 'moderate' });
		expect(readReportHeader(file).password).toMatchObject({
			opsLimit: 3,
			memLimit: 256 * 1024 * 1024
		});
		expect(await decryptReport(file, { password: 'pw' })).toEqual(bytes(100));
	});
});

describe('recipients', () => {
	it('each admin opens the report, a stranger cannot, and there is no password', async () => {
		const [alice, bob, stranger] = await Promise.all([
			generateRecipientKeyPair(),
			generateRecipientKeyPair(),
			generateRecipientKeyPair()
		]);
		const plaintext = bytes(70 * KIB);
		const file = await encryptReport(plaintext, { recipients: [alice.publicKey, bob.publicKey] });
		const header = readReportHeader(file);
		expect(header.password).toBeNull();
		expect(header.recipients.map((recipient) => recipient.publicKey)).toEqual([
			alice.publicKey,
			bob.publicKey
		]);
		expect(header.length).toBe(135 + 2 * 112);
		expect(await decryptReport(file, alice)).toEqual(plaintext);
		expect(await decryptReport(file, bob)).toEqual(plaintext);
		expect((await refusal(decryptReport(file, stranger))).code).toBe('no_matching_recipient');
		expect((await refusal(decryptReport(file, { password: 'guess' }))).code).toBe('wrong_key');
	});

	it('refuses a private key that does not belong to the listed public key', async () => {
		const [alice, mallory] = [await generateRecipientKeyPair(), await generateRecipientKeyPair()];
		const file = await encryptReport(bytes(10), { recipients: [alice.publicKey] });
		const error = await refusal(
			decryptReport(file, { publicKey: alice.publicKey, privateKey: mallory.privateKey })
		);
		expect(error.code).toBe('wrong_key');
	});

	it('password and recipients: either opens it', async () => {
		const admin = await generateRecipientKeyPair();
		const plaintext = bytes(5000);
		const file = await encryptReport(plaintext, {
			password: 'field',
			recipients: [admin.publicKey]
		});
		expect(readReportHeader(file).password).not.toBeNull();
		expect(await decryptReport(file, admin)).toEqual(plaintext);
		expect(await decryptReport(file, { password: 'field' })).toEqual(plaintext);
		expect((await refusal(decryptReport(file, { password: 'nope' }))).code).toBe('wrong_key');
	});

	it('a password-only report lists no recipient', async () => {
		const admin = await generateRecipientKeyPair();
		const file = await encryptReport(bytes(10), { password: 'pw' });
		expect((await refusal(decryptReport(file, admin))).code).toBe('no_matching_recipient');
	});
});

describe('refusals', () => {
	// Recipient-sealed files need no key derivation, so the many body cases stay fast.
	const admin = generateRecipientKeyPair();
	const plaintext = bytes(200 * KIB); // 3 full chunks and one of 8 KiB
	const sealed = admin.then((keys) => encryptReport(plaintext, { recipients: [keys.publicKey] }));
	const protectedFile = encryptReport(plaintext, { password: 'pw' });

	async function openSealed(file: Uint8Array) {
		return refusal(decryptReport(file, await admin));
	}

	it('a flipped bit anywhere in the header, before any key derivation', async () => {
		const file = await protectedFile;
		const derive = forbiddenDerive();
		for (let offset = 9; offset < headerLength(0); offset++) {
			for (const bit of [0, 7]) {
				const error = await refusal(
					decryptReport(flipBit(file, offset, bit), { password: 'pw' }, { derive })
				);
				expect([offset, bit, error.code]).toEqual([offset, bit, 'tampered']);
			}
		}
		expect(derive).not.toHaveBeenCalled();
	});

	it('a flipped bit in a recipient slot', async () => {
		const file = await sealed;
		for (const offset of [131, 131 + 40, 131 + 111, 131 + 112 + 3]) {
			expect((await openSealed(flipBit(file, offset))).code).toBe('tampered');
		}
	});

	it('a header altered with a recomputed checksum fails the first chunk (header is its AD)', async () => {
		const other = await generateRecipientKeyPair();
		const file = await encryptReport(bytes(10), { password: 'pw', recipients: [other.publicKey] });
		// The stream header, then a byte of the recipient's sealed key: neither is the password slot.
		for (const offset of [106, 131 + 32 + 5]) {
			const error = await refusal(
				decryptReport(withValidChecksum(flipBit(file, offset)), { password: 'pw' })
			);
			expect(error.code).toBe('tampered');
		}
	});

	it('a flipped bit in the body', async () => {
		const file = await sealed;
		const body = headerLength(1);
		for (const offset of [body, body + 100, body + CHUNK + 5, file.length - 17, file.length - 1]) {
			const error = await openSealed(flipBit(file, offset));
			expect([offset, error.code]).toEqual([offset, 'tampered']);
		}
		const flipped = flipBit(await protectedFile, headerLength(0) + 2 * CHUNK + 9, 3);
		expect((await refusal(decryptReport(flipped, { password: 'pw' }))).code).toBe('tampered');
	});

	it('two chunks swapped', async () => {
		const file = await sealed;
		const start = headerLength(1);
		const chunk = (index: number) =>
			file.subarray(start + index * CHUNK, start + (index + 1) * CHUNK);
		const rest = file.subarray(start + 3 * CHUNK);
		const header = file.subarray(0, start);
		for (const order of [
			[1, 0, 2],
			[0, 2, 1]
		]) {
			const swapped = join(header, ...order.map(chunk), rest);
			expect((await openSealed(swapped)).code).toBe('tampered');
		}
	});

	it('a middle chunk dropped', async () => {
		const file = await sealed;
		const start = headerLength(1);
		const dropped = join(file.subarray(0, start + CHUNK), file.subarray(start + 2 * CHUNK));
		expect((await openSealed(dropped)).code).toBe('tampered');
	});

	it('truncated at a chunk boundary: the FINAL tag is missing', async () => {
		const file = await sealed;
		const start = headerLength(1);
		for (const chunks of [1, 2, 3]) {
			const error = await openSealed(file.subarray(0, start + chunks * CHUNK));
			expect(error.code).toBe('truncated');
			expect(error.message).toMatch(/cut short/);
		}
		expect((await openSealed(file.subarray(0, start))).code).toBe('truncated');
	});

	it('truncated inside a chunk fails authentication', async () => {
		const file = await sealed;
		expect((await openSealed(file.subarray(0, file.length - 1))).code).toBe('tampered');
		expect((await openSealed(file.subarray(0, headerLength(1) + 20))).code).toBe('tampered');
	});

	it('truncated inside the header', async () => {
		const file = await sealed;
		for (const length of [8, 9, 100, headerLength(0), headerLength(1) - 1]) {
			const error = await openSealed(file.subarray(0, length));
			expect([length, error.code]).toEqual([length, 'truncated']);
		}
	});

	it('data after the FINAL chunk', async () => {
		const keys = await admin;
		const file = await encryptReport(bytes(64 * KIB), { recipients: [keys.publicKey] });
		const extended = join(file, bytes(40));
		expect((await refusal(decryptReport(extended, keys))).code).toBe('tampered');
	});

	it('costs above the cap, before deriving', async () => {
		const derive = forbiddenDerive();
		const file = await protectedFile;
		const interactiveCaps = { maxOpsLimit: 2, maxMemLimit: 64 * 1024 * 1024 };
		const costly = (opsLimit: number, memLimit: number) => {
			const out = file.slice();
			new DataView(out.buffer).setUint32(10, opsLimit, true);
			new DataView(out.buffer).setUint32(14, memLimit, true);
			return withValidChecksum(out);
		};
		const cases = [
			{ input: costly(3, 64 * 1024 * 1024), config: interactiveCaps },
			{ input: costly(2, 256 * 1024 * 1024), config: interactiveCaps },
			{ input: costly(4, 256 * 1024 * 1024), config: {} },
			{ input: costly(3, 0xffffffff), config: {} }
		];
		for (const { input, config } of cases) {
			const error = await refusal(decryptReport(input, { password: 'pw' }, { ...config, derive }));
			expect(error.code).toBe('cost_too_high');
		}
		expect(derive).not.toHaveBeenCalled();
	});

	it('a moderate report under interactive caps', async () => {
		const fakeDerive: KeyDeriver = async () => new Uint8Array(32).fill(7);
		const file = await encryptReport(bytes(10), {
			password: 'pw',
			cost: 'moderate',
			derive: fakeDerive
		});
		const derive = forbiddenDerive();
		const error = await refusal(
			decryptReport(file, { password: 'pw' }, { maxOpsLimit: 2, maxMemLimit: 64 << 20, derive })
		);
		expect(error.code).toBe('cost_too_high');
		expect(error.message).toContain('opslimit 3');
		expect(derive).not.toHaveBeenCalled();
	});

	it('an unknown version or key derivation id', async () => {
		const derive = forbiddenDerive();
		const file = await protectedFile;
		const version2 = file.slice();
		version2[8] = 2;
		const kdf9 = file.slice();
		kdf9[9] = 9;
		for (const input of [version2, withValidChecksum(version2), withValidChecksum(kdf9)]) {
			const error = await refusal(decryptReport(input, { password: 'pw' }, { derive }));
			expect(error.code).toBe('unknown_version');
		}
		expect((await refusal(decryptReport(version2, { password: 'pw' }))).message).toContain(
			'version 2'
		);
		expect(derive).not.toHaveBeenCalled();
	});

	it('not a report at all', async () => {
		const file = await protectedFile;
		const cases = [
			new Uint8Array(0),
			new TextEncoder().encode('FERRY'),
			new TextEncoder().encode('row,line,status\r\n1,2,invalid_row\r\n'),
			flipBit(file, 0),
			flipBit(file, 7, 6)
		];
		for (const input of cases) {
			expect((await refusal(decryptReport(input, { password: 'pw' }))).code).toBe('not_a_report');
		}
	});

	it('a header with no way in (no password, no recipient)', async () => {
		const file = (await protectedFile).slice();
		file.fill(0, 9, 106); // KDF id 0 and empty password fields
		const error = await refusal(decryptReport(withValidChecksum(file), { password: 'pw' }));
		expect(error.code).toBe('tampered');
		expect(error.message).toMatch(/neither a password nor a recipient/);
	});

	it('password fields set on a report without a password', async () => {
		const file = (await sealed).slice();
		file[20] = 1; // a salt byte
		const error = await openSealed(withValidChecksum(file));
		expect(error.code).toBe('tampered');
		expect(error.message).toMatch(/password fields are set/);
	});
});

describe('encryption options', () => {
	const cases = [
		{ input: {}, expected: /password, a recipient/ },
		{ input: { password: '' }, expected: /empty/ },
		{ input: { recipients: [new Uint8Array(31)] }, expected: /32 bytes/ },
		{
			input: { recipients: Array.from({ length: 256 }, () => new Uint8Array(32)) },
			expected: /at most 255/
		}
	];
	it.each(cases)('refuses $expected', async ({ input, expected }) => {
		await expect(encryptReport(bytes(1), input)).rejects.toThrow(expected);
	});
});
