// Upload throughput (not a test): 100,000 valid rows, read and validated by the app's own
// ImportSession, normalised, packed into gzip chunks by the uploader core and sent by its Uploader
// to a reference import API that this script starts (its own process and temporary database).
// Prints rows per second and bytes per row: the gzip bodies sent against the raw CSV.
// Run: npm run bench:upload [-- rows [rowsPerChunk]]
import { REFERENCE_PROFILE } from '../src/lib/core/profiles/catalogue';
import { ImportSession, type ValidRow } from '../src/lib/pipeline/session';
import { buildChunks, type BuiltChunk } from '../src/lib/upload/chunks';
import { ImportApiClient } from '../src/lib/upload/client';
import { MemoryOutbox } from '../src/lib/upload/memory-outbox';
import { Uploader } from '../src/lib/upload/uploader';
import { startReferenceApi } from '../tests/support/reference-api';
import { legacyExportCsv } from './lib/legacy-export';

const ROWS = Number(process.argv[2] ?? 100_000);
const ROWS_PER_CHUNK = Number(process.argv[3] ?? 1000);
const TOKEN = 'bench-token';

const perRow = (bytes: number) => (bytes / ROWS).toFixed(1);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

async function main(): Promise<void> {
	const api = await startReferenceApi({ token: TOKEN });
	try {
		const csv = legacyExportCsv(ROWS, { quoted: false });
		const csvBytes = Buffer.byteLength(csv);
		const session = await ImportSession.open(new Blob([csv]), 'bench.csv', {
			profile: REFERENCE_PROFILE
		});
		const mapping = session.preview.proposals.map((proposal) => proposal.field);
		const summary = await session.scan({
			mapping,
			profile: REFERENCE_PROFILE,
			options: { dateOrder: 'dmy', defaultRegion: 'US', now: Date.now() }
		});
		if (summary.valid !== ROWS) throw new Error(`${summary.valid} of ${ROWS} rows are valid`);

		const client = new ImportApiClient({ baseUrl: api.url, token: TOKEN });
		const schema = await client.schema();
		const limits = {
			rowsPerChunk: Math.min(ROWS_PER_CHUNK, schema.limits.rowsPerChunk),
			bytesPerChunk: schema.limits.bytesPerChunk
		};

		// The rows as the app reads them from its parse worker: pages of normalised records.
		async function* validRows(): AsyncGenerator<ValidRow> {
			let cursor: number | null = 0;
			while (cursor !== null) {
				const page = await session.validRows(cursor, 2000);
				yield* page.rows;
				cursor = page.next;
			}
		}

		const started = performance.now();
		const chunks: BuiltChunk[] = [];
		let jsonBytes = 0;
		let gzipBytes = 0;
		for await (const chunk of buildChunks(validRows(), limits)) {
			chunks.push(chunk);
			jsonBytes += Buffer.byteLength(chunk.text);
			gzipBytes += chunk.body.byteLength;
		}
		const built = performance.now();

		const remote = await client.createSource({
			name: 'bench.csv',
			mode: 'create',
			file: { name: 'bench.csv', size: csvBytes, sha256: '0'.repeat(64) },
			rows: ROWS
		});
		const outbox = new MemoryOutbox();
		const uploader = new Uploader({
			client: {
				putChunk: (_id, seq, key, body, options) =>
					client.putChunk(remote.id, seq, key, body, options),
				complete: (_id, options) => client.complete(remote.id, options)
			},
			outbox,
			sourceId: 'bench',
			chunks
		});
		const sendStarted = performance.now();
		const result = await uploader.run();
		const finished = performance.now();

		const view = await client.get(remote.id);
		if (view.rows !== ROWS || result.progress.acceptedRows !== ROWS)
			throw new Error(`the API has ${view.rows} rows, ${result.progress.acceptedRows} accepted`);
		const fields = (await client.received(remote.id)).fields;

		const seconds = (ms: number) => (ms / 1000).toFixed(2);
		console.log(`Ferry upload bench: ${ROWS.toLocaleString('en-US')} valid rows`);
		console.log(`  chunks          ${chunks.length} × ≤ ${limits.rowsPerChunk} rows, 2 in flight`);
		console.log(`  fields sent     ${fields.join(', ')} (notes not mapped: not sent)`);
		console.log(
			`  build           ${seconds(built - started)} s  (read pages, normalise, JSON, SHA-256, gzip)`
		);
		console.log(
			`  send            ${seconds(finished - sendStarted)} s  (PUT chunks, server applies, complete)`
		);
		console.log(
			`  rows/s          ${Math.round(ROWS / ((finished - sendStarted) / 1000)).toLocaleString('en-US')} sending, ` +
				`${Math.round(ROWS / ((finished - started) / 1000)).toLocaleString('en-US')} build + send`
		);
		console.log(`  raw CSV         ${mb(csvBytes)}  ${perRow(csvBytes)} bytes/row (all columns)`);
		console.log(
			`  JSON bodies     ${mb(jsonBytes)}  ${perRow(jsonBytes)} bytes/row (uncompressed)`
		);
		console.log(
			`  gzip bodies     ${mb(gzipBytes)}  ${perRow(gzipBytes)} bytes/row sent ` +
				`(${((gzipBytes / csvBytes) * 100).toFixed(0)}% of the raw CSV)`
		);
	} finally {
		await api.stop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
