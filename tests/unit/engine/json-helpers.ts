import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pick } from '../../helpers/random';
import { ensureIndexerBuilt, INDEXER_BUILD_DIR } from '../../helpers/wasm-build';
import { createWasmJsonScan } from '../../../src/lib/core/engine/json-wasm';
import type { ScanEngine } from '../../../src/lib/core/engine/types';
import { instantiateJsonSplitter, type JsonSplitter } from '../../../src/lib/core/wasm/json-split';

const BUILDS = ['json.simd.wasm', 'json.scalar.wasm'] as const;

export interface Splitters {
	simd: JsonSplitter;
	scalar: JsonSplitter;
}

/** Both builds of the splitter (built first when missing or stale). */
export async function loadSplitters(): Promise<Splitters> {
	ensureIndexerBuilt();
	const [simd, scalar] = await Promise.all(
		BUILDS.map((name) => instantiateJsonSplitter(readFileSync(join(INDEXER_BUILD_DIR, name))))
	);
	return { simd, scalar };
}

export interface JsonEngines {
	simd: ScanEngine;
	scalar: ScanEngine;
	/** An engine giving the splitter `sliceSize` bytes per call. */
	sliced(sliceSize: number, build?: 'simd' | 'scalar'): ScanEngine;
}

/** The JSON scan of the accelerated engine, as engines to set beside the reference one. */
export async function loadJsonEngines(): Promise<JsonEngines> {
	const splitters = await loadSplitters();
	const engine = (build: 'simd' | 'scalar', sliceSize?: number): ScanEngine => {
		const name = build === 'simd' ? 'wasm-simd' : 'wasm';
		return { name, scan: createWasmJsonScan(splitters[build], name, { sliceSize }) };
	};
	return {
		simd: engine('simd'),
		scalar: engine('scalar'),
		sliced: (sliceSize, build = 'simd') => engine(build, sliceSize)
	};
}

export type JsonShape = 'ndjson' | 'array' | 'root';

const GIVEN = ['Ada', 'Zoë', 'José', 'Mary Ann', '李', 'Émile', 'Ολυμπία', '😀 Joy'];
const FAMILY = ['Lovelace', "O'Brien", 'García', 'Müller', '中村', 'Smith-Jones'];

/** A JSON string literal of `value`, now and then with escapes JSON.stringify never writes. */
function literal(next: () => number, value: string): string {
	const plain = JSON.stringify(value);
	if (next() < 0.7) return plain;
	// \u escapes for non-ASCII (and a surrogate pair for astral characters), escaped slashes.
	return plain
		.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
		.replaceAll('/', '\\/');
}

/** The members of one user record as JSON texts, with the troubles real exports have. */
function userRecord(
	next: () => number,
	row: number,
	rows: number,
	late: boolean
): [string, string][] {
	const first = pick(next, GIVEN);
	const last = pick(next, FAMILY);
	const members: [string, string][] = [];
	const add = (key: string, json: string) => members.push([key, json]);
	const id = next() < 0.05 ? String(1 + Math.floor(next() * row)) : String(row + 1);
	add(
		'user_id',
		pick(next, [
			literal(next, `auth0|${id}`),
			id,
			`"${id}"`,
			// Beyond a double's precision: kept as written.
			`1234567890123456${String(row).padStart(4, '0')}`
		])
	);
	add(
		'email',
		literal(
			next,
			pick(next, [
				`${row}@example.com`,
				`user${Math.floor(next() * rows)}@Example.com`,
				'not-an-email',
				'',
				`zoë${row}@example.com`
			])
		)
	);
	add(
		'name',
		pick(next, [
			literal(next, `${first} ${last}`),
			literal(next, `${first} "${last}" \\ }]{[`),
			literal(next, 'N'.repeat(1025)),
			'null',
			'""'
		])
	);
	add('email_verified', pick(next, ['true', 'false', '"yes"', '1', 'null']));
	const day = 1 + Math.floor(next() * 28);
	add(
		'created_at',
		literal(
			next,
			pick(next, [
				`2023-0${1 + Math.floor(next() * 9)}-${String(day).padStart(2, '0')}T10:00:00.000Z`,
				`${day}/03/2022`,
				'2031-01-01T00:00:00Z',
				'yesterday',
				''
			])
		)
	);
	if (next() < 0.5)
		add(
			'app_metadata',
			pick(next, [
				'{"plan":"pro","roles":["admin","dev"]}',
				'{}',
				'{"plan":{"tier":[1,{"x":"}"}]},"quota":1.5e3}',
				'{"roles":[]}'
			])
		);
	if (next() < 0.3)
		add(
			'identities',
			`[{"provider":"auth0","user_id":${literal(next, id)},"isSocial":false}${next() < 0.5 ? ',{"provider":"google-oauth2","profileData":{"name":"\\"G\\""}}' : ''}]`
		);
	if (next() < 0.1) add('phone_number', literal(next, pick(next, ['+1 202 555 0143', '12', ''])));
	if (next() < 0.05) add('deep', '['.repeat(40) + '"x"' + ']'.repeat(40));
	if (late && next() < 0.3) add(pick(next, ['late_key', 'late.nested']), '{"x":"\\u00e9"}');
	if (next() < 0.03) add('__proto__', '{"polluted":true}');
	return members;
}

/**
 * A user export as JSON text: NDJSON (blank lines now and then), a top-level array, or Firebase's
 * `{"users": [...]}`; compact or pretty-printed with `newline` ('mixed': CR, LF or CRLF at random).
 * Records hold escaped quotes and backslashes, \u escapes, multi-byte characters, brackets inside
 * strings, nested objects and arrays, big numbers; keys first seen after the preview.
 */
export function generateJson(
	next: () => number,
	options: { rows: number; shape: JsonShape; pretty?: boolean; newline?: string }
): string {
	const { rows, shape, pretty = false } = options;
	const newline = options.newline ?? '\n';
	const lineBreak = () => (newline === 'mixed' ? pick(next, ['\n', '\r\n', '\r']) : newline);
	const space = () => (pretty ? pick(next, [' ', '  ', '\t', lineBreak() + '  ']) : '');
	const records: string[] = [];
	for (let row = 0; row < rows; row++) {
		const members = userRecord(next, row, rows, row > 60);
		const body = members
			.map(([key, json]) => `${space()}${JSON.stringify(key)}${pretty ? ': ' : ':'}${json}`)
			.join(',');
		records.push(`{${body}${space()}}`);
	}
	if (shape === 'ndjson') {
		return records
			.map((record) => record + lineBreak() + (next() < 0.05 ? lineBreak() : ''))
			.join('');
	}
	const separator = () => (pretty ? `,${lineBreak()}  ` : ',');
	const array = `[${pretty ? lineBreak() + '  ' : ''}${records.reduce((all, record, i) => (i === 0 ? record : all + separator() + record), '')}${pretty ? lineBreak() : ''}]`;
	if (shape === 'array') return array + (next() < 0.5 ? lineBreak() : '');
	return `{"kind":"identitytoolkit#DownloadAccountResponse","users":${array},"nextPageToken":"x"}`;
}

/** Structural bytes, escapes, line breaks, multi-byte characters and bytes that are not UTF-8. */
const JSON_INSERTS: number[][] = [
	[0x7b],
	[0x7d],
	[0x5b],
	[0x5d],
	[0x22],
	[0x5c],
	[0x5c, 0x22],
	[0x5c, 0x5c],
	[0x2c],
	[0x3a],
	[0x0a],
	[0x0d],
	[0x0d, 0x0a],
	[0x20],
	[0x09],
	[...new TextEncoder().encode('é')],
	[...new TextEncoder().encode('😀')],
	[...new TextEncoder().encode('\\u00e9')],
	[0xff],
	[0xc3],
	[0xe2, 0x80]
];

/**
 * A few random byte edits after `from`: inserts, cuts (which may split a character), repeats; and
 * now and then the end cut off.
 */
export function mutate(next: () => number, bytes: Uint8Array, from = 0): Uint8Array {
	let result = [...bytes];
	if (next() < 0.2) result = result.slice(0, from + Math.floor(next() * (result.length - from)));
	const edits = 1 + Math.floor(next() * 4);
	for (let e = 0; e < edits; e++) {
		const at = from + Math.floor(next() * (result.length - from + 1));
		const kind = next();
		if (kind < 0.55) result.splice(at, 0, ...pick(next, JSON_INSERTS));
		else if (kind < 0.8) result.splice(at, 1 + Math.floor(next() * 3));
		else result = [...result.slice(0, at), ...result.slice(at, at + 80), ...result.slice(at)];
	}
	return new Uint8Array(result);
}
