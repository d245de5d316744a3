/**
 * Creates existing accounts for link mode:
 *   npm run api:seed -- --accounts N [--data DIR | --database URL]
 * Account i is user{i}@example.com (see accounts.ts for the names). Running it again adds only the
 * accounts that are missing. FERRY_API_DATA and FERRY_API_DATABASE are the environment
 * alternatives to --data and --database.
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { seedAccounts } from './accounts';
import { DEFAULT_DATA_DIR, databasePath, describeDatabase, parseInteger } from './config';
import { openSqlDatabase } from './sql';

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			accounts: { type: 'string' },
			data: { type: 'string' },
			database: { type: 'string' }
		},
		strict: true
	});
	if (values.accounts === undefined) {
		throw new Error('usage: server/seed.ts --accounts N [--data DIR | --database URL]');
	}
	const count = parseInteger(values.accounts, 'accounts', 0, 10_000_000);
	const dataDir = values.data ?? process.env.FERRY_API_DATA ?? DEFAULT_DATA_DIR;
	const databaseUrl = values.database ?? process.env.FERRY_API_DATABASE;
	if (databaseUrl === undefined) mkdirSync(dataDir, { recursive: true });
	const database = databaseUrl ?? databasePath(dataDir);
	const db = await openSqlDatabase(database);
	try {
		const added = await seedAccounts(db, count);
		process.stdout.write(
			`seeded ${added} new account(s) (user1..user${count}@example.com) in ${describeDatabase(database)}\n`
		);
	} finally {
		await db.close();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(
		`ferry-api seed: ${error instanceof Error ? error.message : String(error)}\n`
	);
	process.exit(1);
});
