import type Sodium from 'libsodium-wrappers-sumo';
import { loadSodium } from './sodium';
import { ReportError } from './error';
import {
	CHUNK_CIPHERTEXT_BYTES,
	CHUNK_PLAINTEXT_BYTES,
	MAX_RECIPIENTS,
	PUBLIC_KEY_BYTES,
	SALT_BYTES,
	SLOT_NONCE_BYTES,
	readReportHeader,
	writeReportHeader,
	type PasswordSlot,
	type ReportHeader
} from './format';

/** Set by loadSodium() at the start of each exported function that needs it. */
let sodium: typeof Sodium;

export { readReportHeader, type ReportHeader } from './format';

/** Turns a password into the 32-byte key that unwraps the file key (Argon2id v1.3). */
export type KeyDeriver = (
	password: string,
	salt: Uint8Array,
	opsLimit: number,
	memLimit: number
) => Promise<Uint8Array>;

export type ReportCost = 'interactive' | 'moderate';

export interface EncryptOptions {
	password?: string;
	/** X25519 public keys (crypto_box) of the people who may open the report without the password. */
	recipients?: Uint8Array[];
	/** Argon2id cost of the password: 'interactive' (default) or 'moderate'. */
	cost?: ReportCost;
	/** Derive the key elsewhere (a worker that is then discarded); default derives in-process. */
	derive?: KeyDeriver;
}

export type ReportKey = { password: string } | { publicKey: Uint8Array; privateKey: Uint8Array };

export interface DecryptOptions {
	/** Highest opslimit accepted from a header before deriving; default: the moderate limit (3). */
	maxOpsLimit?: number;
	/** Highest memlimit (bytes) accepted from a header before deriving; default: moderate (256 MiB). */
	maxMemLimit?: number;
	derive?: KeyDeriver;
}

// libsodium's crypto_pwhash_{OPS,MEM}LIMIT_{INTERACTIVE,MODERATE}, spelled out so that the costs
// (and the default caps) are known before libsodium has loaded.
export const REPORT_COSTS: Record<ReportCost, { opsLimit: number; memLimit: number }> = {
	interactive: { opsLimit: 2, memLimit: 64 * 1024 * 1024 },
	moderate: { opsLimit: 3, memLimit: 256 * 1024 * 1024 }
};

const DERIVED_KEY_BYTES = 32;

/** The default KeyDeriver: Argon2id v1.3 in this thread. */
export const deriveKeyInProcess: KeyDeriver = async (password, salt, opsLimit, memLimit) => {
	sodium = await loadSodium();
	return sodium.crypto_pwhash(
		DERIVED_KEY_BYTES,
		password,
		salt,
		opsLimit,
		memLimit,
		sodium.crypto_pwhash_ALG_ARGON2ID13
	);
};

export async function generateRecipientKeyPair(): Promise<{
	publicKey: Uint8Array;
	privateKey: Uint8Array;
}> {
	sodium = await loadSodium();
	const { publicKey, privateKey } = sodium.crypto_box_keypair();
	return { publicKey, privateKey };
}

/**
 * Encrypts a report under a fresh random file key, which is wrapped for the password (Argon2id +
 * secretbox) and/or sealed to each recipient (crypto_box_seal). At least one of the two is needed.
 */
export async function encryptReport(
	plaintext: Uint8Array,
	opts: EncryptOptions
): Promise<Uint8Array> {
	const recipients = opts.recipients ?? [];
	if (opts.password === undefined && recipients.length === 0) {
		throw new RangeError('A report needs a password, a recipient, or both.');
	}
	if (opts.password === '') throw new RangeError('The report password is empty.');
	if (recipients.length > MAX_RECIPIENTS) {
		throw new RangeError(`A report holds at most ${MAX_RECIPIENTS} recipients.`);
	}
	if (recipients.some((key) => key.length !== PUBLIC_KEY_BYTES)) {
		throw new RangeError(`A recipient public key is ${PUBLIC_KEY_BYTES} bytes.`);
	}
	sodium = await loadSodium();
	const fileKey = sodium.crypto_secretstream_xchacha20poly1305_keygen();
	try {
		const password =
			opts.password === undefined
				? null
				: await passwordSlotFor(fileKey, opts.password, opts.cost ?? 'interactive', opts.derive);
		const stream = sodium.crypto_secretstream_xchacha20poly1305_init_push(fileKey);
		const header = writeReportHeader({
			password,
			streamHeader: stream.header,
			recipients: recipients.map((publicKey) => ({
				publicKey,
				sealedKey: sodium.crypto_box_seal(fileKey, publicKey)
			}))
		});
		const chunkCount = Math.max(1, Math.ceil(plaintext.length / CHUNK_PLAINTEXT_BYTES));
		const parts = [header];
		for (let index = 0; index < chunkCount; index++) {
			const last = index === chunkCount - 1;
			parts.push(
				sodium.crypto_secretstream_xchacha20poly1305_push(
					stream.state,
					plaintext.subarray(index * CHUNK_PLAINTEXT_BYTES, (index + 1) * CHUNK_PLAINTEXT_BYTES),
					index === 0 ? header : null,
					last
						? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
						: sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
				)
			);
		}
		return concat(parts);
	} finally {
		sodium.memzero(fileKey);
	}
}

async function passwordSlotFor(
	fileKey: Uint8Array,
	password: string,
	cost: ReportCost,
	derive: KeyDeriver = deriveKeyInProcess
): Promise<PasswordSlot> {
	const { opsLimit, memLimit } = REPORT_COSTS[cost];
	const salt = sodium.randombytes_buf(SALT_BYTES);
	const keyEncryptionKey = await derivedKey(derive, password, salt, opsLimit, memLimit);
	try {
		const nonce = sodium.randombytes_buf(SLOT_NONCE_BYTES);
		const wrappedKey = sodium.crypto_secretbox_easy(fileKey, nonce, keyEncryptionKey);
		return { opsLimit, memLimit, salt, nonce, wrappedKey };
	} finally {
		sodium.memzero(keyEncryptionKey);
	}
}

async function derivedKey(
	derive: KeyDeriver,
	password: string,
	salt: Uint8Array,
	opsLimit: number,
	memLimit: number
): Promise<Uint8Array> {
	// NFC, so that the same password typed on another system gives the same bytes.
	const key = await derive(password.normalize('NFC'), salt, opsLimit, memLimit);
	if (key.length !== DERIVED_KEY_BYTES) {
		throw new RangeError(
			`The key deriver returned ${key.length} bytes instead of ${DERIVED_KEY_BYTES}.`
		);
	}
	return key;
}

/**
 * Opens a report with its password or with a recipient's key pair. Refuses (ReportError) a file
 * that is not a report, of an unknown version, damaged or altered anywhere, cut short, whose
 * password costs exceed the caps (before deriving anything), or that the key does not open.
 */
export async function decryptReport(
	file: Uint8Array,
	key: ReportKey,
	opts: DecryptOptions = {}
): Promise<Uint8Array> {
	const header = readReportHeader(file);
	sodium = await loadSodium();
	const fileKey =
		'password' in key
			? await unwrapWithPassword(header, key.password, opts)
			: unsealForRecipient(header, key.publicKey, key.privateKey);
	try {
		return decryptBody(file, header, fileKey);
	} finally {
		sodium.memzero(fileKey);
	}
}

async function unwrapWithPassword(
	header: ReportHeader,
	password: string,
	opts: DecryptOptions
): Promise<Uint8Array> {
	const slot = header.password;
	if (!slot) {
		throw new ReportError(
			'wrong_key',
			"This report has no password: it opens only with a recipient's private key."
		);
	}
	const maxOpsLimit = opts.maxOpsLimit ?? REPORT_COSTS.moderate.opsLimit;
	const maxMemLimit = opts.maxMemLimit ?? REPORT_COSTS.moderate.memLimit;
	if (slot.opsLimit > maxOpsLimit || slot.memLimit > maxMemLimit) {
		throw new ReportError(
			'cost_too_high',
			`The report asks for a key derivation costlier than allowed (opslimit ${slot.opsLimit}, ` +
				`memlimit ${slot.memLimit} bytes; the limits are ${maxOpsLimit} and ${maxMemLimit}).`
		);
	}
	const keyEncryptionKey = await derivedKey(
		opts.derive ?? deriveKeyInProcess,
		password,
		slot.salt,
		slot.opsLimit,
		slot.memLimit
	);
	try {
		return sodium.crypto_secretbox_open_easy(slot.wrappedKey, slot.nonce, keyEncryptionKey);
	} catch {
		throw new ReportError('wrong_key', 'Wrong password for this report.');
	} finally {
		sodium.memzero(keyEncryptionKey);
	}
}

function unsealForRecipient(
	header: ReportHeader,
	publicKey: Uint8Array,
	privateKey: Uint8Array
): Uint8Array {
	if (header.recipients.length === 0) {
		throw new ReportError(
			'no_matching_recipient',
			'This report was not sealed to any recipient: it opens only with its password.'
		);
	}
	const recipient = header.recipients.find((candidate) =>
		sameBytes(candidate.publicKey, publicKey)
	);
	if (!recipient) {
		throw new ReportError(
			'no_matching_recipient',
			`This report was not sealed to this key; it lists ${header.recipients.length} other recipient(s).`
		);
	}
	if (
		privateKey.length !== sodium.crypto_box_SECRETKEYBYTES ||
		!sameBytes(sodium.crypto_scalarmult_base(privateKey), publicKey)
	) {
		throw new ReportError('wrong_key', 'The private key does not belong to the given public key.');
	}
	try {
		return sodium.crypto_box_seal_open(recipient.sealedKey, publicKey, privateKey);
	} catch {
		throw new ReportError(
			'tampered',
			"The report's key for this recipient is damaged or was altered."
		);
	}
}

function decryptBody(file: Uint8Array, header: ReportHeader, fileKey: Uint8Array): Uint8Array {
	const body = file.subarray(header.length);
	if (body.length === 0) {
		throw new ReportError('truncated', 'The report ends after its header: the data is missing.');
	}
	const state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(
		header.streamHeader,
		fileKey
	);
	const chunkCount = Math.ceil(body.length / CHUNK_CIPHERTEXT_BYTES);
	const parts: Uint8Array[] = [];
	for (let index = 0; index < chunkCount; index++) {
		const chunk = body.subarray(
			index * CHUNK_CIPHERTEXT_BYTES,
			(index + 1) * CHUNK_CIPHERTEXT_BYTES
		);
		const opened = sodium.crypto_secretstream_xchacha20poly1305_pull(
			state,
			chunk,
			index === 0 ? file.subarray(0, header.length) : null
		);
		if (!opened) {
			throw new ReportError(
				'tampered',
				`Chunk ${index + 1} of ${chunkCount} failed authentication: the report is damaged, ` +
					'altered, reordered, or cut inside a chunk.'
			);
		}
		const last = index === chunkCount - 1;
		if (opened.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
			if (!last) throw new ReportError('tampered', `Data follows the final chunk (${index + 1}).`);
		} else if (opened.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
			if (last) {
				throw new ReportError(
					'truncated',
					`The report is cut short: chunk ${index + 1} is not marked final and nothing follows it.`
				);
			}
		} else {
			throw new ReportError(
				'tampered',
				`Chunk ${index + 1} carries an unknown tag (${opened.tag}).`
			);
		}
		parts.push(opened.message);
	}
	return concat(parts);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

function concat(parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
	let offset = 0;
	for (const part of parts) {
		out.set(part, offset);
		offset += part.length;
	}
	return out;
}
