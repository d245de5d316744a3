/** Files built from text, handed out in pieces of bounded size as they grow. */
import type { ConvertPiece } from './types';

const encoder = new TextEncoder();

/** Bytes of text in UTF-8. */
export function utf8Bytes(text: string): number {
	return encoder.encode(text).length;
}

/** Pieces are handed out once this many bytes are pending: small enough to stream, few enough to be cheap. */
const FLUSH_BYTES = 64 * 1024;

export class OutputFile {
	rows = 0;
	/** Bytes of the file so far, pending ones included. */
	size = 0;
	#pending: Uint8Array[] = [];
	#pendingBytes = 0;

	constructor(readonly name: string) {}

	/** Adds text (counted as `rows` rows); a data piece when enough is pending to hand out. */
	write(text: string, rows = 0): ConvertPiece | null {
		const bytes = encoder.encode(text);
		this.rows += rows;
		this.size += bytes.length;
		this.#pending.push(bytes);
		this.#pendingBytes += bytes.length;
		return this.#pendingBytes >= FLUSH_BYTES ? this.#flush() : null;
	}

	#flush(): ConvertPiece | null {
		if (this.#pending.length === 0) return null;
		const chunk = new Uint8Array(this.#pendingBytes);
		let offset = 0;
		for (const part of this.#pending) {
			chunk.set(part, offset);
			offset += part.length;
		}
		this.#pending = [];
		this.#pendingBytes = 0;
		return { kind: 'data', name: this.name, chunk };
	}

	/** The rest of the file and the piece that says it is complete. */
	close(): ConvertPiece[] {
		const rest = this.#flush();
		const done: ConvertPiece = { kind: 'file', name: this.name, rows: this.rows, bytes: this.size };
		return rest ? [rest, done] : [done];
	}
}

/** `users.json`, `users-2.json`, …: the n-th file (1-based) of a split output. */
export function numberedName(stem: string, extension: string, n: number): string {
	return n === 1 ? `${stem}.${extension}` : `${stem}-${n}.${extension}`;
}
