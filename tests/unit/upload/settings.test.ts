import { describe, expect, it } from 'vitest';
import {
	DEFAULT_SETTINGS,
	destinationProblem,
	effectiveLimits,
	legacyToken,
	parseSettings,
	settingsText
} from '../../../src/lib/upload/settings';

const LIMITS = { rowsPerChunk: 1000, bytesPerChunk: 1_048_576, rowsPerSource: 1_000_000 };

describe('parseSettings', () => {
	it('defaults to the local reference API with the development token, link mode', () => {
		expect(parseSettings(null)).toEqual({
			url: 'http://localhost:8787/api/v1',
			token: 'dev-token',
			mode: 'link',
			upsert: false,
			rowsPerChunk: null,
			bytesPerChunk: null
		});
		expect(parseSettings('not json')).toEqual(DEFAULT_SETTINGS);
		expect(parseSettings('[1]')).toEqual(DEFAULT_SETTINGS);
	});

	it('keeps what is well-formed and replaces the rest by defaults', () => {
		expect(
			parseSettings(
				JSON.stringify({
					url: 'http://127.0.0.1:9000/api/v1',
					token: 's3cret',
					mode: 'create',
					upsert: true,
					rowsPerChunk: 50,
					bytesPerChunk: 2.5
				})
			)
		).toEqual({
			url: 'http://127.0.0.1:9000/api/v1',
			token: 's3cret',
			mode: 'create',
			upsert: true,
			rowsPerChunk: 50,
			bytesPerChunk: null
		});
		expect(parseSettings(JSON.stringify({ mode: 'merge', rowsPerChunk: -1, token: 7 }))).toEqual(
			DEFAULT_SETTINGS
		);
	});
});

describe('the stored text', () => {
	it('keeps every setting but the token, which it reads only from an earlier Ferry', () => {
		const settings = { ...DEFAULT_SETTINGS, url: 'http://127.0.0.1:9000/api/v1', token: 's3cret' };
		const text = settingsText(settings);
		expect(text).not.toContain('s3cret');
		expect(legacyToken(text)).toBeNull();
		expect(parseSettings(text)).toEqual({ ...settings, token: DEFAULT_SETTINGS.token });
		expect(legacyToken(JSON.stringify(settings))).toBe('s3cret');
		expect(legacyToken(null)).toBeNull();
		expect(legacyToken('not json')).toBeNull();
	});
});

describe('effectiveLimits', () => {
	it('uses the destination’s limits unless the admin set lower ones', () => {
		expect(effectiveLimits({ rowsPerChunk: null, bytesPerChunk: null }, LIMITS)).toEqual({
			rowsPerChunk: 1000,
			bytesPerChunk: 1_048_576
		});
		expect(effectiveLimits({ rowsPerChunk: 100, bytesPerChunk: 65_536 }, LIMITS)).toEqual({
			rowsPerChunk: 100,
			bytesPerChunk: 65_536
		});
	});

	it('never exceeds the destination’s limits, nor goes below what one row needs', () => {
		expect(effectiveLimits({ rowsPerChunk: 5000, bytesPerChunk: 1 << 30 }, LIMITS)).toEqual({
			rowsPerChunk: 1000,
			bytesPerChunk: 1_048_576
		});
		expect(effectiveLimits({ rowsPerChunk: 1, bytesPerChunk: 10 }, LIMITS).bytesPerChunk).toBe(
			1024
		);
	});
});

describe('destinationProblem', () => {
	const self = 'http://127.0.0.1:4173';
	it('accepts the local addresses the Content-Security-Policy allows, and the app’s origin', () => {
		for (const url of [
			'http://localhost:8787/api/v1',
			'http://127.0.0.1:41234/api/v1',
			'http://127.0.0.1:4173/api/v1'
		])
			expect(destinationProblem(url, self)).toBeNull();
	});

	it('explains what it refuses', () => {
		expect(destinationProblem('localhost:8787', self)).toMatch(/http:\/\/ or https:\/\//);
		expect(destinationProblem('api/v1', self)).toMatch(/not a URL/);
		expect(destinationProblem('https://import.example.org/api/v1', self)).toMatch(/connect-src/);
		expect(destinationProblem('https://localhost:8787/api/v1', self)).toMatch(/connect-src/);
		expect(destinationProblem('http://user:pw@localhost:8787/api/v1', self)).toMatch(/token/);
		expect(destinationProblem('http://localhost:8787/api/v1?token=x', self)).toMatch(/query/);
	});
});
