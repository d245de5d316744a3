// Throughput sanity check of the WebAssembly CSV indexer (not a test): generates about 50 MB of a
// realistic user export (quoted names with commas, notes with embedded line breaks and quotes,
// CRLF) and prints MB/s of the SIMD and scalar builds next to papaparse parse-only on the same
// data. Run: npm run build:wasm && npx tsx scripts/bench-index.ts [megabytes]
import Papa from 'papaparse';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CsvRecordParser } from '../src/lib/core/csv/parser';
import {
	createCsvIndexState,
	instantiateCsvIndexer,
	readRecords,
	type CsvIndexer
} from '../src/lib/core/wasm/csv-index';
import { seededRandom } from '../tests/helpers/random';

const megabytes = Number(process.argv[2] ?? 50);
const root = join(import.meta.dirname, '..');

function generate(size: number): string {
	const next = seededRandom(7);
	const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
	const given = ['Ada', 'Grace', 'Zoë', 'José', 'Mary Ann', 'Li', 'Émile', 'Oluwaseun', 'Anna'];
	const family = ['Lovelace', 'Hopper', "O'Brien", 'García', 'Müller', 'Nakamura', 'Smith-Jones'];
	const notes = [
		'',
		'VIP customer',
		'"Moved from the old system, see ""ticket 4411"""',
		'"Called twice;\r\nprefers email, not phone"',
		'"Line one\r\nLine two\r\nLine three"',
		'no notes'
	];
	const hex = () =>
		Math.floor(next() * 0x10000)
			.toString(16)
			.padStart(4, '0');
	const parts: string[] = [
		'user_id,email,name,given_name,family_name,email_verified,phone_number,created_at,roles,notes\r\n'
	];
	let length = parts[0].length;
	while (length < size) {
		const first = pick(given);
		const last = pick(family);
		const id = `${hex()}${hex()}-${hex()}-${hex()}-${hex()}-${hex()}${hex()}${hex()}`;
		const email = `${first}.${last}${Math.floor(next() * 1000)}@example.com`.toLowerCase();
		const name = next() < 0.5 ? `"${last}, ${first}"` : `${first} ${last}`;
		const date = `2023-${String(1 + Math.floor(next() * 12)).padStart(2, '0')}-1${Math.floor(next() * 10)}T08:30:00Z`;
		const row = [
			id,
			email,
			name,
			first,
			last,
			next() < 0.8 ? 'true' : 'false',
			`+1555${Math.floor(next() * 1e7)}`,
			date,
			next() < 0.2 ? '"admin,user"' : 'user',
			pick(notes)
		].join(',');
		parts.push(row, '\r\n');
		length += row.length + 2;
	}
	return parts.join('');
}

/** Best of `runs` timings, in MB/s of `bytes`. */
function measure(bytes: number, runs: number, work: () => unknown): number {
	work();
	let best = Infinity;
	for (let r = 0; r < runs; r++) {
		const start = performance.now();
		work();
		best = Math.min(best, performance.now() - start);
	}
	return bytes / 1e6 / (best / 1000);
}

function indexAll(indexer: CsvIndexer, bytes: Uint8Array): number {
	return indexer.index(bytes, 0x2c, createCsvIndexState(), true).count;
}

const text = generate(megabytes * 1e6);
const bytes = new TextEncoder().encode(text);
const load = (name: string) => instantiateCsvIndexer(readFileSync(join(root, 'wasm/build', name)));
const simd = await load('csv.simd.wasm');
const scalar = await load('csv.scalar.wasm');

const records = indexAll(simd, bytes);
const papaRows = Papa.parse(text, { delimiter: ',', newline: '\r\n' }).data.length - 1;
console.log(
	`${(bytes.length / 1e6).toFixed(1)} MB, ${records} records (papaparse: ${papaRows} rows)`
);

const results: [string, number][] = [
	['wasm SIMD index (offsets only)', measure(bytes.length, 5, () => indexAll(simd, bytes))],
	['wasm scalar index (offsets only)', measure(bytes.length, 3, () => indexAll(scalar, bytes))],
	[
		'wasm SIMD index + every field as a string',
		measure(bytes.length, 3, () => {
			const index = simd.index(bytes, 0x2c, createCsvIndexState(), true);
			return readRecords(index, bytes).length;
		})
	],
	[
		'papaparse parse-only (string already decoded)',
		measure(
			bytes.length,
			3,
			() => Papa.parse(text, { delimiter: ',', newline: '\r\n' }).data.length
		)
	],
	[
		'reference reader (csv/parser.ts, 1 MiB chunks)',
		measure(bytes.length, 3, () => {
			const parser = new CsvRecordParser({ delimiter: ',', columns: 10, offset: 0, line: 1 });
			let count = 0;
			for (let at = 0; at < bytes.length; at += 1 << 20) {
				count += parser.push(bytes.subarray(at, at + (1 << 20))).length;
			}
			return count + parser.finish().length;
		})
	]
];
for (const [name, rate] of results)
	console.log(`${name.padEnd(48)} ${rate.toFixed(0).padStart(6)} MB/s`);
