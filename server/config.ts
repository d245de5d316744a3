/** Command-line and environment settings shared by main.ts and seed.ts. */
import { join } from 'node:path';

export const DEFAULT_PORT = 8787;
export const DEFAULT_DATA_DIR = './.data';
export const DEFAULT_TOKEN = 'dev-token';
export const DEFAULT_CORS_ORIGINS = [
	'http://localhost:4173',
	'http://127.0.0.1:4173',
	'http://localhost:5173'
];
export const DATABASE_FILE = 'ferry-api.sqlite';

export function databasePath(dataDir: string): string {
	return join(dataDir, DATABASE_FILE);
}

/** A whole number within [min, max], or an error naming the setting. */
export function parseInteger(value: string, setting: string, min: number, max: number): number {
	const number = Number(value);
	if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
		throw new Error(`${setting} must be a whole number from ${min} to ${max}, not "${value}"`);
	}
	return number;
}
