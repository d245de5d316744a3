/**
 * Deterministic existing accounts for link mode: account i (1-based) is user{i}@example.com with a
 * name drawn from fixed lists, so test files can be generated that match (or on purpose mismatch).
 */
import type { SqlDatabase } from './sql';
import { emailKey } from './validate';

const GIVEN_NAMES = [
	'Ada',
	'Grace',
	'Alan',
	'Edsger',
	'Barbara',
	'Donald',
	'Margaret',
	'Ken',
	'Frances',
	'Dennis'
] as const;
const FAMILY_NAMES = [
	'Lovelace',
	'Hopper',
	'Turing',
	'Dijkstra',
	'Liskov',
	'Knuth',
	'Hamilton',
	'Thompson',
	'Allen',
	'Ritchie'
] as const;

export interface SeedAccount {
	email: string;
	name: string;
	given_name: string;
	family_name: string;
}

/** The i-th seeded account (i ≥ 1). */
export function seedAccount(i: number): SeedAccount {
	const given_name = GIVEN_NAMES[(i - 1) % GIVEN_NAMES.length];
	const family_name = FAMILY_NAMES[Math.floor((i - 1) / GIVEN_NAMES.length) % FAMILY_NAMES.length];
	return {
		email: `user${i}@example.com`,
		name: `${given_name} ${family_name}`,
		given_name,
		family_name
	};
}

/** Creates accounts 1..count that do not exist yet; returns how many were added. */
export function seedAccounts(db: SqlDatabase, count: number, now = Date.now()): Promise<number> {
	return db.transaction(async (tx) => {
		let added = 0;
		for (let i = 1; i <= count; i++) {
			const account = seedAccount(i);
			added += await tx.run(
				`INSERT INTO accounts (email, email_key, name, given_name, family_name, created_at,
				  updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				[
					account.email,
					emailKey(account.email),
					account.name,
					account.given_name,
					account.family_name,
					now,
					now
				]
			);
		}
		return added;
	});
}
