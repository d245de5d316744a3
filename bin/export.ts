// `ferry export --from URL --token-env VAR --out FILE [filters] [--format json|csv] [--fields a,b]
// [--rename a=b] [--sample N]`: users out of a destination's GET /users, page by page, resumable.
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
	USER_PAGE_SIZE,
	type UserFilters,
	type UserPage
} from '../src/lib/core/protocol/import-api';
import {
	EXPORT_FORMATS,
	EXPORT_SAMPLE_SIZE,
	ExportChoiceError,
	exportHead,
	exportPageText,
	exportPlan,
	exportRefusal,
	exportTail,
	userPageQuery,
	type ExportFormat,
	type ExportPlan
} from '../src/lib/core/protocol/user-export';
import { escapeForTerminal } from './terminal';

interface Output {
	write(text: string): unknown;
}
export interface ExportIo {
	stdout: Output;
	stderr: Output;
	/** The environment the token is read from. */
	env: Record<string, string | undefined>;
}

const PREFIX = 'ferry export';

export const EXPORT_HELP = `Usage: ferry export --from URL --token-env VAR --out FILE [--organization O] [--role R]
                    [--created-after DATE] [--created-before DATE] [--blocked true|false]
                    [--format json|csv] [--fields a,b] [--rename a=b] [--sample N]

Exports the users of a destination (its GET /api/v1/users, docs/export.md) to FILE, page by page.
Secrets (password hashes, salts) are never part of it.

Options:
  --from URL            the destination's import API (http://host:8787 or …/api/v1)
  --token-env VAR       the bearer token is in the environment variable VAR
  --out FILE            where the export goes; until it is complete it is FILE.partial, and the
                        position reached is kept in FILE.partial.cursor: run the same command again
                        to resume after a failure
  --organization O      only users of organization O
  --role R              only users with role R
  --created-after D     only accounts the destination created at or after D (ISO 8601)
  --created-before D    only accounts created before D
  --blocked B           only blocked (true) or not blocked (false) users
  --format F            json (an array of records) or csv (default: csv when FILE ends in .csv)
  --fields a,b          these fields, in this order (default: every exported field)
  --rename a=b          write field a under the name b (repeat it, or separate with commas)
  --sample N            only the first N users (${EXPORT_SAMPLE_SIZE} with no N), one request
  --page-size N         users per request (default ${USER_PAGE_SIZE.max}, at most ${USER_PAGE_SIZE.max})
  -h, --help            show this help

The file holds personal data: it is readable by its owner only (mode 0600).

Exit codes: 0 exported; 1 on a usage error; 2 when the export stopped (the reason on stderr;
FILE.partial is kept when a rerun can resume it).
`;

/** What FILE.partial.cursor holds: where to continue, and how much of FILE.partial is good. */
interface ExportState {
	/** The command's choices: a rerun with other ones does not continue this file. */
	options: string;
	cursor: string | null;
	bytes: number;
	rows: number;
}

class ExportStopped extends Error {
	constructor(
		message: string,
		readonly code: number
	) {
		super(message);
	}
}

/** The API base: `…/api/v1` as given, or appended to a bare origin. */
function apiBase(from: string): string {
	let url: URL;
	try {
		url = new URL(from);
	} catch {
		throw new ExportStopped(`--from is not a URL: ${from}`, 1);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new ExportStopped('--from must be an http(s) URL', 1);
	}
	const path = url.pathname.replace(/\/+$/, '');
	return `${url.origin}${path.endsWith('/api/v1') ? path : `${path}/api/v1`}`;
}

function list(values: string[] | undefined): string[] {
	return (values ?? [])
		.flatMap((value) => value.split(','))
		.map((item) => item.trim())
		.filter(Boolean);
}

export async function runExport(argv: string[], io: ExportIo): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({
			args: argv,
			options: {
				from: { type: 'string' },
				'token-env': { type: 'string' },
				out: { type: 'string' },
				organization: { type: 'string' },
				role: { type: 'string' },
				'created-after': { type: 'string' },
				'created-before': { type: 'string' },
				blocked: { type: 'string' },
				format: { type: 'string' },
				fields: { type: 'string', multiple: true },
				rename: { type: 'string', multiple: true },
				sample: { type: 'string' },
				'page-size': { type: 'string' },
				help: { type: 'boolean', short: 'h' }
			}
		});
	} catch (error) {
		io.stderr.write(`${PREFIX}: ${escapeForTerminal((error as Error).message)}\n`);
		return 1;
	}
	const { values } = parsed;
	if (values.help) {
		io.stdout.write(EXPORT_HELP);
		return 0;
	}
	try {
		const out = values.out;
		if (!values.from || !values['token-env'] || !out) {
			throw new ExportStopped('--from, --token-env and --out are required (see --help)', 1);
		}
		const token = io.env[values['token-env']];
		if (!token) {
			throw new ExportStopped(`the environment variable ${values['token-env']} is not set`, 1);
		}
		const format = (values.format ?? (/\.csv$/i.test(out) ? 'csv' : 'json')) as ExportFormat;
		if (!EXPORT_FORMATS.includes(format)) {
			throw new ExportStopped(`--format is json or csv, not ${values.format}`, 1);
		}
		if (values.blocked !== undefined && !['true', 'false'].includes(values.blocked)) {
			throw new ExportStopped('--blocked is true or false', 1);
		}
		const sample = values.sample === undefined ? null : Number(values.sample || EXPORT_SAMPLE_SIZE);
		if (
			sample !== null &&
			!(Number.isInteger(sample) && sample >= 1 && sample <= USER_PAGE_SIZE.max)
		) {
			throw new ExportStopped(`--sample is a number from 1 to ${USER_PAGE_SIZE.max}`, 1);
		}
		const pageSize = Number(values['page-size'] ?? USER_PAGE_SIZE.max);
		if (!(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= USER_PAGE_SIZE.max)) {
			throw new ExportStopped(`--page-size is a number from 1 to ${USER_PAGE_SIZE.max}`, 1);
		}
		let plan: ExportPlan;
		try {
			plan = exportPlan(format, list(values.fields), list(values.rename));
		} catch (error) {
			if (error instanceof ExportChoiceError) throw new ExportStopped(error.message, 1);
			throw error;
		}
		const filters: UserFilters = {
			organization: values.organization,
			role: values.role,
			created_after: values['created-after'],
			created_before: values['created-before'],
			blocked: values.blocked === undefined ? undefined : values.blocked === 'true'
		};
		const base = apiBase(values.from);
		const rows = await exportTo(out, { base, token, filters, plan, sample, pageSize }, io);
		io.stderr.write(`${PREFIX}: ${rows} users written to ${escapeForTerminal(out)}\n`);
		return 0;
	} catch (error) {
		if (!(error instanceof ExportStopped)) throw error;
		io.stderr.write(`${PREFIX}: ${escapeForTerminal(error.message)}\n`);
		return error.code;
	}
}

interface ExportJob {
	base: string;
	token: string;
	filters: UserFilters;
	plan: ExportPlan;
	sample: number | null;
	pageSize: number;
}

async function exists(path: string): Promise<boolean> {
	return stat(path).then(
		() => true,
		() => false
	);
}

/** Atomically replaces the state file, so a crash leaves the old position or the new one. */
async function saveState(path: string, state: ExportState): Promise<void> {
	await writeFile(`${path}.tmp`, JSON.stringify(state), { mode: 0o600 });
	await rename(`${path}.tmp`, path);
}

/** Streams every page into OUT.partial, then renames it OUT; returns how many users it holds. */
async function exportTo(out: string, job: ExportJob, io: ExportIo): Promise<number> {
	const partial = `${out}.partial`;
	const statePath = `${partial}.cursor`;
	const options = JSON.stringify([job.base, job.filters, job.plan, job.sample]);
	let state: ExportState;
	if ((await exists(partial)) && (await exists(statePath))) {
		state = JSON.parse(await readFile(statePath, 'utf8')) as ExportState;
		if (state.options !== options) {
			throw new ExportStopped(
				`${partial} is an unfinished export with other options: run it with the same ones to resume, or remove ${partial} and ${statePath}`,
				1
			);
		}
		io.stderr.write(`${PREFIX}: resuming after ${state.rows} users\n`);
	} else {
		const head = exportHead(job.plan);
		await writeFile(partial, head, { mode: 0o600 });
		state = { options, cursor: null, bytes: Buffer.byteLength(head), rows: 0 };
		await saveState(statePath, state);
	}
	const file = await open(partial, 'r+');
	try {
		// What a page appended after the last saved position is dropped: it is fetched again.
		await file.truncate(state.bytes);
		do {
			const page = await fetchPage(job, state.cursor, partial, statePath);
			const text = exportPageText(job.plan, page.users, state.rows);
			const bytes = Buffer.from(text);
			await file.write(bytes, 0, bytes.length, state.bytes);
			await file.sync();
			state = {
				options,
				cursor: job.sample === null ? page.next : null,
				bytes: state.bytes + bytes.length,
				rows: state.rows + page.users.length
			};
			await saveState(statePath, state);
			if (state.cursor !== null) io.stderr.write(`${PREFIX}: ${state.rows} users…\n`);
		} while (state.cursor !== null);
		const tail = Buffer.from(exportTail(job.plan, state.rows));
		await file.write(tail, 0, tail.length, state.bytes);
		await file.sync();
	} finally {
		await file.close();
	}
	await rename(partial, out);
	await rm(statePath, { force: true });
	return state.rows;
}

async function fetchPage(
	job: ExportJob,
	cursor: string | null,
	partial: string,
	statePath: string
): Promise<UserPage> {
	const url = `${job.base}/users${userPageQuery(job.filters, job.sample ?? job.pageSize, cursor)}`;
	let response: Response;
	try {
		response = await fetch(url, { headers: { authorization: `Bearer ${job.token}` } });
	} catch (error) {
		const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
		throw new ExportStopped(
			`could not reach ${job.base} (${reason}); run the same command again to resume`,
			2
		);
	}
	if (response.ok) return (await response.json()) as UserPage;
	const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
	const message = exportRefusal(response.status, body.code, body.message ?? response.statusText);
	if (body.code === 'cursor_expired' || body.code === 'invalid_cursor') {
		// A position the destination no longer takes cannot be resumed: nothing half-written stays.
		await rm(partial, { force: true });
		await rm(statePath, { force: true });
		throw new ExportStopped(`${message} (the unfinished file was removed)`, 2);
	}
	throw new ExportStopped(message, 2);
}
