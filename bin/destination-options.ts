/**
 * The options of `ferry validate` that say where the users go: `--to PROFILE` and the Firebase
 * project's `--hash-config FILE.json`. Each answers its value or a message for stderr.
 */
import { readFile } from 'node:fs/promises';
import { firebaseConfigProblem, type FirebaseHashConfig } from '../src/lib/core/identity/firebase';
import { profileByName } from '../src/lib/core/profiles/catalogue';
import { PROFILE_NAMES, type DestinationProfile } from '../src/lib/core/profiles/types';

type Answer<T> = { value: T } | { error: string };

function profileOption(name: string): Answer<DestinationProfile> {
	const profile = profileByName(name);
	return profile
		? { value: profile }
		: { error: `--to takes one of ${PROFILE_NAMES.join(', ')}, not '${name}'.` };
}

/** Our names and the console's ("Password hash parameters", `firebase auth:import` flags). */
const KEYS: Record<string, keyof FirebaseHashConfig> = {
	algorithm: 'algorithm',
	signerKey: 'signerKey',
	base64_signer_key: 'signerKey',
	saltSeparator: 'saltSeparator',
	base64_salt_separator: 'saltSeparator',
	rounds: 'rounds',
	memCost: 'memCost',
	mem_cost: 'memCost'
};
const TEXT_KEYS: readonly (keyof FirebaseHashConfig)[] = [
	'algorithm',
	'signerKey',
	'saltSeparator'
];

/**
 * The hash config of `path`, checked as firebaseConfigProblem checks it. No message quotes the
 * file's text: it holds the project's signer key (JSON.parse's own message would quote it).
 */
async function readHashConfig(path: string): Promise<Answer<FirebaseHashConfig>> {
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		return {
			error: `--hash-config: cannot read ${path}${code === 'ENOENT' ? ': no such file' : ` (${code})`}.`
		};
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return { error: `--hash-config: ${path} is not JSON.` };
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
		return { error: `--hash-config: ${path} must hold one JSON object.` };
	const config: Partial<Record<keyof FirebaseHashConfig, string | number>> = {};
	for (const [key, value] of Object.entries(parsed)) {
		const name = Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
		if (!name)
			return {
				error: `--hash-config: unknown key '${key}'; the keys are ${Object.keys(KEYS).join(', ')}.`
			};
		if (TEXT_KEYS.includes(name)) {
			if (typeof value !== 'string') return { error: `--hash-config: ${key} must be a string.` };
			config[name] = value;
		} else {
			// The console shows numbers; a number written as a string is the same number.
			const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
			if (typeof number !== 'number') return { error: `--hash-config: ${key} must be a number.` };
			config[name] = number;
		}
	}
	const hashConfig = { algorithm: '', ...config } as FirebaseHashConfig;
	const problem = firebaseConfigProblem(hashConfig);
	return problem ? { error: `--hash-config: ${problem}` } : { value: hashConfig };
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
