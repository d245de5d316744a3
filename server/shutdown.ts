/**
 * Stopping on SIGTERM or SIGINT: the server stops accepting connections, requests under way get
 * `drainTimeoutMs` to finish, then the sockets still open (a slow upload, say) are cut and the
 * process exits. A second signal exits at once.
 */
import type { FastifyInstance } from 'fastify';

/** After the sockets are cut, closing the database and the server should take no time at all. */
const CLOSE_GRACE_MS = 2_000;

export function closeOnSignals(app: FastifyInstance, drainTimeoutMs: number): void {
	let closing = false;
	const onSignal = (signal: NodeJS.Signals) => {
		if (closing) {
			app.log.warn({ signal }, 'second signal: exiting at once');
			process.exit(1);
		}
		closing = true;
		app.log.info({ signal, drainTimeoutMs }, 'shutting down');
		const cut = setTimeout(() => {
			app.log.warn('requests still open after the drain time: closing their connections');
			app.server.closeAllConnections();
			setTimeout(() => process.exit(1), CLOSE_GRACE_MS).unref();
		}, drainTimeoutMs);
		cut.unref();
		app.close().then(
			() => process.exit(0),
			() => process.exit(1)
		);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
}
