import type Sodium from 'libsodium-wrappers-sumo';
import { loadSodium } from './sodium';

/** Set by loadSodium() at the start of each exported function that needs it. */
let sodium: typeof Sodium;

/** An X25519 key (public or private) is 32 bytes. */
export const RECIPIENT_KEY_BYTES = 32;

/** A recipient key as text: URL-safe base64 without padding (43 characters). */
export async function encodeRecipientKey(key: Uint8Array): Promise<string> {
	sodium = await loadSodium();
	return sodium.to_base64(key, sodium.base64_variants.URLSAFE_NO_PADDING);
}

/**
 * Reads a key written by {@link encodeRecipientKey}, or as 64 hex digits, or as any base64
 * variant; surrounding whitespace is ignored. Returns null when the text is not a 32-byte key.
 */
export async function decodeRecipientKey(text: string): Promise<Uint8Array | null> {
	sodium = await loadSodium();
	const trimmed = text.trim();
	const variants = [
		sodium.base64_variants.URLSAFE_NO_PADDING,
		sodium.base64_variants.URLSAFE,
		sodium.base64_variants.ORIGINAL_NO_PADDING,
		sodium.base64_variants.ORIGINAL
	];
	const decoders = [
		() => (/^[0-9a-f]{64}$/i.test(trimmed) ? sodium.from_hex(trimmed) : null),
		...variants.map((variant) => () => sodium.from_base64(trimmed, variant))
	];
	for (const decode of decoders) {
		try {
			const key = decode();
			if (key?.length === RECIPIENT_KEY_BYTES) return key;
		} catch {
			// Not this encoding; try the next one.
		}
	}
	return null;
}

/** The key pair of a private key (its X25519 public key is derived from it). */
export async function recipientKeyPairOf(
	privateKey: Uint8Array
): Promise<{ publicKey: Uint8Array; privateKey: Uint8Array }> {
	sodium = await loadSodium();
	return { publicKey: sodium.crypto_scalarmult_base(privateKey), privateKey };
}
