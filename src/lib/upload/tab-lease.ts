/**
 * One sender per source across the browser's tabs: the tab holding the source's Web Lock sends,
 * the others wait in line to take over, and they talk over a BroadcastChannel (controls to the
 * sender, its connection state to the rest).
 */
import type { ConnectionState } from './uploader';

/** Messages between the tabs showing one source. */
export type TabMessage =
	| { id: string; type: 'pause' | 'resume' | 'cancel' }
	| { id: string; type: 'connection'; connection: ConnectionState };

const CHANNEL = 'ferry-upload';

function lockName(sourceId: string): string {
	return `ferry-upload-${sourceId}`;
}

/** The upload channel of this tab (silent where the browser has no BroadcastChannel). */
export class TabChannel {
	readonly #channel: BroadcastChannel | null;

	constructor(onMessage: (message: TabMessage) => void) {
		this.#channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);
		if (this.#channel)
			this.#channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data);
	}

	post(message: TabMessage): void {
		this.#channel?.postMessage(message);
	}
}

export interface LeaseHandlers {
	/** Another tab holds the lock: this tab now waits in line for it. */
	onWaiting(): void;
	/** Runs while this tab holds the lock; the lock is released when it settles. */
	run(): Promise<void>;
}

/**
 * Runs `run` under the source's Web Lock: at once when no tab holds it, else after `onWaiting`,
 * when the holder finishes or closes. Aborting `signal` leaves the line. Without Web Locks (an
 * old browser or a test), runs at once.
 */
export async function withTabLease(
	sourceId: string,
	signal: AbortSignal,
	{ onWaiting, run }: LeaseHandlers
): Promise<void> {
	const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
	if (!locks) return run();
	const ran = await locks.request(lockName(sourceId), { ifAvailable: true }, async (lock) => {
		if (!lock) return false;
		await run();
		return true;
	});
	if (ran || signal.aborted) return;
	onWaiting();
	await locks.request(lockName(sourceId), { signal }, run);
}
