// `ferry report decrypt FILE [--out OUT.csv] [--password-env VAR] [--key PRIVATE_KEY_FILE]`
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decryptReport, type ReportKey } from '../src/lib/core/report/cipher';
import { isReportError } from '../src/lib/core/report/error';
import { decodeRecipientKey, recipientKeyPairOf } from '../src/lib/core/report/keys';

interface Output {
	write(text: string): unknown;
}
export interface ReportDecryptIo {
	stdout: Output;
	stderr: Output;
	/** Asks for the password (on a terminal: without echo where possible). */
	readPassword(prompt: string): Promise<string>;
}

const PREFIX = 'ferry report decrypt';

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
				key: { type: 'string' }
			}
		});
	} catch (error) {
		io.stderr.write(`${PREFIX}: ${(error as Error).message}\n`);
		return 1;
	}
	const { values, positionals } = parsed;
	if (positionals.length !== 1) {
		io.stderr.write(`${PREFIX}: give exactly one FILE. See ferry --help.\n`);
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
			// The plaintext holds personal data: readable by its owner only.
			writeFileSync(values.out, plaintext, { mode: 0o600 });
		} else {
			io.stdout.write(new TextDecoder().decode(plaintext));
		}
		return 0;
	} catch (error) {
		if (!(error instanceof InputError) && !isReportError(error)) throw error;
		io.stderr.write(`${PREFIX}: ${file}: ${error.message}\n`);
		return 2;
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
	if (!password) throw new InputError('no password given.');
	return { password };
}
