/**
 * Shared set-up for the reference server tests: a fresh database per app (SQLite, or PostgreSQL in
 * the `postgres` project: tests/support/databases.ts), request helpers.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach } from 'vitest';
import { buildApp, type AppOptions } from '../../../server/app';
import type { CreateSourceBody } from '../../../src/lib/core/protocol/import-api';
import { createTestDatabase } from '../../support/databases';

export const TOKEN = 'test-token';
export const AUTH = { authorization: `Bearer ${TOKEN}` };
export const ALLOWED_ORIGIN = 'http://localhost:4173';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
	while (cleanups.length > 0) await cleanups.pop()!();
});

/** A temporary directory removed after the test. */
export function tempDir(): string {
	const dir = mkdtempSync(join(tmpdir(), 'ferry-server-'));
	cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
	return dir;
}

/** A fresh database of the backend under test, removed after the test; returns its location. */
export async function tempDatabase(): Promise<string> {
	const database = await createTestDatabase();
	cleanups.push(() => database.drop());
	return database.location;
}

/** An app on its own database (or the given one), closed after the test. */
export async function makeApp(options: Partial<AppOptions> = {}): Promise<FastifyInstance> {
	const app = buildApp({
		database: options.database ?? (await tempDatabase()),
		token: TOKEN,
		corsOrigins: [ALLOWED_ORIGIN],
		...options
	});
	cleanups.push(() => app.close());
	// The database is opened (migrated, purged) once the app is ready, as before a server listens.
	await app.ready();
	return app;
}

export function sha256Hex(bytes: string | Uint8Array): string {
	return createHash('sha256').update(bytes).digest('hex');
}

/** A create-source body's mode; the rest defaults to a small test source. */
export type NewSourceBody = Pick<CreateSourceBody, 'mode'> &
	Partial<Pick<CreateSourceBody, 'name' | 'upsert' | 'rows' | 'dry_run'>>;

export async function createSource(app: FastifyInstance, body: NewSourceBody): Promise<string> {
	const response = await app.inject({
		method: 'POST',
		url: '/api/v1/sources',
		headers: AUTH,
		payload: {
			name: body.name ?? 'test source',
			mode: body.mode,
			upsert: body.upsert ?? false,
			file: { name: 'users.csv', size: 123, sha256: 'a'.repeat(64) },
			rows: body.rows ?? 10,
			...(body.dry_run === undefined ? {} : { dry_run: body.dry_run })
		}
	});
	if (response.statusCode !== 201) throw new Error(`create source: ${response.body}`);
	return response.json().id;
}

export interface ChunkOptions {
	gzip?: boolean;
	/** Overrides the correct key. */
	key?: string;
}

/** PUTs a chunk with the right Idempotency-Key (the SHA-256 of the exact JSON text sent). */
export function putChunk(
	app: FastifyInstance,
	sourceId: string,
	seq: number,
	rows: Record<string, unknown>[],
	options: ChunkOptions = {}
): Promise<LightMyRequestResponse> {
	const text = JSON.stringify({ rows });
	return app.inject({
		method: 'PUT',
		url: `/api/v1/sources/${sourceId}/chunks/${seq}`,
		headers: {
			...AUTH,
			'content-type': 'application/json',
			'idempotency-key': options.key ?? sha256Hex(text),
			...(options.gzip ? { 'content-encoding': 'gzip' } : {})
		},
		payload: options.gzip ? gzipSync(text) : text
	});
}

/** `{row: status}` of a chunk response, with the reason where one was given. */
export function statusesOf(response: LightMyRequestResponse): Record<number, string> {
	const body = response.json() as { results: { row: number; status: string; reason?: string }[] };
	return Object.fromEntries(body.results.map((result) => [result.row, result.status]));
}
