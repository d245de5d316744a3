// Every --hash-algo firebase auth:import takes: its flags read into a hash config, the config
// checked as auth:import checks it, and a user's passwordHash and salt read with it into the
// credential Ferry's other readers give for the same hash.
import { createHash, createHmac, pbkdf2Sync, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { firebaseHash } from '../../../src/lib/core/convert/firebase';
import {
	credentialFromFirebase,
	firebaseConfigFromFlags,
	firebaseConfigProblem,
	firebaseFlags,
	FIREBASE_HASH_ALGORITHMS,
	type FirebaseHashConfig
} from '../../../src/lib/core/identity/firebase';
import { HASHES } from './fixtures';

const PASSWORD = HASHES.password;
const SALT = Buffer.from('5a1t-and-pepper');
const SALT64 = SALT.toString('base64');
const KEY64 = Buffer.from('hmac-secret-key').toString('base64');
const SIGNER_KEY = Buffer.alloc(64, 3).toString('base64');
const digest = (algorithm: string) =>
	createHash(algorithm).update(SALT).update(PASSWORD).digest('base64');
const hmac = (algorithm: string) =>
	createHmac(algorithm, Buffer.from(KEY64, 'base64')).update(PASSWORD).digest('base64');

/** One case per algorithm: the flags, the user's passwordHash and salt, the credential read. */
const ALGORITHMS = [
	{
		flags: `--hash-algo=SCRYPT --hash-key=${SIGNER_KEY} --salt-separator=Bw== --rounds=8 --mem-cost=14`,
		hash: Buffer.alloc(64, 9).toString('base64'),
		salt: SALT64,
		credential: {
			algorithm: 'firebase-scrypt',
			encoding: 'base64',
			salt: SALT64,
			salt_encoding: 'base64',
			params: { rounds: 8, memCost: 14, signerKey: SIGNER_KEY, saltSeparator: 'Bw==' }
		}
	},
	{
		flags:
			'--hash-algo=STANDARD_SCRYPT --mem-cost=16384 --parallelization=1 --block-size=8 --dk-len=32',
		hash: scryptSync(PASSWORD, SALT, 32, { N: 16384, r: 8, p: 1 }).toString('base64'),
		salt: SALT64,
		credential: {
			algorithm: 'scrypt',
			encoding: 'base64',
			salt: SALT64,
			salt_encoding: 'base64',
			params: { keylen: 32, cost: 16384, blockSize: 8, parallelization: 1 }
		}
	},
	{
		flags: '--hash-algo=BCRYPT',
		hash: Buffer.from(HASHES.bcrypt2b).toString('base64'),
		salt: '',
		credential: { algorithm: 'bcrypt', hash: HASHES.bcrypt2b, params: { variant: '2b', cost: 10 } }
	},
	...['SHA512', 'SHA256', 'SHA1', 'MD5'].map((algo) => ({
		flags: `--hash-algo=HMAC_${algo} --hash-key=${KEY64}`,
		hash: hmac(algo.toLowerCase()),
		salt: '',
		credential: {
			algorithm: 'hmac',
			encoding: 'base64',
			params: { digest: algo.toLowerCase(), key: KEY64, keyEncoding: 'base64' }
		}
	})),
	...['MD5', 'SHA1', 'SHA256', 'SHA512'].map((algo) => ({
		flags: `--hash-algo=${algo} --rounds=1 --hash-input-order=SALT_FIRST`,
		hash: digest(algo.toLowerCase()),
		salt: SALT64,
		credential: {
			algorithm: algo.toLowerCase(),
			encoding: 'base64',
			salt: SALT64,
			salt_encoding: 'base64',
			salt_position: 'prefix'
		}
	})),
	...[
		['PBKDF_SHA1', 'sha1'],
		['PBKDF2_SHA256', 'sha256']
	].map(([algo, hashName]) => ({
		flags: `--hash-algo=${algo} --rounds=27500`,
		hash: pbkdf2Sync(PASSWORD, SALT, 27500, 32, hashName).toString('base64'),
		salt: SALT64,
		credential: {
			algorithm: 'pbkdf2',
			encoding: 'base64',
			salt: SALT64,
			salt_encoding: 'base64',
			params: { iterations: 27500, digest: hashName, keylen: 32 }
		}
	}))
];

describe('every --hash-algo of auth:import', () => {
	it('is covered here', () => {
		const covered = ALGORITHMS.map(({ flags }) => /--hash-algo=(\S+)/.exec(flags)![1]);
		expect(covered.toSorted()).toEqual([...FIREBASE_HASH_ALGORITHMS].toSorted());
	});
	for (const { flags, hash, salt, credential } of ALGORITHMS)
		it(flags.split(' ')[0], () => {
			const parsed = firebaseConfigFromFlags(`firebase auth:import users.json ${flags}`);
			if ('error' in parsed) throw new Error(parsed.error);
			expect(parsed.file).toBe('users.json');
			// The flags the writer would write for this config are the ones read.
			expect(firebaseFlags(parsed.config).join(' ')).toBe(flags);
			const read = credentialFromFirebase(hash, salt, parsed.config);
			expect(read).toEqual({ credential: { hash, ...credential } });
			// …and the writer writes it back as the same hash, salt and flags.
			const written = firebaseHash((read as { credential: never }).credential);
			expect(written).toEqual({
				passwordHash: hash,
				salt: salt || undefined,
				flags: flags.split(' ')
			});
		});
});

describe('firebaseConfigFromFlags', () => {
	const valid: [string, string, FirebaseHashConfig, string | null][] = [
		['flags alone', '--hash-algo=BCRYPT', { algorithm: 'BCRYPT' }, null],
		[
			'lower case, as auth:import upper-cases',
			'--hash-algo=md5 --rounds=1 --hash-input-order=password_first',
			{ algorithm: 'MD5', rounds: 1, hashInputOrder: 'PASSWORD_FIRST' },
			null
		],
		[
			'--flag value and quotes',
			`npx firebase-tools auth:import "users-2.json" --hash-algo HMAC_SHA256 --hash-key '${KEY64}'`,
			{ algorithm: 'HMAC_SHA256', signerKey: KEY64 },
			'users-2.json'
		],
		[
			'a continued line',
			'firebase auth:import u.json \\\n  --hash-algo=PBKDF_SHA1 \\\n  --rounds=1000\n',
			{ algorithm: 'PBKDF_SHA1', rounds: 1000 },
			'u.json'
		]
	];
	for (const [name, text, config, file] of valid)
		it(name, () => expect(firebaseConfigFromFlags(text)).toEqual({ file, config }));

	const invalid: [string, string, RegExp][] = [
		['nothing', '  ', /Give a firebase auth:import command/],
		[
			'two commands',
			'firebase auth:import a.json --hash-algo=BCRYPT\nfirebase auth:import b.json --hash-algo=BCRYPT',
			/one auth:import command/
		],
		['no --hash-algo', 'firebase auth:import users.json', /no --hash-algo/],
		[
			'an unknown flag',
			'--hash-algo=BCRYPT --project demo',
			/no hash flag --project; the flags are --hash-algo, --hash-key/
		],
		['a stray word', `--hash-algo=BCRYPT ${KEY64}`, /neither a flag nor a flag's value/],
		['a flag twice', '--hash-algo=MD5 --rounds=1 --rounds=2', /--rounds is given twice/],
		['a flag without value', '--hash-algo=MD5 --rounds', /--rounds needs a value/],
		['a value that is a flag', '--rounds --hash-algo=MD5', /--rounds needs a value/],
		['not a number', '--hash-algo=MD5 --rounds=one', /--rounds takes a whole number/],
		[
			'an unknown algorithm',
			'--hash-algo=ARGON2',
			/no hash algorithm "ARGON2"; it takes SCRYPT, STANDARD_SCRYPT/
		],
		[
			'a bad order',
			'--hash-algo=MD5 --rounds=1 --hash-input-order=MIDDLE',
			/SALT_FIRST or PASSWORD_FIRST/
		]
	];
	for (const [name, text, reason] of invalid)
		it(`refuses ${name}`, () => {
			const result = firebaseConfigFromFlags(text);
			expect((result as { error: string }).error).toMatch(reason);
			expect((result as { error: string }).error).not.toContain(KEY64);
		});
});

describe('firebaseConfigProblem: auth:import checks, then what Ferry carries', () => {
	const scrypt = { algorithm: 'SCRYPT', signerKey: SIGNER_KEY, rounds: 8, memCost: 14 };
	const cases: [string, FirebaseHashConfig, RegExp | null][] = [
		['SCRYPT', scrypt, null],
		['SCRYPT without key', { ...scrypt, signerKey: undefined }, /signer key, in base64/],
		['SCRYPT bad separator', { ...scrypt, saltSeparator: '%' }, /separator is not base64/],
		['SCRYPT rounds 9', { ...scrypt, rounds: 9 }, /rounds from 1 to 8/],
		['SCRYPT memory cost 15', { ...scrypt, memCost: 15 }, /memory cost from 1 to 14/],
		['no algorithm', { algorithm: '' }, /needs an algorithm/],
		['HMAC without key', { algorithm: 'HMAC_SHA1' }, /HMAC_SHA1 needs the hash key, in base64/],
		[
			'MD5 of 0 rounds, which auth:import takes',
			{ algorithm: 'MD5', rounds: 0 },
			/Ferry reads MD5 hashes of one round only/
		],
		['SHA1 of 0 rounds', { algorithm: 'SHA1', rounds: 0 }, /SHA1 needs rounds from 1 to 8192/],
		['SHA256 of 8193 rounds', { algorithm: 'SHA256', rounds: 8193 }, /rounds from 1 to 8192/],
		[
			'SHA512 of 100 rounds',
			{ algorithm: 'SHA512', rounds: 100 },
			/one round only \(--rounds=1\); this config says 100/
		],
		['PBKDF2 without rounds', { algorithm: 'PBKDF2_SHA256' }, /rounds from 0 to 120000/],
		[
			'PBKDF2 of 120001 rounds',
			{ algorithm: 'PBKDF2_SHA256', rounds: 120_001 },
			/rounds from 0 to 120000/
		],
		['PBKDF of 0 rounds', { algorithm: 'PBKDF_SHA1', rounds: 0 }, /0 rounds/],
		[
			'STANDARD_SCRYPT cost 1000',
			{ algorithm: 'STANDARD_SCRYPT', memCost: 1000, parallelization: 1, blockSize: 8, dkLen: 32 },
			/power of two/
		],
		[
			'STANDARD_SCRYPT without --dk-len',
			{ algorithm: 'STANDARD_SCRYPT', memCost: 1024, parallelization: 1, blockSize: 8 },
			/--dk-len/
		],
		['BCRYPT ignores the other options', { algorithm: 'BCRYPT', rounds: 99 }, null]
	];
	for (const [name, config, reason] of cases)
		it(name, () => {
			const problem = firebaseConfigProblem(config);
			if (reason === null) expect(problem).toBeNull();
			else expect(problem).toMatch(reason);
		});
});

describe('credentialFromFirebase refuses a hash its config does not verify', () => {
	const config = (flags: string) => {
		const parsed = firebaseConfigFromFlags(flags);
		if ('error' in parsed) throw new Error(parsed.error);
		return parsed.config;
	};
	const cases: [string, string, string, string, RegExp][] = [
		[
			'BCRYPT of no bcrypt string',
			'--hash-algo=BCRYPT',
			Buffer.from('$1$abc').toString('base64'),
			'',
			/bcrypt string in base64/
		],
		['a hash not base64', '--hash-algo=SHA1 --rounds=1', '***', '', /passwordHash is not base64/],
		[
			'a salt not base64',
			'--hash-algo=SHA1 --rounds=1',
			digest('sha1'),
			'%%',
			/salt is not base64/
		],
		[
			'PBKDF2 without salt',
			'--hash-algo=PBKDF2_SHA256 --rounds=10',
			digest('sha256'),
			'',
			/salt is missing/
		],
		[
			'a digest of another length',
			'--hash-algo=SHA256 --rounds=1',
			digest('sha1'),
			'',
			/sha256 hash is 32 bytes; this one holds 20/
		],
		[
			'an HMAC of another length',
			`--hash-algo=HMAC_SHA512 --hash-key=${KEY64}`,
			hmac('sha256'),
			'',
			/HMAC-sha512 is 64 bytes/
		],
		[
			'scrypt longer than --dk-len',
			'--hash-algo=STANDARD_SCRYPT --mem-cost=1024 --parallelization=1 --block-size=8 --dk-len=16',
			digest('sha256'),
			SALT64,
			/32 bytes but --dk-len is 16/
		]
	];
	for (const [name, flags, hash, salt, reason] of cases)
		it(name, () => {
			const result = credentialFromFirebase(hash, salt, config(flags));
			expect((result as { error: string }).error).toMatch(reason);
		});
	it('a user without a hash has no credential, whatever the algorithm', () => {
		expect(credentialFromFirebase('', SALT64, config('--hash-algo=BCRYPT'))).toBeNull();
	});
	it('a salted digest without --hash-input-order has no stated position', () => {
		const read = credentialFromFirebase(
			digest('md5'),
			SALT64,
			config('--hash-algo=MD5 --rounds=1')
		);
		expect(read).toMatchObject({ credential: { algorithm: 'md5', salt: SALT64 } });
		expect((read as { credential: object }).credential).not.toHaveProperty('salt_position');
	});
});
