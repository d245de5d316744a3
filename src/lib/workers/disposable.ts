import * as Comlink from 'comlink';
import './errors';

/** What a client needs of a worker: an endpoint to talk to and a way to end it. */
export type DisposableEndpoint = Comlink.Endpoint & { terminate(): void };

export type SpawnWorker = () => DisposableEndpoint;

/**
 * Runs `work` against a freshly spawned worker and terminates the worker when `work` settles,
 * when the worker itself fails (its script did not load: rejects with `failure`), or when `signal`
 * aborts (rejects with the signal's reason). Nothing the worker held outlives the call.
 */
export async function withDisposableWorker<Api, T>(
	spawn: SpawnWorker,
	signal: AbortSignal | undefined,
	failure: string,
	work: (remote: Comlink.Remote<Api>) => Promise<T>
): Promise<T> {
	signal?.throwIfAborted();
	const worker = spawn();
	let stop = () => {};
	const interrupted = new Promise<never>((_, reject) => {
		const onAbort = () => reject(signal?.reason);
		const onError = (event: Event) => {
			event.preventDefault();
			reject(new Error(failure));
		};
		signal?.addEventListener('abort', onAbort, { once: true });
		worker.addEventListener('error', onError as EventListener);
		stop = () => {
			signal?.removeEventListener('abort', onAbort);
			worker.removeEventListener('error', onError as EventListener);
		};
	});
	try {
		return await Promise.race([work(Comlink.wrap<Api>(worker)), interrupted]);
	} finally {
		stop();
		worker.terminate();
	}
}
