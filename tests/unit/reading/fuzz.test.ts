import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../../src/lib/core/errors';
import { parseRecordRange, readRecords } from '../../../src/lib/core/read';
import { inspectText } from '../../../src/lib/core/sniff/inspect';
import type { RecordSpan } from '../../../src/lib/core/types';
import { blobSource, openHead, workingCopy } from '../../../src/lib/io/open';
import { hooks, utf8 } from './helpers';
import { seededRandom as prng } from '../../helpers/random';

const SEEDS = [
	'id,email,name\n1,a@b.de,"Smith, Anna"\r\n2,c@d.de,"multi\nline ""quoted"""\n3,€,😀\n',
	'sep=;\nid;mail\n1;x@y.de\n\n2;"a;b"\n',
	'uid\temail\tcreated\nKx9\tanna@example.com\t2024-01-02\n',
	'[{"id":1,"email":"a@b.de","roles":["x","y"],"meta":{"n":[1,{"k":"v"}]}},{"id":"2","__proto__":{"p":1}}]',
	'{"users":[{"localId":"a","email":"x@y.de"},{"localId":"b"}]}',
	'{"user_id":"1","identities":[{"provider":"auth0"}]}\n\n{"user_id":"2","emails":[{"address":"q@r.de","is_primary":true}]}\n'
];
/** Bytes that matter to the parsers, plus invalid UTF-8 and binary ones. */
const INTERESTING = [
	0x22, 0x2c, 0x3b, 0x09, 0x0a, 0x0d, 0x7b, 0x7d, 0x5b, 0x5d, 0x5c, 0x3a, 0x20, 0x00, 0x80, 0xc3,
	0xe2, 0xf0, 0xff, 0xfe, 0xef, 0xbb, 0xbf
];

function mutate(random: () => number, input: Uint8Array): Uint8Array {
	const bytes = [...input];
	const edits = 1 + Math.floor(random() * 6);
	for (let e = 0; e < edits; e++) {
		const at = Math.floor(random() * (bytes.length + 1));
		const value =
			random() < 0.7
				? INTERESTING[Math.floor(random() * INTERESTING.length)]
				: Math.floor(random() * 256);
		const kind = random();
		if (kind < 0.4) bytes.splice(at, 0, value);
		else if (kind < 0.7) bytes.splice(at, 1);
		else bytes[Math.min(at, bytes.length - 1)] = value;
	}
	return new Uint8Array(bytes);
}

function generate(random: () => number): Uint8Array {
	const choice = random();
	if (choice < 0.15)
		return new Uint8Array(Math.floor(random() * 200)).map(() => Math.floor(random() * 256));
	const seed = utf8(SEEDS[Math.floor(random() * SEEDS.length)]);
	let bytes = choice < 0.25 ? seed : mutate(random, seed);
	if (random() < 0.15) {
		bytes = new Uint8Array(gzipSync(bytes));
		if (random() < 0.3) bytes = bytes.subarray(0, Math.floor(random() * bytes.length));
	}
	return bytes;
}

/** The whole pipeline the app runs on a dropped file; returns the records or the FerryError. */
async function pipeline(input: Uint8Array, random: () => number): Promise<RecordSpan[]> {
	const file = new Blob([input.slice()]);
	const head = await openHead(file, {
		headBytes: random() < 0.5 ? 8 + Math.floor(random() * 64) : undefined
	});
	const { layout, preview } = inspectText(head.text, head.complete, hooks);
	const { blob: copy } = await workingCopy(file, head.info);
	const source = blobSource(copy);
	const records: RecordSpan[] = [];
	const chunkSize = 1 + Math.floor(random() * 40);
	for await (const batch of readRecords(source, layout, {
		transform: hooks.transformRecord,
		chunkSize
	}))
		records.push(...batch);

	// What was read is consistent: ordered byte ranges that re-read to the same records.
	let previousEnd = layout.dataStart;
	for (const record of records) {
		expect(record.start).toBeGreaterThanOrEqual(previousEnd);
		expect(record.end).toBeGreaterThan(record.start);
		expect(record.line).toBeGreaterThanOrEqual(1);
		previousEnd = record.end;
	}
	if (records.length > 0) {
		const bytes = await source.read(records[0].start, records.at(-1)!.end);
		const reread = parseRecordRange(
			bytes,
			{ offset: records[0].start, line: records[0].line },
			layout,
			hooks.transformRecord
		);
		expect(reread).toEqual(records);
	}
	expect(records.slice(0, preview.length)).toEqual(preview);
	return records;
}

describe('fuzz: random and mutated files through openHead → inspectText → workingCopy → readRecords', () => {
	it('never throws anything but a FerryError, and what it reads is consistent', async () => {
		const outcomes = new Map<string, number>();
		for (let seed = 1; seed <= 300; seed++) {
			const random = prng(seed);
			const input = generate(random);
			let outcome = 'ok';
			try {
				await pipeline(input, random);
			} catch (error) {
				if (!isFerryError(error)) {
					throw new Error(
						`seed ${seed} (input ${JSON.stringify([...input])}) threw ${String(error)}`,
						{ cause: error }
					);
				}
				outcome = error.code;
			}
			outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
		}
		// The generator reaches both successful reads and several kinds of refusal.
		expect(outcomes.get('ok')).toBeGreaterThan(50);
		expect(outcomes.size).toBeGreaterThan(4);
	});
});
