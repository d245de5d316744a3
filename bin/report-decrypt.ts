// `ferry report decrypt FILE [--out OUT.csv] [--password-env VAR] [--key PRIVATE_KEY_FILE]`
import { closeSync, fchmodSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decryptReport, type ReportKey } from '../src/lib/core/report/cipher';
import { isReportError } from '../src/lib/core/report/error';
import { decodeRecipientKey, recipientKeyPairOf } from '../src/lib/core/report/keys';
import { escapeForTerminal } from './terminal';

interface Output {
	write(text: string): unknown;
}
export interface ReportDecryptIo {
	stdout: Output;
	stderr: Output;
	/**
	 * Asks for the password (on a terminal: without echo where possible); undefined when none can be
	 * read (standard input ended).
	 */
	readPassword(prompt: string): Promise<string | undefined>;
}

const PREFIX = 'ferry report decrypt';

export const REPORT_DECRYPT_HELP = `Usage: ferry report decrypt FILE [--out OUT.csv] [--password-env VAR | --key PRIVATE_KEY_FILE]

Decrypts a .ferry-report failure report written by the app to CSV, offline.

Options:
  --out OUT.csv         write the CSV to OUT.csv instead of stdout; it holds personal data, so the
                        file is left readable by its owner only (mode 0600), even when it existed
  --password-env VAR    the password is in the environment variable VAR
  --key FILE            open it with an admin's private key instead (32 bytes: raw, base64 or 64 hex
                        digits), as made by the app's Admin keys
  -h, --help            show this help

Without --password-env or --key, the password is asked for on the terminal (without echo), or read
as the first line of standard input when that is not a terminal.

Exit codes: 0 decrypted; 1 on a usage error; 2 when the report was not opened (the reason on stderr).
`;

/** Exit codes as in the rest of the CLI: 0 decrypted, 1 usage error, 2 the report was not opened. */
export async function runReportDecrypt(args: string[], io: ReportDecryptIo): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({
			args,
			allowPositionals: true,
			options: {
				out: { type: 'string' },
				'password-env': { type: 'string' },
				key: { type: 'string' },
				help: { type: 'boolean', short: 'h', default: false }
			}
		});
	} catch (error) {
		io.stderr.write(`${PREFIX}: ${escapeForTerminal((error as Error).message)}\n`);
		return 1;
	}
	const { values, positionals } = parsed;
	if (values.help) {
		io.stdout.write(REPORT_DECRYPT_HELP);
		return 0;
	}
	if (positionals.length !== 1) {
		io.stderr.write(`${PREFIX}: give exactly one FILE. See ${PREFIX} --help.\n`);
		return 1;
	}
	if (values.key !== undefined && values['password-env'] !== undefined) {
		io.stderr.write(`${PREFIX}: use --key or --password-env, not both.\n`);
		return 1;
	}
	const file = positionals[0];
	try {
		const report = readInput(file, 'the report');
		const key = await reportKey(values.key, values['password-env'], io);
		const plaintext = await decryptReport(report, key);
		if (values.out !== undefined) {
			writeOwnerOnly(values.out, plaintext);
		} else {
			io.stdout.write(new TextDecoder().decode(plaintext));
		}
		return 0;
	} catch (error) {
		if (!(error instanceof InputError) && !isReportError(error)) throw error;
		io.stderr.write(`${PREFIX}: ${escapeForTerminal(`${file}: ${error.message}`)}\n`);
		return 2;
	}
}

/**
 * The plaintext holds personal data: readable by its owner only. open()'s mode applies only to a new
 * file, so an existing one is narrowed too, before any byte is written.
 */
function writeOwnerOnly(path: string, data: Uint8Array): void {
	const fd = openSync(path, 'w', 0o600);
	try {
		fchmodSync(fd, 0o600);
		writeFileSync(fd, data);
	} finally {
		closeSync(fd);
	}
}

/** A problem with what the user gave (a file, a key, an environment variable). */
class InputError extends Error {}

function readInput(path: string, what: string): Uint8Array {
	try {
		return readFileSync(path);
	} catch (error) {
		throw new InputError(`cannot read ${what} (${path}): ${(error as Error).message}`);
	}
}

async function reportKey(
	keyFile: string | undefined,
	passwordEnv: string | undefined,
	io: ReportDecryptIo
): Promise<ReportKey> {
	if (keyFile !== undefined) {
		const bytes = readInput(keyFile, 'the private key');
		const privateKey =
			bytes.length === 32 ? bytes : await decodeRecipientKey(new TextDecoder().decode(bytes));
		if (!privateKey) {
			throw new InputError(
				`${keyFile} is not a private key (expected 32 bytes: raw, base64 or 64 hex digits).`
			);
		}
		return recipientKeyPairOf(new Uint8Array(privateKey));
	}
	if (passwordEnv !== undefined) {
		const password = process.env[passwordEnv];
		if (!password)
			throw new InputError(`the environment variable ${passwordEnv} is not set or empty.`);
		return { password };
	}
	const password = await io.readPassword('Report password: ');
	if (password === undefined) {
		throw new InputError(
			'no password could be read: standard input ended before one was given. Type it on a ' +
				'terminal, pipe it in, or use --password-env VAR or --key PRIVATE_KEY_FILE.'
		);
	}
	if (!password) throw new InputError('no password given.');
	return { password };
}
