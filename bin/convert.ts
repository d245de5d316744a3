import { openAsBlob, rmSync } from 'node:fs';
import { access, mkdir, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
	censusOf,
	TARGET_NAMES,
	WRITABLE_FIELDS,
	convert,
	preflight,
	renamable,
	targetByName,
	type ConvertOptions,
	type ConvertPiece,
	type PreflightItem,
	type Target
} from '../src/lib/core/convert';
import { chooseEngine } from '../src/lib/core/engine/select';
import { isFerryError } from '../src/lib/core/errors';
import type { FirebaseHashConfig } from '../src/lib/core/identity/firebase';
import { dateOrderOfLocale, regionOfLocale } from '../src/lib/core/locale';
import { PROFILE_NAMES } from '../src/lib/core/profiles/types';
import { profileByName } from '../src/lib/core/profiles/catalogue';
import type { DateOrder, FieldName } from '../src/lib/core/types';
import type { CanonicalRecord } from '../src/lib/core/validate/normalize';
import { ImportSession } from '../src/lib/pipeline/session';
import { localeOfEnvironment } from './cli';
import { readHashConfig } from './destination-options';
import { notARegularFile } from './input-file';
import { escapeForTerminal, jsonForTerminal } from './terminal';
import { temporaryCopies } from './temp-copies';

interface Io {
	stdout: { write(text: string): unknown };
	stderr: { write(text: string): unknown };
}

export const CONVERT_HELP = `Usage: ferry convert FILE --to TARGET --out DIR [--fields a,b,…] [--rename a=b,…] [--sample N]
                     [--profile-of-source NAME] [--hash-config FILE] [--json]

Reads and validates FILE exactly as ferry validate does, then writes its valid rows into DIR in the
target's own import format. Each file is written as NAME.partial and renamed when complete; if the
conversion fails, the partial files are removed. Nothing is sent anywhere.

Targets: ${TARGET_NAMES.join(', ')} (docs/convert.md says what each takes and loses).

Options:
  --to TARGET       the format to write
  --out DIR         where the files go (created if missing)
  --fields a,b,…    only these canonical fields (${WRITABLE_FIELDS.join(', ')})
  --rename a=b,…    write field a under the name b (csv, json and ndjson only)
  --sample N        only the first N valid rows
  --profile-of-source NAME
                    the destination profile the rows are validated and read with, as ferry
                    validate does (${PROFILE_NAMES.join(', ')}; default reference: every field)
  --hash-config FILE[#USERS_FILE]
                    the Firebase hash config FILE's hashes are read with, as in ferry validate
  --json            print one JSON object: {target, files: [{name, bytes, rows}], rows, skipped:
                    {reason: rows}, preflight: [{outcome, subject, count, message}]}
  -h, --help        show this help

Exit codes: 0 when it ran; 1 on a usage error (an unknown target or field, a DIR that cannot be
written); 2 when FILE cannot be read or a file cannot be written (the reason on stderr).
`;

/** Rows read from the session per page: bounded memory whatever the file's size. */
const PAGE_ROWS = 5_000;

class UsageError extends Error {}

interface Parsed {
	path: string;
	target: Target;
	out: string;
	options: ConvertOptions;
	profileName: string;
	hashConfigPath: string | undefined;
	json: boolean;
}

function list(value: string | undefined): string[] | undefined {
	return value
		?.split(',')
		.map((item) => item.trim())
		.filter((item) => item !== '');
}

function writableField(name: string, flag: string): FieldName {
	if (!(WRITABLE_FIELDS as readonly string[]).includes(name))
		throw new UsageError(
			`unknown field '${name}' in ${flag}. Fields: ${WRITABLE_FIELDS.join(', ')}.`
		);
	return name as FieldName;
}

function parse(argv: string[]): Parsed | 'help' {
	const { values, positionals } = parseArgs({
		args: argv,
		allowPositionals: true,
		options: {
			to: { type: 'string' },
			out: { type: 'string' },
			fields: { type: 'string' },
			rename: { type: 'string' },
			sample: { type: 'string' },
			'profile-of-source': { type: 'string', default: 'reference' },
			'hash-config': { type: 'string' },
			json: { type: 'boolean', default: false },
			help: { type: 'boolean', short: 'h', default: false }
		}
	});
	if (values.help) return 'help';
	if (positionals.length !== 1) throw new UsageError('give exactly one FILE.');
	if (!values.to) throw new UsageError(`--to TARGET is required (${TARGET_NAMES.join(', ')}).`);
	const target = targetByName(values.to);
	if (!target)
		throw new UsageError(`unknown target '${values.to}'. Targets: ${TARGET_NAMES.join(', ')}.`);
	if (!values.out) throw new UsageError('--out DIR is required.');
	const options: ConvertOptions = {};
	const fields = list(values.fields);
	if (fields) options.fields = fields.map((field) => writableField(field, '--fields'));
	const renames = list(values.rename);
	if (renames) {
		if (!renamable(target))
			throw new UsageError(
				`--rename applies to csv, json and ndjson; ${target.name}'s names are its format.`
			);
		const rename: Partial<Record<FieldName, string>> = {};
		for (const pair of renames) {
			const [from, to, ...rest] = pair.split('=');
			if (!to || rest.length > 0) throw new UsageError(`--rename takes a=b pairs, not '${pair}'.`);
			rename[writableField(from.trim(), '--rename')] = to.trim();
		}
		options.rename = rename;
	}
	if (values.sample !== undefined) {
		const sample = Number(values.sample);
		if (!(Number.isInteger(sample) && sample > 0))
			throw new UsageError('--sample takes a whole number above zero.');
		options.sample = sample;
	}
	if (!profileByName(values['profile-of-source']))
		throw new UsageError(
			`unknown profile '${values['profile-of-source']}' in --profile-of-source. Profiles: ${PROFILE_NAMES.join(', ')}.`
		);
	return {
		path: positionals[0],
		target,
		out: values.out,
		options,
		profileName: values['profile-of-source'],
		hashConfigPath: values['hash-config'],
		json: values.json
	};
}

/** DIR made if missing, and writable; else a usage error that says why. */
async function prepareOut(out: string): Promise<void> {
	try {
		await mkdir(out, { recursive: true });
		if (!(await stat(out)).isDirectory()) throw new Error('not a directory');
		await access(out, 2 /* W_OK */);
	} catch (error) {
		const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
		throw new UsageError(`cannot write to ${out} (${reason}).`);
	}
}

/** The valid rows of the scanned session, normalised, page by page. */
async function* validRecords(session: ImportSession): AsyncIterable<CanonicalRecord> {
	for (let next: number | null = 0; next !== null;) {
		const page = await session.validRows(next, PAGE_ROWS);
		for (const row of page.rows) yield row.record;
		next = page.next;
	}
}

interface WrittenFile {
	name: string;
	bytes: number;
	rows: number;
}

/** Streams the pieces to DIR: NAME.partial while written, renamed when complete. */
async function writeFiles(
	out: string,
	pieces: AsyncIterable<ConvertPiece>,
	skipped: Record<string, number>,
	partials: Set<string>
): Promise<WrittenFile[]> {
	const open_ = new Map<string, FileHandle>();
	const files: WrittenFile[] = [];
	try {
		for await (const piece of pieces) {
			if (piece.kind === 'skip') {
				skipped[piece.reason] = (skipped[piece.reason] ?? 0) + 1;
				continue;
			}
			const partial = join(out, `${piece.name}.partial`);
			let handle = open_.get(piece.name);
			if (!handle) {
				partials.add(partial);
				handle = await open(partial, 'w');
				open_.set(piece.name, handle);
			}
			if (piece.kind === 'data') {
				await handle.write(piece.chunk);
				continue;
			}
			await handle.close();
			open_.delete(piece.name);
			await rename(partial, join(out, piece.name));
			partials.delete(partial);
			files.push({ name: piece.name, bytes: piece.bytes, rows: piece.rows });
		}
	} catch (error) {
		for (const handle of open_.values()) await handle.close().catch(() => {});
		for (const partial of partials) await rm(partial, { force: true });
		throw error;
	}
	return files;
}

export async function runConvert(argv: string[], io: Io): Promise<number> {
	let parsed: Parsed | 'help';
	let hashConfig: FirebaseHashConfig | null = null;
	try {
		parsed = parse(argv);
		if (parsed === 'help') {
			io.stdout.write(CONVERT_HELP);
			return 0;
		}
		if (parsed.hashConfigPath !== undefined) {
			const read = await readHashConfig(parsed.hashConfigPath);
			if ('error' in read) throw new UsageError(read.error);
			hashConfig = read.value;
		}
		await prepareOut(parsed.out);
	} catch (error) {
		io.stderr.write(`ferry convert: ${escapeForTerminal((error as Error).message)}\n`);
		if (!(error instanceof UsageError)) io.stderr.write('See ferry convert --help.\n');
		return 1;
	}
	const { path, target, out, options, json } = parsed;
	const profile = profileByName(parsed.profileName)!;
	const locale = localeOfEnvironment();
	const copies = temporaryCopies();
	// Interrupted: nothing half-written may stay behind looking like a file.
	const partials = new Set<string>();
	const interrupted = () => {
		for (const partial of partials) rmSync(partial, { force: true });
		copies.removeAll();
		process.exit(130);
	};
	process.once('SIGINT', interrupted);
	process.once('SIGTERM', interrupted);
	let session: ImportSession | null = null;
	try {
		const notAFile = notARegularFile(path, await stat(path));
		if (notAFile !== null) {
			io.stderr.write(`ferry convert: ${escapeForTerminal(notAFile)}.\n`);
			return 2;
		}
		const engine = await chooseEngine((build) =>
			readFile(new URL(`../wasm/build/${build}`, import.meta.url))
		);
		session = await ImportSession.open(await openAsBlob(path), basename(path), {
			profile,
			engine,
			sink: copies.sink
		});
		const mapping = session.preview.proposals.map((proposal) => proposal.field);
		const summary = await session.scan({
			mapping,
			profile,
			options: {
				dateOrder: dateOrderOfLocale(locale) as DateOrder,
				defaultRegion: regionOfLocale(locale),
				now: Date.now(),
				hashConfig
			}
		});
		// The pre-flight first: what the target cannot take, counted over the rows to be written.
		const { builder } = await censusOf(target, validRecords(session), options);
		const skipped: Record<string, number> = {};
		if (summary.invalid > 0) skipped.invalid = summary.invalid;
		const pieces = convert(target, validRecords(session), options);
		const files = await writeFiles(out, pieces, skipped, partials);
		const rows = files
			.filter((file) => file.name.startsWith('users'))
			.reduce((sum, file) => sum + file.rows, 0);
		const report = { target: target.name, files, rows, skipped, preflight: preflight(builder) };
		io.stdout.write(json ? `${jsonForTerminal(report)}\n` : readable(path, out, report));
		return 0;
	} catch (error) {
		const message = isFerryError(error)
			? error.message
			: (error as NodeJS.ErrnoException).code === 'ENOENT' &&
				  (error as NodeJS.ErrnoException).path === path
				? `no such file: ${path}`
				: `${(error as Error).message}`;
		io.stderr.write(`ferry convert: ${escapeForTerminal(message)}\n`);
		return 2;
	} finally {
		await session?.close();
		copies.removeAll();
		process.off('SIGINT', interrupted);
		process.off('SIGTERM', interrupted);
	}
}

function readable(
	path: string,
	out: string,
	report: {
		target: string;
		files: WrittenFile[];
		rows: number;
		skipped: Record<string, number>;
		preflight: PreflightItem[];
	}
): string {
	const lines = [`${path} → ${report.target} in ${out}`, ''];
	for (const file of report.files)
		lines.push(
			`  ${file.name.padEnd(24)} ${String(file.rows).padStart(9)} rows ${String(file.bytes).padStart(12)} bytes`
		);
	lines.push('', `  rows written  ${report.rows}`);
	for (const [reason, count] of Object.entries(report.skipped))
		lines.push(`  left out      ${count} ${reason}`);
	if (report.preflight.length) {
		lines.push('', '  pre-flight');
		for (const item of report.preflight) lines.push(`    ${item.message}`);
	}
	return `${lines.map(escapeForTerminal).join('\n')}\n`;
}
