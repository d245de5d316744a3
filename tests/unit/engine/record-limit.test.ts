// A record longer than the record limit is one row with record_too_large, its bytes skipped
// unread, and both engines say so alike: at the limit's edge, across slices and ranges, in CSV
// and JSON. The limit is set to 1 KiB through the request instead of writing 16 MiB records.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScanEngine } from '../../../src/lib/core/engine/types';
import { bitOf } from '../../../src/lib/core/validate/codes';
import { expectSameAsReference, loadEngines, prepareFile, utf8, type Prepared } from './helpers';
import { loadJsonEngines } from './json-helpers';

const LIMIT = 1024;
const TOO_LARGE = bitOf('record_too_large');
const HEADER = 'user_id,email,note';

/** A CSV record of exactly `size` bytes, its line break included (none: the last record). */
function csvRecord(id: number, size: number, newline: string, quoted = false): string {
	const head = `${id},u${id}@example.com,`;
	const room = size - head.length - newline.length - (quoted ? 2 : 0);
	// A quoted note holds line breaks, so the record spans lines (and slices) as a field.
	const note = quoted ? 'ab\ncd\r\n'.repeat(room).slice(0, room) : 'x'.repeat(room);
	const text = `${head}${quoted ? `"${note}"` : note}${newline}`;
	expect(utf8(text).length).toBe(size);
	return text;
}

async function prepared(text: string): Promise<Prepared> {
	const prepared = await prepareFile(utf8(text));
	prepared.request.maxRecordBytes = LIMIT;
	return prepared;
}

let csvEngines: ScanEngine[];
let jsonEngines: ScanEngine[];
beforeAll(async () => {
	const engines = await loadEngines();
	csvEngines = [
		engines.simd,
		engines.scalar,
		await engines.sliced(3),
		await engines.sliced(64),
		await engines.sliced(1000),
		await engines.ranged(300),
		await engines.ranged(4096)
	];
	const json = await loadJsonEngines();
	jsonEngines = [json.simd, json.scalar, json.sliced(3), json.sliced(100, 'scalar')];
});

/** The reference outcome, the same from every engine; answers the reference's row masks. */
async function sameOnEveryEngine(engines: ScanEngine[], prepared: Prepared, label: string) {
	let masks: number[] = [];
	for (const [i, engine] of engines.entries()) {
		const outcome = await expectSameAsReference(engine, prepared, `${label} engine ${i}`);
		if (!('result' in outcome)) throw new Error(`${label}: ${JSON.stringify(outcome.error)}`);
		masks = [...outcome.result.rowIssues];
	}
	return masks;
}

describe('CSV at the record limit', () => {
	const cases = ['\n', '\r\n', '\r'].flatMap((newline) =>
		[LIMIT - 1, LIMIT, LIMIT + 1].flatMap((size) =>
			[false, true].map((quoted) => ({ newline, size, quoted, tooLarge: size > LIMIT }))
		)
	);
	it.each(cases)(
		'a record of $size bytes ending $newline (quoted with line breaks: $quoted)',
		async ({ newline, size, quoted, tooLarge }) => {
			const text =
				HEADER +
				newline +
				csvRecord(1, 60, newline) +
				csvRecord(2, size, newline, quoted) +
				csvRecord(3, 60, newline);
			const masks = await sameOnEveryEngine(
				csvEngines,
				await prepared(text),
				JSON.stringify(newline)
			);
			expect(masks.map((mask) => (mask & TOO_LARGE) !== 0)).toEqual([false, tooLarge, false]);
			if (tooLarge) expect(masks[1]).toBe(TOO_LARGE);
		}
	);

	it.each([LIMIT - 1, LIMIT, LIMIT + 1, 5 * LIMIT])(
		'the last record, of %i bytes, without a line break',
		async (size) => {
			const text = `${HEADER}\n${csvRecord(1, 60, '\n')}${csvRecord(2, size, '', true)}`;
			const masks = await sameOnEveryEngine(csvEngines, await prepared(text), `last ${size}`);
			expect(masks).toEqual([0, size > LIMIT ? TOO_LARGE : 0]);
		}
	);

	it('records far over the limit, first, one after another and between others', async () => {
		const text = [
			`${HEADER}\n`,
			csvRecord(1, 9 * LIMIT, '\n'),
			csvRecord(2, 3 * LIMIT, '\r\n', true),
			csvRecord(3, 80, '\n'),
			'\n\n',
			csvRecord(4, 20 * LIMIT, '\n', true),
			csvRecord(2, 80, '\n'),
			// Thousands of fields, quoted ones among them: the indexer's open field ends are let go too.
			`5,${',"a,\nb",'.repeat(LIMIT)}\n`,
			csvRecord(6, 80, '\r\n')
		].join('');
		const masks = await sameOnEveryEngine(csvEngines, await prepared(text), 'far over');
		// Row 5 repeats user_id 2 of a skipped row: a skipped row has no keys.
		expect(masks).toEqual([TOO_LARGE, TOO_LARGE, 0, TOO_LARGE, 0, TOO_LARGE, 0]);
	});

	it('a record too large whose CR ends a slice, its LF in the next one, is still one row', async () => {
		// Sizes past the limit put that record's CR at every place of a 64-byte slice; once
		// found too large, its fields' ends were all let go, and its LF then ended an empty line.
		const sliced = await loadEngines().then((engines) => engines.sliced(64));
		for (let size = LIMIT + 2; size < LIMIT + 2 + 64; size++) {
			const text =
				`${HEADER}\r\n` +
				csvRecord(1, 60, '\r\n') +
				csvRecord(2, size, '\r\n') +
				csvRecord(3, 60, '\r\n');
			const outcome = await expectSameAsReference(sliced, await prepared(text), `${size} bytes`);
			if (!('result' in outcome)) throw new Error(JSON.stringify(outcome.error));
			expect([...outcome.result.rowIssues]).toEqual([0, TOO_LARGE, 0]);
		}
	});

	it('many records together longer than the limit, one of them too large, cells for JavaScript around it', async () => {
		// Phones and non-ASCII emails are checked in JavaScript; a row too large must skip that.
		const small = (id: number) => `${id},ü${id}@example.com,+1 202 555 ${1000 + id}\n`;
		const rows = Array.from({ length: 40 }, (_, i) => small(i + 1));
		rows.splice(20, 0, csvRecord(99, 2 * LIMIT, '\n', true));
		const text = `user_id,email,phone_number\n${rows.join('')}`;
		const masks = await sameOnEveryEngine(csvEngines, await prepared(text), 'many small');
		expect(masks.map((mask) => mask === TOO_LARGE)).toEqual(rows.map((_, i) => i === 20));
	});

	/** `bytes` as the working copy, its layout read from a small file with the same header. */
	async function preparedBytes(bytes: Uint8Array): Promise<Prepared> {
		const file = await prepareFile(utf8(`${HEADER}\n2,c@d.co,ok\n`));
		const source = {
			size: bytes.length,
			read: async (start: number, end: number) => bytes.subarray(start, end)
		};
		return { ...file, bytes, request: { ...file.request, source, maxRecordBytes: LIMIT } };
	}

	it('a record too large is never decoded: invalid UTF-8 and misplaced quotes in it say nothing', async () => {
		const bad = [...utf8(`${HEADER}\n1,a@b.co,x"y`), 0xff, 0xfe];
		const big = new Uint8Array([...bad, ...utf8('z'.repeat(2 * LIMIT) + '\n2,c@d.co,ok\n')]);
		const masks = await sameOnEveryEngine(csvEngines, await preparedBytes(big), 'undecoded');
		expect(masks).toEqual([TOO_LARGE, 0]);
	});

	it('a quoted field never closed in a record too large is still an error', async () => {
		const text = `${HEADER}\n1,a@b.co,ok\n2,c@d.co,"${'n'.repeat(3 * LIMIT)}\n`;
		const file = await preparedBytes(utf8(text));
		for (const engine of csvEngines) {
			const outcome = await expectSameAsReference(engine, file, 'unterminated');
			expect('error' in outcome && outcome.error.code).toBe('unterminated_quote');
		}
	});
});

describe('JSON at the record limit', () => {
	/** A JSON record of exactly `size` bytes from `{` to `}`. */
	function jsonRecord(id: number, size: number): string {
		const head = `{"user_id":"${id}","email":"u${id}@example.com","note":"`;
		const text = `${head}${'x'.repeat(size - head.length - 2)}"}`;
		expect(utf8(text).length).toBe(size);
		return text;
	}
	const cases = [LIMIT - 1, LIMIT, LIMIT + 1, 7 * LIMIT].flatMap((size) =>
		(['ndjson', 'array'] as const).map((shape) => ({ shape, size }))
	);
	it.each(cases)('$shape: a record of $size bytes', async ({ shape, size }) => {
		const records = [jsonRecord(1, 90), jsonRecord(2, size), jsonRecord(3, 90)];
		const text = shape === 'ndjson' ? records.join('\n') : `[\n${records.join(',\n')}\n]`;
		const masks = await sameOnEveryEngine(jsonEngines, await prepared(text), `${shape} ${size}`);
		expect(masks).toEqual([0, size > LIMIT ? TOO_LARGE : 0, 0]);
	});

	it('the last NDJSON record too large, without a line break', async () => {
		const text = `${jsonRecord(1, 90)}\n${jsonRecord(2, 3 * LIMIT)}`;
		const masks = await sameOnEveryEngine(jsonEngines, await prepared(text), 'last');
		expect(masks).toEqual([0, TOO_LARGE]);
	});
});
