import type Sodium from 'libsodium-wrappers-sumo';

let loading: Promise<typeof Sodium> | undefined;

/**
 * libsodium, loaded and ready on first use: its sumo build is a megabyte of JavaScript and
 * WebAssembly that most runs never need (the CLI's validate, convert and export), and loading it
 * took about 15 ms of every CLI start.
 */
export function loadSodium(): Promise<typeof Sodium> {
	return (loading ??= import('libsodium-wrappers-sumo').then(async ({ default: sodium }) => {
		await sodium.ready;
		return sodium;
	}));
}
