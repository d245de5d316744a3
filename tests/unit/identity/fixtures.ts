/** Realistic password hashes: generated with Node's crypto, or published test vectors. */
import { createHash, pbkdf2Sync, scryptSync } from 'node:crypto';

const PASSWORD = 'correct horse battery staple';
const SALT = Buffer.from('c0ffee00deadbeef1234', 'hex');

/** PHC B64: standard base64 without padding. */
export function b64(bytes: Buffer): string {
	return bytes.toString('base64').replace(/=+$/, '');
}

const pbkdf2Sha256 = pbkdf2Sync(PASSWORD, SALT, 310_000, 32, 'sha256');
const pbkdf2Sha512 = pbkdf2Sync(PASSWORD, SALT, 210_000, 64, 'sha512');
const scrypt = scryptSync(PASSWORD, SALT, 32, { N: 16384, r: 8, p: 1 });
const sha1 = createHash('sha1').update(PASSWORD).digest();
const sshaSalt = Buffer.from('5a1t', 'utf8');
const ssha = createHash('sha1').update(PASSWORD).update(sshaSalt).digest();
const ssha512 = createHash('sha512').update(PASSWORD).update(sshaSalt).digest();

export const HASHES = {
	password: PASSWORD,
	/** Auth0's documented example: "hello" at cost 10. */
	bcrypt2b: '$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K',
	bcrypt2a: '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy',
	/** PHP's password_verify example ("rasmuslerdorf"). */
	bcrypt2y: '$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a',
	/** Auth0's documented argon2id example. */
	argon2id:
		'$argon2id$v=19$m=65536,t=2,p=1$J6Q/82PCyaNpYKRELJyTZg$m04qUAB8rexWDR4+/0f+SFB+4XMFxt7YAvAq2UycYos',
	/** phc-winner-argon2's README vector ("password", "somesalt"). */
	argon2i: '$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA',
	/** The same, argon2 v1.0 (no v=). */
	argon2iV10: '$argon2i$m=65536,t=2,p=1$c29tZXNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ',
	pbkdf2Phc: `$pbkdf2-sha256$i=310000,l=32$${b64(SALT)}$${b64(pbkdf2Sha256)}`,
	pbkdf2PhcSha512: `$pbkdf2-sha512$i=210000,l=64$${b64(SALT)}$${b64(pbkdf2Sha512)}`,
	pbkdf2Passlib: `$pbkdf2-sha256$310000$${b64(SALT).replaceAll('+', '.')}$${b64(pbkdf2Sha256).replaceAll('+', '.')}`,
	django: `pbkdf2_sha256$310000$${SALT.toString('hex')}$${pbkdf2Sync(PASSWORD, SALT.toString('hex'), 310_000, 32, 'sha256').toString('base64')}`,
	scryptPhc: `$scrypt$ln=14,r=8,p=1$${b64(SALT)}$${b64(scrypt)}`,
	/** Supabase's test vector shape (values made up, lengths real). */
	fbscrypt: `$fbscrypt$v=1,n=14,r=8,p=1,ss=Bw==,sk=${Buffer.alloc(64, 7).toString('base64')}$${b64(SALT)}$${b64(Buffer.alloc(32, 9))}`,
	ldapSha: `{SHA}${sha1.toString('base64')}`,
	ldapSsha: `{SSHA}${Buffer.concat([ssha, sshaSalt]).toString('base64')}`,
	ldapSsha512: `{SSHA512}${Buffer.concat([ssha512, sshaSalt]).toString('base64')}`,
	/** Auth0's documented LDAP example. */
	ldapSsha384:
		'{SSHA384}/cgEjdoZh85DhurDeOQEMO1rMlAur93SVPbYe5XSD4lF7nNuvrBju5hUeg9A6agRemgSXGl5YuE=',
	md5: createHash('md5').update(PASSWORD).digest('hex'),
	sha1: sha1.toString('hex'),
	sha256: createHash('sha256').update(PASSWORD).digest('hex'),
	sha512: createHash('sha512').update(PASSWORD).digest('hex'),
	/** Keycloak: base64 hash and salt, iterations and provider in credentialData. */
	keycloakSalt: SALT.toString('base64'),
	keycloakSha256: pbkdf2Sha256.toString('base64'),
	scryptHex: scrypt.toString('hex'),
	saltHex: SALT.toString('hex')
};
