/**
 * The options of `ferry validate` that say where the users go: `--to PROFILE` and the Firebase
 * project's `--hash-config FILE` (also `ferry convert`'s, to read a Firebase file's hashes). Each answers its value or a message for stderr.
 */
import { readFile } from 'node:fs/promises';
import {
	FIREBASE_FLAGS,
	FIREBASE_NUMBER_KEYS,
	firebaseConfigFromFlags,
	firebaseConfigProblem,
	type FirebaseHashConfig
} from '../src/lib/core/identity/firebase';
import { profileByName } from '../src/lib/core/profiles/catalogue';
import { PROFILE_NAMES, type DestinationProfile } from '../src/lib/core/profiles/types';

export type Answer<T> = { value: T } | { error: string };

function profileOption(name: string): Answer<DestinationProfile> {
	const profile = profileByName(name);
	return profile
		? { value: profile }
		: { error: `--to takes one of ${PROFILE_NAMES.join(', ')}, not '${name}'.` };
}

/** Our names, the console's ("Password hash parameters") and `hashKey` for an HMAC's key. */
const KEYS: Record<string, keyof FirebaseHashConfig> = {
	...Object.fromEntries(Object.keys(FIREBASE_FLAGS).map((key) => [key, key])),
	hashKey: 'signerKey',
	base64_signer_key: 'signerKey',
	base64_salt_separator: 'saltSeparator',
	mem_cost: 'memCost'
};

/** A JSON config object with its keys read into ours (not yet checked). */
function configFromJson(path: string, parsed: unknown): Answer<FirebaseHashConfig> {
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
		return { error: `--hash-config: ${path} must hold one JSON object.` };
	const config: Partial<Record<keyof FirebaseHashConfig, string | number>> = {};
	for (const [key, value] of Object.entries(parsed)) {
		const name = Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
		if (!name)
			return {
				error: `--hash-config: unknown key '${key}'; the keys are ${Object.keys(KEYS).join(', ')}.`
			};
		if (!FIREBASE_NUMBER_KEYS.includes(name)) {
			if (typeof value !== 'string') return { error: `--hash-config: ${key} must be a string.` };
			config[name] = value;
		} else {
			// The console shows numbers; a number written as a string is the same number.
			const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
			if (typeof number !== 'number') return { error: `--hash-config: ${key} must be a number.` };
			config[name] = number;
		}
	}
	return { value: { algorithm: '', ...config } as FirebaseHashConfig };
}

/**
 * The `firebase auth:import` command of `file` in a flags file (hash-flags.txt: one command per
 * users file, `#` comments): the only one, or the one naming `file`.
 */
function configFromCommands(
	path: string,
	text: string,
	file: string | null
): Answer<FirebaseHashConfig> {
	const commands = text
		.replace(/\\\r?\n/g, ' ')
		.split(/\r?\n/)
		.filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
	const chosen =
		file === null ? commands : commands.filter((line) => line.split(/\s+/).includes(file));
	if (chosen.length === 0)
		return {
			error: `--hash-config: ${path} holds no ${file === null ? 'auth:import command' : `command for ${file}`}.`
		};
	if (chosen.length > 1)
		return {
			error: `--hash-config: ${path} holds ${chosen.length} auth:import commands; name the users file whose command to use, as in --hash-config ${path}#users-2.json.`
		};
	const parsed = firebaseConfigFromFlags(chosen[0]);
	return 'error' in parsed ? { error: `--hash-config: ${parsed.error}` } : { value: parsed.config };
}

/**
 * The hash config of `--hash-config PATH[#USERS_FILE]`: a JSON object, or a file of `firebase
 * auth:import` commands such as the firebase target's hash-flags.txt (`#USERS_FILE` picks one of
 * several). Checked as firebaseConfigProblem checks it. No message quotes the file's text: it holds
 * the signer key or HMAC key (JSON.parse's own message would quote it).
 */
export async function readHashConfig(option: string): Promise<Answer<FirebaseHashConfig>> {
	const choice = /^(.+)#([^#/\\]+\.(?:json|csv))$/.exec(option);
	const [path, file] = choice ? [choice[1], choice[2]] : [option, null];
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		return {
			error: `--hash-config: cannot read ${path}${code === 'ENOENT' ? ': no such file' : ` (${code})`}.`
		};
	}
	let config: Answer<FirebaseHashConfig>;
	if (/^\s*[[{]/.test(text)) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			return { error: `--hash-config: ${path} is not JSON.` };
		}
		config = configFromJson(path, parsed);
	} else config = configFromCommands(path, text, file);
	if ('error' in config) return config;
	const problem = firebaseConfigProblem(config.value);
	return problem ? { error: `--hash-config: ${problem}` } : config;
}

/** `--to` and `--hash-config` read together: the profile to check against, the config if given. */
export async function destinationOptions(
	to: string,
	hashConfigPath: string | undefined
): Promise<
	{ profile: DestinationProfile; hashConfig: FirebaseHashConfig | null } | { error: string }
> {
	const profile = profileOption(to);
	if ('error' in profile) return profile;
	if (hashConfigPath === undefined) return { profile: profile.value, hashConfig: null };
	const hashConfig = await readHashConfig(hashConfigPath);
	if ('error' in hashConfig) return hashConfig;
	return { profile: profile.value, hashConfig: hashConfig.value };
}
