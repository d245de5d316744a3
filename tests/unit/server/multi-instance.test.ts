/**
 * Two API processes behind one PostgreSQL database, as behind a load balancer: every chunk sent to
 * both at once, several times, is applied exactly once, a conflicting body is refused, and a
 * rollback through either undoes everything. Runs in the `postgres` project only (vite.config.ts).
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, queryDatabase } from '../../support/databases';
import { startReferenceApi, type ReferenceApi } from '../../support/reference-api';

const TOKEN = 'multi-instance-token';
const CHUNKS = 40;
const ROWS_PER_CHUNK = 25;
const SENDS_PER_INSTANCE = 3;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
	while (cleanups.length > 0) await cleanups.pop()!();
});

interface Sent {
	status: number;
	replayed: boolean;
	body: string;
}

/** A request, sent again while the database answers 503 (a lock waited for too long). */
async function send(api: ReferenceApi, method: string, path: string, text?: string): Promise<Sent> {
	const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
	if (text !== undefined) {
		headers['content-type'] = 'application/json';
		headers['idempotency-key'] = createHash('sha256').update(text).digest('hex');
	}
	for (;;) {
		const response = await fetch(`${api.url}${path}`, { method, headers, body: text });
		const body = await response.text();
		if (response.status !== 503) {
			return {
				status: response.status,
				replayed: response.headers.get('idempotent-replayed') === 'true',
				body
			};
		}
		await sleep(50);
	}
}

function chunkText(seq: number): string {
	const rows = Array.from({ length: ROWS_PER_CHUNK }, (_, index) => {
		const row = seq * ROWS_PER_CHUNK + index + 1;
		return { row, user_id: `u${row}`, email: `u${row}@example.org` };
	});
	return JSON.stringify({ rows });
}

describe('several API instances on one PostgreSQL database', () => {
	it('applies each chunk exactly once under concurrent replays to both instances', async () => {
		const database = await createTestDatabase('postgres');
		cleanups.push(() => database.drop());
		const [a, b] = await Promise.all(
			[0, 1].map(() => startReferenceApi({ token: TOKEN, database: database.location }))
		);
		cleanups.push(
			() => a.stop(),
			() => b.stop()
		);

		const rows = CHUNKS * ROWS_PER_CHUNK;
		const created = await send(
			a,
			'POST',
			'/sources',
			JSON.stringify({
				name: 'two instances',
				mode: 'create',
				file: { name: 'users.csv', size: 1, sha256: 'a'.repeat(64) },
				rows
			})
		);
		expect(created.status).toBe(201);
		const id = JSON.parse(created.body).id as string;

		// Every chunk to both instances, several times each, all at once.
		const sends = Array.from({ length: CHUNKS }, (_, seq) =>
			[a, b].flatMap((api) =>
				Array.from({ length: SENDS_PER_INSTANCE }, () =>
					send(api, 'PUT', `/sources/${id}/chunks/${seq}`, chunkText(seq))
				)
			)
		);
		const answers = await Promise.all(sends.map((chunk) => Promise.all(chunk)));
		for (const [seq, chunk] of answers.entries()) {
			expect(
				chunk.map((answer) => answer.status),
				`chunk ${seq}`
			).toEqual(chunk.map(() => 200));
			expect(new Set(chunk.map((answer) => answer.body)).size, `chunk ${seq}`).toBe(1);
			expect(
				chunk.filter((answer) => !answer.replayed),
				`chunk ${seq}`
			).toHaveLength(1);
		}

		// Another body for an applied seq is refused by either instance.
		const conflict = await send(b, 'PUT', `/sources/${id}/chunks/0`, chunkText(CHUNKS));
		expect(conflict.status).toBe(409);
		expect(JSON.parse(conflict.body).code).toBe('chunk_conflict');

		const [stored] = await queryDatabase<Record<string, number>>(
			database.location,
			`SELECT
				(SELECT count(*) FROM accounts WHERE created_by_source = ?) AS accounts,
				(SELECT count(*) FROM connections WHERE source_id = ?) AS connections,
				(SELECT count(*) FROM row_results WHERE source_id = ? AND status = 'imported') AS imported,
				(SELECT count(*) FROM chunks WHERE source_id = ?) AS chunks,
				(SELECT sum(replays) FROM chunks WHERE source_id = ?) AS replays`,
			[id, id, id, id, id]
		);
		expect(stored).toEqual({
			accounts: rows,
			connections: rows,
			imported: rows,
			chunks: CHUNKS,
			replays: CHUNKS * (2 * SENDS_PER_INSTANCE - 1)
		});

		// Completed through one instance, rolled back through the other (twice, at once).
		expect((await send(a, 'POST', `/sources/${id}/complete`)).status).toBe(200);
		const rollbacks = await Promise.all([
			send(b, 'DELETE', `/sources/${id}`),
			send(a, 'DELETE', `/sources/${id}`)
		]);
		for (const rollback of rollbacks) {
			expect(rollback.status).toBe(200);
			expect(JSON.parse(rollback.body).rollback).toEqual({
				removedAccounts: rows,
				removedLinks: 0,
				keptUpdates: 0
			});
		}
		expect(await queryDatabase(database.location, 'SELECT count(*) AS n FROM accounts')).toEqual([
			{ n: 0 }
		]);
	});
});
