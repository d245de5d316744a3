import type { ClientInit } from '@sveltejs/kit';
import { purgeStaleDrafts } from '$lib/storage/sources';

/** On app start: drafts dropped and left untouched for a day are tidied away (not awaited). */
export const init: ClientInit = () => {
	purgeStaleDrafts(Date.now()).catch((error: unknown) =>
		console.warn('Stale drafts were not tidied away:', error)
	);
};
