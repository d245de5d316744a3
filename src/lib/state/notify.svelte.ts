import { storage } from './settings.svelte';

/**
 * Stored in localStorage under this key: '1' when the admin asked to be told when long jobs end.
 * Browser permission alone is not enough: it may have been granted for another reason.
 */
export const NOTIFY_KEY = 'ferry.notify';
/** Shorter jobs end while the admin still watches: no notification. */
export const LONG_JOB_MS = 10_000;

type Permission = NotificationPermission | 'unsupported';

function permissionNow(): Permission {
	return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** "Ferry: users.csv checked" / "9,970 valid, 30 invalid". */
export function validationMessage(
	fileName: string,
	counts: { valid: number; invalid: number }
): { title: string; body: string } {
	return {
		title: `Ferry: ${fileName} checked`,
		body: `${counts.valid.toLocaleString()} valid, ${counts.invalid.toLocaleString()} invalid`
	};
}

/** "Ferry: upload complete" / "4 imported, 2 not found" (the run's counts, as its status says them). */
export function uploadMessage(counts: string[]): { title: string; body: string } {
	return { title: 'Ferry: upload complete', body: counts.join(', ') || 'Nothing was sent.' };
}

/**
 * Ferry's counterpart of "we email you when it's done": a system notification when a long
 * validation or upload ends while the tab is in the background. Permission is asked for only when
 * the admin turns this on (a click), never on page load.
 */
class Notifier {
	/** The admin turned it on (stored). */
	wanted = $state(false);
	permission = $state<Permission>('unsupported');

	/** On and allowed by the browser. */
	get enabled(): boolean {
		return this.wanted && this.permission === 'granted';
	}

	constructor() {
		this.wanted = storage()?.getItem(NOTIFY_KEY) === '1';
		this.permission = permissionNow();
	}

	/** Turns notifications on (asking the browser the first time) or off; meant for a click. */
	async set(wanted: boolean): Promise<void> {
		this.permission = permissionNow();
		if (wanted && this.permission === 'default')
			this.permission = await Notification.requestPermission();
		this.wanted = wanted && this.permission === 'granted';
		try {
			storage()?.setItem(NOTIFY_KEY, this.wanted ? '1' : '0');
		} catch {
			// Not stored: it stays on for this page's life.
		}
	}

	/** A job of `elapsedMs` ended: tells the admin if it was long and they are looking elsewhere. */
	jobEnded(elapsedMs: number, message: { title: string; body: string }): void {
		this.permission = permissionNow();
		if (!this.enabled || elapsedMs < LONG_JOB_MS || document.visibilityState !== 'hidden') return;
		new Notification(message.title, { body: message.body, tag: 'ferry-job' });
	}
}

export const notifier = new Notifier();
