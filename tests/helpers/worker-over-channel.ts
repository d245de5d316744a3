import * as Comlink from 'comlink';
import { afterAll, beforeAll } from 'vitest';

/**
 * A worker module run in this process, its global scope played by one end of a MessageChannel:
 * the same Comlink messages the browser's worker receives, without a browser. Registers the
 * suite's set-up and tear-down; call the returned function inside tests for the remote.
 */
export function workerOverChannel<Api>(load: () => Promise<unknown>): () => Comlink.Remote<Api> {
	const channel = new MessageChannel();
	const global = globalThis as Record<string, unknown>;
	const saved = {
		addEventListener: global.addEventListener,
		removeEventListener: global.removeEventListener,
		postMessage: global.postMessage
	};
	let remote: Comlink.Remote<Api> | undefined;

	beforeAll(async () => {
		const scope = channel.port2;
		Object.assign(globalThis, {
			addEventListener: scope.addEventListener.bind(scope),
			removeEventListener: scope.removeEventListener.bind(scope),
			postMessage: scope.postMessage.bind(scope)
		});
		await load();
		scope.start();
		remote = Comlink.wrap<Api>(channel.port1 as unknown as Comlink.Endpoint);
	});

	afterAll(() => {
		Object.assign(globalThis, saved);
		channel.port1.close();
		channel.port2.close();
	});

	return () => {
		if (!remote) throw new Error('the worker is not loaded yet: call this inside a test');
		return remote;
	};
}
