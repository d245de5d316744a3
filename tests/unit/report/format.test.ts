import { describe, expect, it } from 'vitest';
import {
	CHUNK_CIPHERTEXT_BYTES,
	crc32,
	headerLength,
	readReportHeader,
	writeReportHeader
} from '../../../src/lib/core/report/format';

const filled = (size: number, value: number) => new Uint8Array(size).fill(value);

describe('crc32', () => {
	const cases = [
		{ input: '', expected: 0 },
		{ input: '123456789', expected: 0xcbf43926 },
		{ input: 'The quick brown fox jumps over the lazy dog', expected: 0x414fa339 }
	];
	it.each(cases)('$input', ({ input, expected }) => {
		expect(crc32(new TextEncoder().encode(input))).toBe(expected);
	});
});

describe('header layout', () => {
	it('puts every field at its documented offset', () => {
		const header = writeReportHeader({
			password: {
				opsLimit: 0x01020304,
				memLimit: 0x05060708,
				salt: filled(16, 0xa1),
				nonce: filled(24, 0xa2),
				wrappedKey: filled(48, 0xa3)
			},
			streamHeader: filled(24, 0xa4),
			recipients: [
				{ publicKey: filled(32, 0xb1), sealedKey: filled(80, 0xb2) },
				{ publicKey: filled(32, 0xc1), sealedKey: filled(80, 0xc2) }
			]
		});
		const expected = [
			...new TextEncoder().encode('FERRYRPT'),
			1,
			1,
			...[4, 3, 2, 1],
			...[8, 7, 6, 5],
			...filled(16, 0xa1),
			...filled(24, 0xa2),
			...filled(48, 0xa3),
			...filled(24, 0xa4),
			2,
			...filled(32, 0xb1),
			...filled(80, 0xb2),
			...filled(32, 0xc1),
			...filled(80, 0xc2)
		];
		expect(header.length).toBe(359);
		expect(headerLength(2)).toBe(359);
		expect([...header.subarray(0, 355)]).toEqual(expected);
		const checksum = new DataView(header.buffer).getUint32(355, true);
		expect(checksum).toBe(crc32(header.subarray(0, 355)));
	});

	it('reads back what it wrote', () => {
		const written = {
			password: null,
			streamHeader: filled(24, 9),
			recipients: [{ publicKey: filled(32, 1), sealedKey: filled(80, 2) }]
		};
		const header = writeReportHeader(written);
		expect(header.subarray(9, 106).every((byte) => byte === 0)).toBe(true);
		expect(readReportHeader(header)).toEqual({ version: 1, length: 247, ...written });
	});

	it('a chunk is 64 KiB of plaintext plus 17 bytes', () => {
		expect(CHUNK_CIPHERTEXT_BYTES).toBe(65553);
	});
});
