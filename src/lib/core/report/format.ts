import { ReportError } from './error';

/*
 * The encrypted report file, version 1 (docs/report-format.md has the byte-by-byte description).
 *
 *   offset      size  field
 *   0           8     magic "FERRYRPT"
 *   8           1     version (1)
 *   9           1     KDF id: 0 none (recipients only), 1 Argon2id v1.3
 *   10          4     opslimit, u32 LE (0 without KDF)
 *   14          4     memlimit in bytes, u32 LE (0 without KDF)
 *   18          16    salt (zeros without KDF)
 *   34          24    password slot nonce (zeros without KDF)
 *   58          48    password slot: crypto_secretbox_easy(file key) (zeros without KDF)
 *   106         24    crypto_secretstream_xchacha20poly1305 header
 *   130         1     recipient count n (0..255)
 *   131         112n  per recipient: X25519 public key (32), crypto_box_seal(file key) (80)
 *   131+112n    4     CRC-32 (IEEE) of bytes [0, 131+112n), u32 LE
 *   135+112n          body: secretstream chunks, 65,536 + 17 bytes each but the last (17..65,553)
 */

export const MAGIC = 'FERRYRPT';
export const FORMAT_VERSION = 1;
export const KDF_NONE = 0;
export const KDF_ARGON2ID13 = 1;

export const SALT_BYTES = 16;
export const SLOT_NONCE_BYTES = 24;
export const FILE_KEY_BYTES = 32;
/** crypto_secretbox_easy adds a 16-byte MAC. */
export const PASSWORD_SLOT_BYTES = FILE_KEY_BYTES + 16;
export const STREAM_HEADER_BYTES = 24;
export const PUBLIC_KEY_BYTES = 32;
/** crypto_box_seal adds an ephemeral public key (32) and a MAC (16). */
export const SEALED_KEY_BYTES = FILE_KEY_BYTES + 48;
export const RECIPIENT_BYTES = PUBLIC_KEY_BYTES + SEALED_KEY_BYTES;
export const MAX_RECIPIENTS = 255;
export const CHECKSUM_BYTES = 4;

/** Plaintext bytes per secretstream chunk; only the last chunk may be shorter. */
export const CHUNK_PLAINTEXT_BYTES = 64 * 1024;
/** crypto_secretstream_xchacha20poly1305_ABYTES: a 1-byte encrypted tag and a 16-byte MAC. */
export const CHUNK_OVERHEAD_BYTES = 17;
export const CHUNK_CIPHERTEXT_BYTES = CHUNK_PLAINTEXT_BYTES + CHUNK_OVERHEAD_BYTES;

const OFFSET = {
	version: 8,
	kdf: 9,
	opsLimit: 10,
	memLimit: 14,
	salt: 18,
	slotNonce: 34,
	passwordSlot: 58,
	streamHeader: 106,
	recipientCount: 130,
	recipients: 131
} as const;

/** Argon2id's own lower bounds (crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN). */
const MIN_OPS_LIMIT = 1;
const MIN_MEM_LIMIT = 8192;

export interface Recipient {
	publicKey: Uint8Array;
	sealedKey: Uint8Array;
}

export interface PasswordSlot {
	opsLimit: number;
	/** Bytes. */
	memLimit: number;
	salt: Uint8Array;
	nonce: Uint8Array;
	wrappedKey: Uint8Array;
}

export interface ReportHeader {
	version: typeof FORMAT_VERSION;
	/** Null when the report opens only with a recipient's private key (KDF id 0). */
	password: PasswordSlot | null;
	streamHeader: Uint8Array;
	recipients: Recipient[];
	/** Header size in bytes: the body starts here, and bytes [0, length) authenticate chunk 1. */
	length: number;
}

export function headerLength(recipientCount: number): number {
	return OFFSET.recipients + recipientCount * RECIPIENT_BYTES + CHECKSUM_BYTES;
}

/** Serialises a header; the result is both the file's first bytes and chunk 1's additional data. */
export function writeReportHeader(header: Omit<ReportHeader, 'version' | 'length'>): Uint8Array {
	if (header.recipients.length > MAX_RECIPIENTS) {
		throw new RangeError(`A report holds at most ${MAX_RECIPIENTS} recipients.`);
	}
	const length = headerLength(header.recipients.length);
	const bytes = new Uint8Array(length);
	const view = new DataView(bytes.buffer);
	for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
	bytes[OFFSET.version] = FORMAT_VERSION;
	const slot = header.password;
	if (slot) {
		bytes[OFFSET.kdf] = KDF_ARGON2ID13;
		view.setUint32(OFFSET.opsLimit, slot.opsLimit, true);
		view.setUint32(OFFSET.memLimit, slot.memLimit, true);
		put(bytes, OFFSET.salt, slot.salt, SALT_BYTES);
		put(bytes, OFFSET.slotNonce, slot.nonce, SLOT_NONCE_BYTES);
		put(bytes, OFFSET.passwordSlot, slot.wrappedKey, PASSWORD_SLOT_BYTES);
	}
	put(bytes, OFFSET.streamHeader, header.streamHeader, STREAM_HEADER_BYTES);
	bytes[OFFSET.recipientCount] = header.recipients.length;
	header.recipients.forEach((recipient, index) => {
		const at = OFFSET.recipients + index * RECIPIENT_BYTES;
		put(bytes, at, recipient.publicKey, PUBLIC_KEY_BYTES);
		put(bytes, at + PUBLIC_KEY_BYTES, recipient.sealedKey, SEALED_KEY_BYTES);
	});
	view.setUint32(length - CHECKSUM_BYTES, crc32(bytes.subarray(0, length - CHECKSUM_BYTES)), true);
	return bytes;
}

function put(target: Uint8Array, offset: number, value: Uint8Array, size: number): void {
	if (value.length !== size) throw new RangeError(`Expected ${size} bytes, got ${value.length}.`);
	target.set(value, offset);
}

/**
 * Parses and checks the header without any key: magic, version, completeness, checksum and the
 * consistency of the fields. Throws a ReportError when the file cannot be a readable report.
 */
export function readReportHeader(file: Uint8Array): ReportHeader {
	if (file.length < MAGIC.length || !hasMagic(file)) {
		throw new ReportError(
			'not_a_report',
			'This is not a Ferry report (the FERRYRPT mark is missing).'
		);
	}
	if (file.length <= OFFSET.version) {
		throw new ReportError('truncated', 'The report ends before its header: the file is cut short.');
	}
	const version = file[OFFSET.version];
	if (version !== FORMAT_VERSION) {
		throw new ReportError(
			'unknown_version',
			`This report uses format version ${version}; this Ferry reads version ${FORMAT_VERSION} only.`
		);
	}
	if (file.length < headerLength(0)) {
		throw new ReportError('truncated', 'The report ends inside its header: the file is cut short.');
	}
	const recipientCount = file[OFFSET.recipientCount];
	const length = headerLength(recipientCount);
	if (file.length < length) {
		throw new ReportError(
			'truncated',
			`The report's header lists ${recipientCount} recipients but the file ends inside it: ` +
				'the file is cut short or damaged.'
		);
	}
	const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
	if (
		view.getUint32(length - CHECKSUM_BYTES, true) !==
		crc32(file.subarray(0, length - CHECKSUM_BYTES))
	) {
		throw new ReportError(
			'tampered',
			"The report's header is damaged or was altered (checksum mismatch)."
		);
	}
	const kdf = file[OFFSET.kdf];
	if (kdf !== KDF_NONE && kdf !== KDF_ARGON2ID13) {
		throw new ReportError(
			'unknown_version',
			`This report uses key derivation ${kdf}, which this Ferry does not know.`
		);
	}
	const password = kdf === KDF_ARGON2ID13 ? passwordSlot(file, view) : null;
	if (!password && file.subarray(OFFSET.opsLimit, OFFSET.streamHeader).some((byte) => byte !== 0)) {
		throw new ReportError(
			'tampered',
			'The report has no password but its password fields are set.'
		);
	}
	if (!password && recipientCount === 0) {
		throw new ReportError(
			'tampered',
			'The report has neither a password nor a recipient: no key opens it.'
		);
	}
	const recipients: Recipient[] = [];
	for (let index = 0; index < recipientCount; index++) {
		const at = OFFSET.recipients + index * RECIPIENT_BYTES;
		recipients.push({
			publicKey: file.slice(at, at + PUBLIC_KEY_BYTES),
			sealedKey: file.slice(at + PUBLIC_KEY_BYTES, at + RECIPIENT_BYTES)
		});
	}
	return {
		version: FORMAT_VERSION,
		password,
		streamHeader: file.slice(OFFSET.streamHeader, OFFSET.streamHeader + STREAM_HEADER_BYTES),
		recipients,
		length
	};
}

function hasMagic(file: Uint8Array): boolean {
	for (let i = 0; i < MAGIC.length; i++) if (file[i] !== MAGIC.charCodeAt(i)) return false;
	return true;
}

function passwordSlot(file: Uint8Array, view: DataView): PasswordSlot {
	const opsLimit = view.getUint32(OFFSET.opsLimit, true);
	const memLimit = view.getUint32(OFFSET.memLimit, true);
	if (opsLimit < MIN_OPS_LIMIT || memLimit < MIN_MEM_LIMIT) {
		throw new ReportError(
			'tampered',
			`The report's key derivation costs (opslimit ${opsLimit}, memlimit ${memLimit}) are below Argon2id's minimum.`
		);
	}
	return {
		opsLimit,
		memLimit,
		salt: file.slice(OFFSET.salt, OFFSET.salt + SALT_BYTES),
		nonce: file.slice(OFFSET.slotNonce, OFFSET.slotNonce + SLOT_NONCE_BYTES),
		wrappedKey: file.slice(OFFSET.passwordSlot, OFFSET.passwordSlot + PASSWORD_SLOT_BYTES)
	};
}

let crcTable: Uint32Array | undefined;

/** CRC-32 as in zlib and gzip (reflected polynomial 0xEDB88320). Catches damage, not attackers. */
export function crc32(bytes: Uint8Array): number {
	crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	let crc = 0xffffffff;
	for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}
