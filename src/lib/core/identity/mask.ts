/**
 * Secrets are never shown whole (DESIGN.md "A faithful user"): previews, tables, reports, logs and
 * CLI samples show a hash, salt or key as its first 7 characters and `…`.
 */
import { SECRET_PARAMS, type Credential } from './credential';

const SHOWN = 7;

/**
 * The first 7 characters (code points) and `…`: enough to tell `$2b$10$` from `$argon2`. A secret of
 * 7 characters or fewer would be shown whole that way, so it is shown as `…` alone.
 */
export function maskSecret(value: string): string {
	if (value === '') return '';
	const characters = Array.from(value);
	return characters.length > SHOWN ? `${characters.slice(0, SHOWN).join('')}…` : '…';
}

/** A credential safe to display: hash, salt and secret params masked, the other params kept. */
export function maskCredential(credential: Credential): Credential {
	const masked: Credential = { ...credential, hash: maskSecret(credential.hash) };
	if (credential.salt !== undefined) masked.salt = maskSecret(credential.salt);
	if (credential.params) {
		masked.params = { ...credential.params };
		for (const name of SECRET_PARAMS) {
			const value = masked.params[name];
			if (value !== undefined) masked.params[name] = maskSecret(String(value));
		}
	}
	return masked;
}
