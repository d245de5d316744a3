import { MAX_RECIPIENTS } from './format';
import { decodeRecipientKey } from './keys';

export interface RecipientKeys {
	keys: Uint8Array[];
	/** What is wrong with the text, for the admin; null when every line is a key. */
	problem: string | null;
}

/**
 * Admins' public keys pasted one per line (blank lines and repeats ignored), each as
 * `decodeRecipientKey` reads it: URL-safe or standard base64, or 64 hex digits.
 */
export async function readRecipients(text: string): Promise<RecipientKeys> {
	const keys: Uint8Array[] = [];
	const seen = new Set<string>();
	const bad: number[] = [];
	const lines = text.split(/\r\n|\r|\n/);
	for (const [index, line] of lines.entries()) {
		if (!line.trim()) continue;
		const key = await decodeRecipientKey(line);
		if (!key) {
			bad.push(index + 1);
			continue;
		}
		const hex = Array.from(key, (byte) => byte.toString(16).padStart(2, '0')).join('');
		if (seen.has(hex)) continue;
		seen.add(hex);
		keys.push(key);
	}
	if (bad.length > 0) {
		const where = bad.length === 1 ? `Line ${bad[0]} is` : `Lines ${bad.join(', ')} are`;
		return {
			keys: [],
			problem: `${where} not a public key: paste each admin’s 43-character key (from Admin keys), one per line.`
		};
	}
	if (keys.length > MAX_RECIPIENTS) {
		return {
			keys: [],
			problem: `A report can be sealed to at most ${MAX_RECIPIENTS} admins; ${keys.length} keys were given.`
		};
	}
	return { keys, problem: null };
}
