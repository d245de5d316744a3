import type { ImportApiClient } from './client';
import { withRetry, type RetryOptions } from './retry';

export type SourceRequest = Parameters<ImportApiClient['createSource']>[0];

/**
 * The destination's id for a new source. POST /sources is not idempotent, so an open source with
 * the same file that has received nothing (an earlier attempt whose answer was lost) is reused.
 */
export async function openRemoteSource(
	client: ImportApiClient,
	request: SourceRequest,
	retry: RetryOptions
): Promise<string> {
	const existing = await withRetry((signal) => client.sources({ signal }), retry);
	const reusable = existing.find(
		(view) =>
			view.status === 'open' &&
			view.rows === 0 &&
			view.name === request.name &&
			view.mode === request.mode &&
			view.expectedRows === request.rows &&
			view.dryRun === (request.dry_run ?? false) &&
			view.file.sha256 === request.file.sha256
	);
	const view =
		reusable ?? (await withRetry((signal) => client.createSource(request, { signal }), retry));
	return view.id;
}
