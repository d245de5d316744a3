import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../../src/lib/core/errors';
import {
	BYTES_PER_RANGE_WORKER,
	capValue,
	capValues,
	rangeWorkersFor,
	SHOWN_VALUE_CHARS
} from '../../../src/lib/core/limits';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import type { WorkingCopySink } from '../../../src/lib/io/open';
import { memorySink } from '../../../src/lib/io/open';
import { ImportSession, type SessionOptions } from '../../../src/lib/pipeline/session';

const OPTIONS = { dateOrder: 'dmy' as const, defaultRegion: 'US', now: Date.UTC(2026, 0, 1) };

async function open(bytes: Uint8Array | string, options: Partial<SessionOptions> = {}) {
	return ImportSession.open(new Blob([bytes as BlobPart]), 'users.csv', {
		profile: REFERENCE_PROFILE,
		...options
	});
}

async function scan(session: ImportSession, maxRows?: number) {
	const mapping = session.preview.proposals.map((proposal) => proposal.field);
	return session.scan({ mapping, profile: REFERENCE_PROFILE, options: OPTIONS, maxRows });
}

async function failure(promise: Promise<unknown>) {
	const error = await promise.then(
		() => null,
		(thrown: unknown) => thrown
	);
	if (!isFerryError(error)) throw new Error(`expected a FerryError, got ${String(error)}`);
	return error;
}

describe('capValue', () => {
	it('keeps a value that fits and cuts a longer one with a marker', () => {
		expect(capValue('short')).toBe('short');
		expect(capValue('x'.repeat(SHOWN_VALUE_CHARS))).toBe('x'.repeat(SHOWN_VALUE_CHARS));
		expect(capValue('x'.repeat(SHOWN_VALUE_CHARS + 5))).toBe(
			`${'x'.repeat(SHOWN_VALUE_CHARS)}…[+5 characters]`
		);
		expect(capValue('abcdef', 3)).toBe('abc…[+3 characters]');
	});

	it('never cuts a surrogate pair in half', () => {
		expect(capValue('ab😀cd', 3)).toBe('ab…[+4 characters]');
	});

	it('returns the same row when nothing is cut', () => {
		const row = ['a', 'b'];
		expect(capValues(row)).toBe(row);
		expect(capValues(['a', 'bcdef'], 2)).toEqual(['a', 'bc…[+3 characters]']);
	});
});

describe('values shown are capped, values read are not', () => {
	const long = 'n'.repeat(5000);
	const csv = `user_id,email,notes\n1,a@example.com,${long}\n2,,${long}\n`;

	it('in the preview, the pages on screen and the invalid rows, but not for reports', async () => {
		const session = await open(csv);
		expect(session.preview.rows[0].fields[2]).toBe(capValue(long));
		await scan(session);
		expect((await session.rows(0, 1, { capValues: true }))[0].fields[2]).toBe(capValue(long));
		expect((await session.rows(0, 1))[0].fields[2]).toBe(long);
		const invalid = await session.filteredRows(~0, 0, 10, { capValues: true });
		expect(invalid.rows[0].fields[2]).toBe(capValue(long));
		expect((await session.filteredRows(~0, 0, 10)).rows[0].fields[2]).toBe(long);
	});
});

describe('a compressed file', () => {
	it('stops at the decompression limits given to the session', async () => {
		const bomb = gzipSync('a,b\n'.repeat(10_000_000));
		const ratio = await failure(scan(await open(bomb)));
		expect(ratio.code).toBe('decompression_limit');
		expect(ratio.message).toMatch(/compression-ratio limit \(100:1\)/);
		const size = await failure(
			scan(await open(bomb, { decompressionLimits: { maxBytes: 1 << 20, maxRatio: 1e6 } }))
		);
		expect(size.message).toMatch(/more than 1 MiB, the decompressed-size limit/);
	});

	it('with maxRows, is copied only as far as its rows, with the same verdicts as a full read', async () => {
		const rows = Array.from(
			{ length: 200_000 },
			(_, i) => `${i % 7 ? i : 1},u${i}@example.com,"Note ${i},\nsecond line"`
		);
		const gz = gzipSync(`user_id,email,notes\n${rows.join('\n')}\n`);
		const written: number[] = [];
		const counting = (): WorkingCopySink => {
			const sink = memorySink();
			let bytes = 0;
			return {
				write: (chunk) => {
					bytes += chunk.length;
					return sink.write(chunk);
				},
				finish: () => (written.push(bytes), sink.finish()),
				discard: () => sink.discard()
			};
		};
		const limited = await open(gz, { sink: counting });
		const summary = await scan(limited, 5000);
		expect(written.at(-1)).toBeLessThan(4 * 1024 * 1024);

		const full = await open(gz);
		const expected = await scan(full, 5000);
		expect(summary).toEqual(expected);
		expect(await limited.rows(4990, 10)).toEqual(await full.rows(4990, 10));
		// A full scan later reads the whole file again.
		expect((await scan(limited)).rows).toBe(200_000);
		expect(written.at(-1)).toBeGreaterThan(8 * 1024 * 1024);
	});
});

describe('rangeWorkersFor', () => {
	const MB = 1_000_000;
	it.each([
		{ bytes: 0, cores: 2, expected: 1 },
		{ bytes: 100 * MB, cores: 2, expected: 1 },
		{ bytes: BYTES_PER_RANGE_WORKER, cores: 2, expected: 1 },
		{ bytes: BYTES_PER_RANGE_WORKER + 1, cores: 2, expected: 2 },
		{ bytes: 1000 * MB, cores: 2, expected: 2 },
		{ bytes: 1000 * MB, cores: 8, expected: 4 },
		{ bytes: 1000 * MB, cores: 1, expected: 1 }
	])(
		'gives $expected range workers to $bytes bytes on $cores cores',
		({ bytes, cores, expected }) => {
			expect(rangeWorkersFor(bytes, cores)).toBe(expected);
		}
	);
});
