import {
	decodeRecipientKey,
	RECIPIENT_KEY_BYTES,
	recipientKeyPairOf,
	type ReportErrorCode,
	type ReportHeader
} from '$lib/core/report';

export type InputProblemCode = 'missing_password' | 'invalid_key' | 'public_key_given';

/** A problem with what was typed or loaded, found before the report is tried. */
export class InputProblem extends Error {
	readonly code: InputProblemCode;

	constructor(code: InputProblemCode, message: string) {
		super(message);
		this.code = code;
	}
}

export type FailureCode = ReportErrorCode | InputProblemCode | 'internal';

/**
 * The private key in a key file or pasted text, read as `ferry report decrypt --key` reads it:
 * exactly 32 bytes are the raw key; anything else is text (URL-safe or standard base64, or 64 hex
 * digits, surrounding whitespace ignored). Null when it is not a 32-byte key.
 */
export async function readPrivateKey(input: Uint8Array | string): Promise<Uint8Array | null> {
	if (typeof input !== 'string' && input.length === RECIPIENT_KEY_BYTES) return input.slice();
	const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
	return decodeRecipientKey(text);
}

/**
 * The key pair to open `header`'s report with, from a pasted key or a key file's bytes. Catches
 * the likely slip of giving a recipient's public key, which the core would only call unlisted.
 */
export async function recipientKeyFor(
	header: ReportHeader,
	input: Uint8Array | string,
	fileName: string | null
): Promise<{ publicKey: Uint8Array; privateKey: Uint8Array }> {
	const privateKey = await readPrivateKey(input);
	if (!privateKey) {
		throw new InputProblem(
			'invalid_key',
			fileName
				? `${fileName} is not a private key (expected 32 bytes: raw, base64 or 64 hex digits).`
				: 'This is not a private key: paste its 43 base64 characters or 64 hex digits.'
		);
	}
	const pair = await recipientKeyPairOf(privateKey);
	const listed = (key: Uint8Array) =>
		header.recipients.some((recipient) => sameBytes(recipient.publicKey, key));
	if (!listed(pair.publicKey) && listed(privateKey)) {
		privateKey.fill(0);
		throw new InputProblem(
			'public_key_given',
			'This is the public key of a recipient, not a private key. Use the private key saved with it (ferry-admin.key).'
		);
	}
	return pair;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
