/** A credential's bytes re-encoded for a target that wants them another way (Firebase, Auth0). */
import { base64, base64nopad, hex, utf8 } from '@scure/base';
import type { Credential, Encoding } from '../identity/credential';

/** The bytes of a value written in an encoding (base64 padded or not, standard or URL-safe). */
export function decode(value: string, encoding: Encoding = 'utf8'): Uint8Array {
	if (encoding === 'utf8') return utf8.decode(value);
	if (encoding === 'hex') return hex.decode(value.toLowerCase());
	const standard = value
		.replaceAll('-', '+')
		.replaceAll('_', '/')
		.replaceAll('.', '+')
		.replace(/=+$/, '');
	return base64nopad.decode(standard);
}

/** Standard base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
	return base64.encode(bytes);
}

/** A value re-encoded as standard base64. */
export function asBase64(value: string, encoding: Encoding = 'utf8'): string {
	return toBase64(decode(value, encoding));
}

/** The salt and hash of a PHC string (`$id$…$salt$hash`), as written (B64, no padding). */
export function phcSaltAndHash(credential: Credential): { salt: string; hash: string } {
	const parts = credential.hash.split('$');
	return { salt: parts[parts.length - 2], hash: parts[parts.length - 1] };
}
