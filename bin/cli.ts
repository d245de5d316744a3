import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { chooseEngine } from '../src/lib/core/engine/select';
import { isFerryError } from '../src/lib/core/errors';
import {
	DEFAULT_DECOMPRESSION_LIMITS,
	RATIO_CHECKED_AFTER,
	SHOWN_VALUE_CHARS
} from '../src/lib/core/limits';
import { dateOrderOfLocale, regionOfLocale } from '../src/lib/core/locale';
import { censusSentence } from '../src/lib/core/identity/census';
import { PROFILE_NAMES } from '../src/lib/core/profiles/types';
import type { DateOrder, IssueCode } from '../src/lib/core/types';
import { ISSUE_CODES } from '../src/lib/core/validate/codes';
import { isKnownRegion } from '../src/lib/core/validate/rules/phone';
import { ImportSession } from '../src/lib/pipeline/session';
import { destinationOptions } from './destination-options';
import { notARegularFile } from './input-file';
import { defaultThreads, fileBlob, rangeThreads } from './range-threads';
import { escapeForTerminal, jsonForTerminal } from './terminal';
import { temporaryCopies } from './temp-copies';
import { SAMPLE_ROWS, sampleRecords } from './validate-json';

interface Output {
	write(text: string): unknown;
}
interface Io {
	stdout: Output;
	stderr: Output;
}

export const HELP = `ferry — check user exports before importing them into an identity platform.

Usage:
  ferry validate FILE [options]          check an export exactly as the app does
  ferry report decrypt FILE [options]    decrypt a .ferry-report failure report to CSV
  ferry convert FILE --to TARGET --out DIR   write the valid rows in a platform's import format
  ferry export --from URL --token-env VAR --out FILE   pull users out of a destination
  ferry COMMAND --help                   the usage and options of one command
  ferry --help

Exit codes: 0 when it ran, whatever the data; 1 on a usage error; 2 when the input cannot be read
(the reason on stderr).
`;

export const VALIDATE_HELP = `Usage: ferry validate FILE [--json] [--to PROFILE] [--hash-config FILE] [--encoding E]
                      [--date-order dmy|mdy] [--region CC] [--max-rows N]
                      [--max-decompressed-bytes N] [--max-compression-ratio N] [--threads N]

Reads FILE (CSV, TSV, JSON, NDJSON, gzipped or not) exactly as the app does: detects the encoding,
format, delimiter and header, proposes a mapping to the canonical user fields, and checks every row
against the destination's rules. Nothing is sent anywhere, and no password hash, salt or key is
printed whole (first 7 characters and "…").

Options:
  --to PROFILE      the destination whose rules apply (default reference): one of
                    ${PROFILE_NAMES.join(', ')}
  --hash-config FILE[#USERS_FILE]
                    the Firebase hash config, for a file of Firebase users: their bare hashes
                    are then read with it. Either a JSON object {algorithm, signerKey,
                    saltSeparator, rounds, memCost, …} (or the console's names base64_signer_key,
                    base64_salt_separator, mem_cost), or a firebase auth:import command line with
                    its --hash-algo flags, such as a line of ferry convert's hash-flags.txt
                    (#USERS_FILE picks the command for that file when FILE holds several)
  --json            print exactly one JSON object: {format, compression, encoding, bom, delimiter (csv
                    only), header, preset, engine, profile, rows, valid, invalid, warnings, issues:
                    {code: rows with that code; codes with no row are left out}, credentials:
                    {algorithm: rows with such a password hash}, mapping: {column: field; unmapped
                    columns are left out}, sample: [the first ${SAMPLE_ROWS} rows as the destination
                    would receive them: password {algorithm, hash} masked, strings cut to
                    ${SHOWN_VALUE_CHARS} characters with a marker "…[+N characters]"]}
  --encoding E      read FILE in encoding E (any label TextDecoder knows) instead of detecting it
  --date-order O    how slash dates that no value decides are read: dmy or mdy (default: from the
                    locale in LC_ALL/LANG, else dmy)
  --region CC       default country for phone numbers without a country code (default: from the locale)
  --max-rows N      check only the first N data rows (a gzip file is decompressed only that far)
  --max-decompressed-bytes N
                    stop reading a gzip file that expands to more than N bytes (default
                    ${DEFAULT_DECOMPRESSION_LIMITS.maxBytes}, 4 GiB)
  --max-compression-ratio N
                    stop reading a gzip file that expands to more than N times the compressed bytes
                    read (default ${DEFAULT_DECOMPRESSION_LIMITS.maxRatio}; judged past the first ${RATIO_CHECKED_AFTER >> 20} MiB)
  --threads N       scan with N threads (default: one per core); the results are the same
  -h, --help        show this help

Exit codes: 0 when it ran, whatever the data; 1 on a usage error; 2 when FILE cannot be read (the
reason on stderr).
`;

const REPORT_HELP = `Usage: ferry report decrypt FILE [options]

  decrypt   decrypt a .ferry-report failure report to CSV (see ferry report decrypt --help)
`;

export function localeOfEnvironment(): string | undefined {
	const raw = process.env.LC_ALL || process.env.LC_TIME || process.env.LANG;
	const tag = raw?.split('.')[0]?.replace('_', '-');
	return tag && tag !== 'C' && tag !== 'POSIX' ? tag : undefined;
}

export async function main(argv: string[], io: Io): Promise<number> {
	const [command, ...rest] = argv;
	if (!command) {
		io.stderr.write(HELP);
		return 1;
	}
	if (isHelp(command) || command === 'help') {
		io.stdout.write(HELP);
		return 0;
	}
	if (command === 'validate') return validate(rest, io);
	if (command === 'convert') {
		const { runConvert } = await import('./convert');
		return runConvert(rest, io);
	}
	if (command === 'export')
		return (await import('./export')).runExport(rest, { ...io, env: process.env });
	if (command === 'report') {
		const [subcommand, ...args] = rest;
		if (subcommand === 'decrypt') {
			const { runReportDecrypt } = await import('./report-decrypt');
			return runReportDecrypt(args, { ...io, readPassword: readPasswordFromTerminal });
		}
		if (subcommand !== undefined && isHelp(subcommand)) {
			io.stdout.write(REPORT_HELP);
			return 0;
		}
		if (subcommand === undefined) {
			io.stderr.write(REPORT_HELP);
			return 1;
		}
	}
	io.stderr.write(
		`ferry: unknown command '${escapeForTerminal(argv.join(' '))}'. See 'ferry --help'.\n`
	);
	return 1;
}

const isHelp = (arg: string) => arg === '--help' || arg === '-h';

/**
 * Asks on stderr and reads one line without echoing it; undefined when standard input ends first
 * (closed, /dev/null, an empty pipe), which would otherwise leave the answer pending forever.
 */
async function readPasswordFromTerminal(prompt: string): Promise<string | undefined> {
	const { createInterface } = await import('node:readline');
	const { Writable } = await import('node:stream');
	let muted = false;
	const output = new Writable({
		write(chunk, encoding, done) {
			if (!muted) process.stderr.write(chunk, encoding);
			done();
		}
	});
	const rl = createInterface({
		input: process.stdin,
		output,
		terminal: process.stdin.isTTY === true
	});
	return new Promise((resolve) => {
		rl.once('close', () => {
			process.stderr.write('\n');
			resolve(undefined);
		});
		rl.question(prompt, (answer) => {
			resolve(answer);
			rl.close();
		});
		muted = true;
	});
}

async function validate(argv: string[], io: Io): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({
			args: argv,
			allowPositionals: true,
			options: {
				json: { type: 'boolean', default: false },
				to: { type: 'string', default: 'reference' },
				'hash-config': { type: 'string' },
				encoding: { type: 'string' },
				'date-order': { type: 'string' },
				region: { type: 'string' },
				'max-rows': { type: 'string' },
				'max-decompressed-bytes': { type: 'string' },
				'max-compression-ratio': { type: 'string' },
				threads: { type: 'string' },
				help: { type: 'boolean', short: 'h', default: false }
			}
		});
	} catch (error) {
		io.stderr.write(`ferry validate: ${escapeForTerminal((error as Error).message)}\n`);
		return 1;
	}
	const { values, positionals } = parsed;
	if (values.help) {
		io.stdout.write(VALIDATE_HELP);
		return 0;
	}
	if (positionals.length !== 1) {
		io.stderr.write('ferry validate: give exactly one FILE. See ferry validate --help.\n');
		return 1;
	}
	const dateOrder = values['date-order'] ?? dateOrderOfLocale(localeOfEnvironment());
	if (dateOrder !== 'dmy' && dateOrder !== 'mdy') {
		io.stderr.write(
			`ferry validate: --date-order must be dmy or mdy, not '${escapeForTerminal(dateOrder)}'.\n`
		);
		return 1;
	}
	const maxRows = values['max-rows'] === undefined ? undefined : Number(values['max-rows']);
	if (maxRows !== undefined && !(Number.isInteger(maxRows) && maxRows >= 0)) {
		io.stderr.write('ferry validate: --max-rows takes a whole number.\n');
		return 1;
	}
	const threads = values.threads === undefined ? defaultThreads() : Number(values.threads);
	if (!(Number.isInteger(threads) && threads >= 1)) {
		io.stderr.write('ferry validate: --threads takes a whole number of at least 1.\n');
		return 1;
	}
	const region = values.region?.toUpperCase() ?? regionOfLocale(localeOfEnvironment());
	if (values.region !== undefined && !isKnownRegion(region)) {
		io.stderr.write(
			`ferry validate: --region takes a two-letter country code such as US, DE or GB, ` +
				`not '${escapeForTerminal(values.region)}'.\n`
		);
		return 1;
	}
	const destination = await destinationOptions(values.to, values['hash-config']);
	if ('error' in destination) {
		io.stderr.write(`ferry validate: ${escapeForTerminal(destination.error)}\n`);
		return 1;
	}
	const { profile, hashConfig } = destination;
	const limits = { ...DEFAULT_DECOMPRESSION_LIMITS };
	for (const [flag, key] of [
		['max-decompressed-bytes', 'maxBytes'],
		['max-compression-ratio', 'maxRatio']
	] as const) {
		const value = values[flag];
		if (value === undefined) continue;
		limits[key] = Number(value);
		if (!(Number.isFinite(limits[key]) && limits[key] > 0)) {
			io.stderr.write(`ferry validate: --${flag} takes a positive number.\n`);
			return 1;
		}
	}
	const path = positionals[0];
	// A decompressed or transcoded working copy goes to a temporary file, removed however this ends.
	const copies = temporaryCopies();
	const interrupted = () => {
		copies.removeAll();
		process.exit(130);
	};
	process.once('SIGINT', interrupted);
	process.once('SIGTERM', interrupted);
	let session: ImportSession | null = null;
	let pool: ReturnType<typeof rangeThreads>;

	try {
		// openAsBlob's own error hides ENOENT and what else the path is; stat names them.
		const notAFile = notARegularFile(path, await stat(path));
		if (notAFile !== null) {
			io.stderr.write(`ferry validate: ${escapeForTerminal(notAFile)}.\n`);
			return 2;
		}
		const file = await fileBlob(path);
		// Without a built indexer (npm run build:wasm) this is the reference engine; --json names it.
		const engine = await chooseEngine((build) =>
			readFile(new URL(`../wasm/build/${build}`, import.meta.url))
		);
		session = await ImportSession.open(file, basename(path), {
			encoding: values.encoding,
			profile,
			engine,
			ranges: (pool = rangeThreads(threads, engine))?.ranges,
			decompressionLimits: limits,
			sink: copies.sink
		});
		const mapping = session.preview.proposals.map((proposal) => proposal.field);
		const call = {
			mapping,
			profile,
			options: {
				dateOrder: dateOrder as DateOrder,
				defaultRegion: region,
				now: Date.now(),
				hashConfig
			}
		};
		const summary = await session.scan({ ...call, maxRows });
		const { layout } = session.preview;
		const info = session.info;
		const issues: Partial<Record<IssueCode, number>> = {};
		for (const code of ISSUE_CODES)
			if (summary.issueCounts[code] > 0) issues[code] = summary.issueCounts[code];
		const mapped: Record<string, string> = {};
		layout.columns.forEach((column, i) => {
			if (mapping[i]) mapped[column] = mapping[i];
		});
		const sample = await sampleRecords(session, summary, call);
		const report = {
			format: layout.format,
			compression: info.compression,
			encoding: info.encoding,
			bom: info.bom,
			...(layout.format === 'csv' ? { delimiter: layout.delimiter } : {}),
			header: layout.header,
			preset: layout.preset,
			engine: summary.engine,
			profile: profile.name,
			rows: summary.rows,
			valid: summary.valid,
			invalid: summary.invalid,
			warnings: summary.warnings,
			issues,
			credentials: summary.credentials,
			mapping: mapped,
			sample
		};
		if (values.json) {
			io.stdout.write(`${jsonForTerminal(report)}\n`);
		} else {
			const census = censusSentence(
				summary.credentials,
				profile,
				summary.issueCounts.unsupported_password_hash
			);
			const notices = [...session.preview.notices, ...summary.notices];
			io.stdout.write(readable(path, { ...report, label: profile.label, census }, notices));
		}
		return 0;
	} catch (error) {
		const message = isFerryError(error)
			? error.message
			: (error as NodeJS.ErrnoException).code === 'ENOENT'
				? `no such file: ${path}`
				: `cannot read ${path}: ${(error as Error).message}`;
		io.stderr.write(`ferry validate: ${escapeForTerminal(message)}\n`);
		return 2;
	} finally {
		await session?.close();
		await pool?.close();
		copies.removeAll();
		process.off('SIGINT', interrupted);
		process.off('SIGTERM', interrupted);
	}
}

function readable(
	path: string,
	report: {
		format: string;
		compression: string | null;
		encoding: string;
		bom: boolean;
		delimiter?: string | null;
		header: boolean;
		preset: string | null;
		rows: number;
		valid: number;
		invalid: number;
		warnings: number;
		label: string;
		census: string | null;
		issues: Partial<Record<IssueCode, number>>;
		mapping: Record<string, string>;
	},
	notices: string[]
): string {
	const delimiterName: Record<string, string> = {
		',': 'comma',
		';': 'semicolon',
		'\t': 'tab',
		'|': 'pipe'
	};
	const lines = [
		`${path}`,
		`  ${report.format}${report.compression ? ` (${report.compression})` : ''}, ${report.encoding}${report.bom ? ' with BOM' : ''}` +
			(report.delimiter
				? `, ${delimiterName[report.delimiter] ?? report.delimiter}-separated`
				: '') +
			(report.format === 'csv' ? (report.header ? ', header row' : ', no header row') : '') +
			(report.preset ? `, recognised as ${report.preset}` : ''),
		`  checked for ${report.label}`,
		'',
		`  rows      ${report.rows}`,
		`  valid     ${report.valid}`,
		`  invalid   ${report.invalid}`,
		`  warnings  ${report.warnings}`
	];
	if (report.census) lines.push('', `  passwords ${report.census}`);
	const codes = Object.entries(report.issues);
	if (codes.length) {
		lines.push('', '  issues');
		for (const [code, count] of codes) lines.push(`    ${code.padEnd(26)} ${count}`);
	}
	lines.push('', '  mapping');
	for (const [column, field] of Object.entries(report.mapping))
		lines.push(`    ${column.padEnd(26)} → ${field}`);
	for (const notice of notices) lines.push('', `  note: ${notice}`);
	// Each line escaped on its own: the newlines between them are the only ones printed as such.
	return `${lines.map(escapeForTerminal).join('\n')}\n`;
}
