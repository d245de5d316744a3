import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { pick, seededRandom } from '../../helpers/random';
import { ensureIndexerBuilt, INDEXER_BUILD_DIR } from '../../helpers/wasm-build';
import { referenceEngine } from '../../../src/lib/core/engine/reference';
import type {
	ScanEngine,
	ScanProgress,
	ScanRequest,
	ScanResult
} from '../../../src/lib/core/engine/types';
import { createWasmEngine, type WasmModules } from '../../../src/lib/core/engine/wasm';
import { isFerryError, type AbortSignalLike } from '../../../src/lib/core/errors';
import { detectPreset, transformRecord } from '../../../src/lib/core/formats/presets';
import { proposeMapping } from '../../../src/lib/core/mapping/automap';
import { isKnownAlias } from '../../../src/lib/core/mapping/normalize';
import { parseRecordRange } from '../../../src/lib/core/read';
import { REFERENCE_PROFILE } from '../../../src/lib/core/profiles/catalogue';
import { inspectText } from '../../../src/lib/core/sniff/inspect';
import type { ByteSource, Layout, Mapping, ValidationOptions } from '../../../src/lib/core/types';
import type { DestinationProfile } from '../../../src/lib/core/profiles/types';
import { openHead, workingCopy } from '../../../src/lib/io/open';

export const HOOKS = { isKnownAlias, detectPreset, transformRecord };
export const OPTIONS: ValidationOptions = {
	dateOrder: 'dmy',
	defaultRegion: 'US',
	now: Date.UTC(2025, 0, 1)
};

/** Both builds of the accelerated engine's modules, compiled (built first when missing or stale). */
export function compiledModules(): { simd: WasmModules; scalar: WasmModules } {
	ensureIndexerBuilt();
	const compile = (name: string) =>
		new WebAssembly.Module(readFileSync(join(INDEXER_BUILD_DIR, name)));
	const build = (variant: string) => ({
		indexer: compile(`csv.${variant}.wasm`),
		kernel: compile(`rows.${variant}.wasm`),
		json: compile(`json.${variant}.wasm`)
	});
	return { simd: build('simd'), scalar: build('scalar') };
}

export interface Engines {
	simd: ScanEngine;
	scalar: ScanEngine;
	/**
	 * The SIMD engine reading `sliceSize` bytes per step, over ranges of 256 × sliceSize + 1 bytes
	 * (so range boundaries fall anywhere against slice boundaries).
	 */
	sliced(sliceSize: number): Promise<ScanEngine>;
	/** The SIMD engine over ranges of `rangeSize` bytes, read in 1 MiB steps. */
	ranged(rangeSize: number): Promise<ScanEngine>;
}

export async function loadEngines(): Promise<Engines> {
	const modules = compiledModules();
	return {
		simd: await createWasmEngine(modules.simd),
		scalar: await createWasmEngine(modules.scalar),
		sliced: (sliceSize) =>
			createWasmEngine(modules.simd, { sliceSize, rangeSize: 256 * sliceSize + 1 }),
		ranged: (rangeSize) => createWasmEngine(modules.simd, { rangeSize })
	};
}

export function bytesSource(bytes: Uint8Array): ByteSource {
	// Views, not copies: tiny ranges read the same bytes thousands of times (engines never write).
	return { size: bytes.length, read: async (start, end) => bytes.subarray(start, end) };
}

export const utf8 = (text: string) => new TextEncoder().encode(text);

/** A scan's input, plus what is needed to re-read rows for explain(). */
export interface Prepared {
	request: ScanRequest;
	layout: Layout;
	/** The working copy. */
	bytes: Uint8Array;
}

/** Like ImportSession: head → layout and proposed mapping, then the UTF-8 working copy. */
export async function prepareFile(
	file: Uint8Array,
	config: { encoding?: string; mapping?: Mapping; profile?: DestinationProfile } = {}
): Promise<Prepared> {
	const blob = new Blob([file as BlobPart]);
	const profile = config.profile ?? REFERENCE_PROFILE;
	const head = await openHead(blob, { encoding: config.encoding });
	const { layout, preview } = inspectText(head.text, head.complete, HOOKS);
	const mapping =
		config.mapping ??
		proposeMapping({
			columns: layout.columns,
			keys: layout.keys,
			sample: preview.map((record) => record.fields),
			preset: layout.preset,
			profile
		}).map((proposal) => proposal.field);
	const { blob: working } = await workingCopy(blob, head.info);
	const bytes = new Uint8Array(await working.arrayBuffer());
	return {
		layout,
		bytes,
		request: {
			// The working copy's bytes rather than the Blob: tiny slices read it thousands of times.
			source: bytesSource(bytes),
			layout,
			mapping,
			profile,
			options: OPTIONS,
			transformRecord
		}
	};
}

/**
 * A request over a working copy given as bytes (which may be invalid UTF-8 past the header: the
 * layout is read from the valid head `headText`).
 */
export function prepareBytes(
	bytes: Uint8Array,
	headText: string,
	mapping?: (layout: Layout) => Mapping,
	profile: DestinationProfile = REFERENCE_PROFILE
): Prepared {
	const { layout, preview } = inspectText(headText, false, HOOKS);
	return {
		layout,
		bytes,
		request: {
			source: bytesSource(bytes),
			layout,
			mapping:
				mapping?.(layout) ??
				proposeMapping({
					columns: layout.columns,
					keys: layout.keys,
					sample: preview.map((record) => record.fields),
					preset: layout.preset,
					profile
				}).map((proposal) => proposal.field),
			profile,
			options: OPTIONS,
			transformRecord
		}
	};
}

export type Outcome =
	| { result: ScanResult; progress: ScanProgress[] }
	| { error: { code: string; message: string; details: unknown } };

/** What an engine makes of a request: its result and progress reports, or its FerryError. */
export async function outcome(
	engine: ScanEngine,
	request: ScanRequest,
	extra: { maxRows?: number; signal?: AbortSignalLike } = {}
): Promise<Outcome> {
	const progress: ScanProgress[] = [];
	try {
		const result = await engine.scan({
			...request,
			...extra,
			onProgress: (report) => progress.push(report)
		});
		return { result, progress };
	} catch (error) {
		if (!isFerryError(error)) throw error;
		return { error: { code: error.code, message: error.message, details: error.details } };
	}
}

/** Everything of a result but its engine name and its functions. */
function packed(result: ScanResult) {
	const { engine: _engine, explain: _explain, firstRowOfKey: _firstRowOfKey, ...rest } = result;
	return rest;
}

/**
 * Asserts that `actual` is exactly the reference's outcome: the same error, or the same result
 * (every typed array, count, duplicate and date order) with the same explain() for every row with
 * an issue and for the first rows. `sameProgress`: the last progress report too, and reports
 * that never go back.
 */
export function expectSameOutcome(
	reference: Outcome,
	actual: Outcome,
	prepared: Prepared,
	label: string,
	sameProgress = false
): void {
	if ('error' in reference || 'error' in actual) {
		expect(actual, label).toEqual(reference);
		return;
	}
	expect(packed(actual.result), label).toEqual(packed(reference.result));
	if (sameProgress) {
		// Engines report at their own steps; they agree on the end, and never go backwards.
		expect(actual.progress.at(-1), label).toEqual(reference.progress.at(-1));
		const bytes = actual.progress.map((report) => report.bytes);
		expect(bytes, label).toEqual([...bytes].sort((a, b) => a - b));
	}
	const { rowIssues, rowStarts, rowEnds, rowLines } = reference.result;
	for (let row = 0; row < rowIssues.length; row++) {
		if (rowIssues[row] === 0 && row >= 3) continue;
		const [record] = parseRecordRange(
			prepared.bytes.subarray(rowStarts[row], rowEnds[row]),
			{ offset: rowStarts[row], line: rowLines[row] },
			prepared.layout,
			transformRecord,
			prepared.request.maxRecordBytes
		);
		const { fields, fieldCount, malformedQuote } = record;
		expect(
			actual.result.explain(row, fields, fieldCount, malformedQuote),
			`${label} explain row ${row}`
		).toEqual(reference.result.explain(row, fields, fieldCount, malformedQuote));
	}
}

/** The reference outcome and the engine's, compared. */
export async function expectSameAsReference(
	engine: ScanEngine,
	prepared: Prepared,
	label: string,
	extra: { maxRows?: number; sameProgress?: boolean } = {}
): Promise<Outcome> {
	const options = { maxRows: extra.maxRows };
	const reference = await outcome(referenceEngine, prepared.request, options);
	const actual = await outcome(engine, prepared.request, options);
	expectSameOutcome(reference, actual, prepared, label, extra.sameProgress);
	return actual;
}

export { pick, seededRandom as random };

export const EXPORT_HEADER = [
	'user_id',
	'email',
	'name',
	'phone',
	'created_at',
	'last_login',
	'email_verified',
	'notes'
];

/**
 * A user export with the troubles real ones have: quoted names with delimiters, notes with quotes
 * and embedded line breaks, multi-byte characters (2, 3 and 4 bytes), slash and ISO dates, bad
 * emails and booleans, repeated ids and emails, short and ragged rows, blank lines, whitespace after
 * closing quotes. `newline` 'mixed' picks CR, LF or CRLF at random for every break.
 */
export function generateExport(
	next: () => number,
	options: { rows: number; delimiter?: string; newline?: string }
): string {
	const delimiter = options.delimiter ?? ',';
	const newline = options.newline ?? '\r\n';
	const lineBreak = () => (newline === 'mixed' ? pick(next, ['\n', '\r\n', '\r']) : newline);
	const given = ['Ada', 'Zoë', 'José', 'Mary Ann', '李', 'Émile', 'Ολυμπία', '😀 Joy'];
	const family = ['Lovelace', "O'Brien", 'García', 'Müller', '中村', 'Smith-Jones'];
	const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
	const lines = [EXPORT_HEADER.join(delimiter) + lineBreak()];
	for (let row = 0; row < options.rows; row++) {
		const first = pick(next, given);
		const last = pick(next, family);
		const id = next() < 0.05 ? String(1 + Math.floor(next() * row)) : String(row + 1);
		const email = pick(next, [
			`${row}@example.com`,
			`user${Math.floor(next() * options.rows)}@Example.com`,
			`  padded${row}@example.org `,
			'not-an-email',
			'',
			`zoë${row}@example.com`
		]);
		const name = pick(next, [
			`${first} ${last}`,
			quote(`${last}${delimiter} ${first}`),
			`${quote(`${first} "${last}"`)}  `,
			`${quote(first)}\u00a0`,
			'N'.repeat(1025),
			''
		]);
		const phone = pick(next, ['+1 202 555 0143', '(202) 555-0187', '12', '', '+44 20 7946 0958']);
		const day = 1 + Math.floor(next() * 28);
		const month = 1 + Math.floor(next() * 12);
		const created = pick(next, [
			`2023-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
			`${day}/${month}/2022`,
			`${month}/${day}/2021`,
			'2031-01-01T00:00:00Z',
			'31/02/2020',
			'1700000000',
			''
		]);
		const login = pick(next, ['2024-05-01T08:30:00Z', '2020-01-01', '', 'yesterday']);
		const verified = pick(next, ['true', 'FALSE', 'yes', '1', 'maybe', '']);
		const notes = pick(next, [
			'',
			'VIP',
			quote(`called twice;${lineBreak()}prefers email, "not" phone`),
			quote(`line one${lineBreak()}line two${lineBreak()}日本語 ✓`),
			quote('x'.repeat(1030)),
			'5" screen'
		]);
		let cells = [id, email, name, phone, created, login, verified, notes];
		const shape = next();
		if (shape < 0.04) cells = cells.slice(0, 1 + Math.floor(next() * 7));
		else if (shape < 0.08) cells.push('', pick(next, ['', ' ', 'extra', '""', quote(' \t ')]));
		lines.push(cells.join(delimiter) + (row < options.rows - 1 || next() < 0.5 ? lineBreak() : ''));
		if (next() < 0.03) lines.push(lineBreak());
	}
	return lines.join('');
}
