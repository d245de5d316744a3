/**
 * OutboxStore in memory, for Node (the CLI) and tests. It copies bodies in and hands out its own
 * copies, as a database would, so a caller cannot change a stored chunk by mutating an array.
 */
import {
	OutboxError,
	type AckedChunk,
	type NewOutboxChunk,
	type OutboxChunk,
	type OutboxStore,
	type UploadRowResult
} from './outbox';

interface StoredChunk extends OutboxChunk {
	results: UploadRowResult[] | null;
}

interface StoredSource {
	chunks: Map<number, StoredChunk>;
	sealed: boolean;
}

export class MemoryOutbox implements OutboxStore {
	readonly #sources = new Map<string, StoredSource>();

	#source(sourceId: string): StoredSource {
		let source = this.#sources.get(sourceId);
		if (!source) {
			source = { chunks: new Map(), sealed: false };
			this.#sources.set(sourceId, source);
		}
		return source;
	}

	#chunk(sourceId: string, seq: number): StoredChunk {
		const chunk = this.#sources.get(sourceId)?.chunks.get(seq);
		if (!chunk) throw new OutboxError(`No chunk ${seq} for source ${sourceId} in the outbox.`);
		return chunk;
	}

	#sorted(sourceId: string): StoredChunk[] {
		const chunks = [...(this.#sources.get(sourceId)?.chunks.values() ?? [])];
		return chunks.sort((a, b) => a.seq - b.seq);
	}

	async add(sourceId: string, chunks: readonly NewOutboxChunk[]): Promise<void> {
		const source = this.#source(sourceId);
		const added = chunks.filter((chunk) => {
			const stored = source.chunks.get(chunk.seq);
			if (!stored) return true;
			if (stored.key === chunk.key) return false;
			throw new OutboxError(
				`Chunk ${chunk.seq} of source ${sourceId} is stored with other rows: it cannot be replaced.`
			);
		});
		if (added.length > 0 && source.sealed)
			throw new OutboxError(`Source ${sourceId} is sealed: no chunk can be added.`);
		for (const chunk of added)
			source.chunks.set(chunk.seq, {
				seq: chunk.seq,
				rows: [...chunk.rows],
				key: chunk.key,
				body: chunk.body.slice(),
				sends: 0,
				results: null
			});
	}

	async seal(sourceId: string, chunkCount: number): Promise<void> {
		const source = this.#source(sourceId);
		if (source.chunks.size !== chunkCount) {
			throw new OutboxError(
				`Source ${sourceId} has ${source.chunks.size} chunks stored, not ${chunkCount}.`
			);
		}
		source.sealed = true;
	}

	async isSealed(sourceId: string): Promise<boolean> {
		return this.#sources.get(sourceId)?.sealed ?? false;
	}

	async pending(sourceId: string): Promise<OutboxChunk[]> {
		return this.#sorted(sourceId)
			.filter((chunk) => chunk.results === null)
			.map(({ seq, rows, key, body, sends }) => ({
				seq,
				rows: [...rows],
				key,
				body: body.slice(),
				sends
			}));
	}

	async acked(sourceId: string): Promise<AckedChunk[]> {
		return this.#sorted(sourceId).flatMap(({ seq, rows, results }) =>
			results === null ? [] : [{ seq, rows: [...rows], results: results.map((r) => ({ ...r })) }]
		);
	}

	async markSent(sourceId: string, seq: number): Promise<void> {
		this.#chunk(sourceId, seq).sends++;
	}

	async ack(sourceId: string, seq: number, results: UploadRowResult[]): Promise<void> {
		const chunk = this.#chunk(sourceId, seq);
		chunk.results ??= results.map((result) => ({ ...result }));
	}
}
