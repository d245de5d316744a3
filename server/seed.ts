/**
 * Creates existing accounts for link mode:
 *   npm run api:seed -- --accounts N [--data DIR]
 * Account i is user{i}@example.com (see accounts.ts for the names). Running it again adds only the
 * accounts that are missing. FERRY_API_DATA is the environment alternative to --data.
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { seedAccounts } from './accounts';
import { DEFAULT_DATA_DIR, databasePath, parseInteger } from './config';
import { openDatabase } from './db';

function main(): void {
	const { values } = parseArgs({
		options: {
			accounts: { type: 'string' },
			data: { type: 'string' }
		},
		strict: true
	});
	if (values.accounts === undefined) {
		throw new Error('usage: server/seed.ts --accounts N [--data DIR]');
	}
	const count = parseInteger(values.accounts, 'accounts', 0, 10_000_000);
	const dataDir = values.data ?? process.env.FERRY_API_DATA ?? DEFAULT_DATA_DIR;
	mkdirSync(dataDir, { recursive: true });
	const db = openDatabase(databasePath(dataDir));
	try {
		const added = seedAccounts(db, count);
		process.stdout.write(
			`seeded ${added} new account(s) (user1..user${count}@example.com) in ${databasePath(dataDir)}\n`
		);
	} finally {
		db.close();
	}
}

try {
	main();
} catch (error) {
	process.stderr.write(
		`ferry-api seed: ${error instanceof Error ? error.message : String(error)}\n`
	);
	process.exit(1);
}
