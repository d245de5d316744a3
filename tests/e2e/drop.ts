import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** Drops a file on the import page with a real drop event, as when dragged from the desktop. */
export async function dropFile(page: Page, path: string, type = 'text/csv'): Promise<void> {
	const bytes = [...readFileSync(path)];
	await page.evaluate(
		({ bytes, name, type }) => {
			const file = new File([new Uint8Array(bytes)], name, { type });
			const data = new DataTransfer();
			data.items.add(file);
			const zone = document.querySelector('[data-testid="dropzone"]')!;
			zone.dispatchEvent(
				new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true })
			);
			zone.dispatchEvent(
				new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true })
			);
		},
		{ bytes, name: basename(path), type }
	);
}
