import Dexie, {
	type DBCore,
	type DexieOptions,
	type Middleware,
	type Table,
	type Transaction
} from 'dexie';
import {
	SCHEMA_V1,
	SCHEMA_V2,
	SCHEMA_V3,
	SCHEMA_V4,
	SCHEMA_V5,
	type EditStepRecord,
	type ExportRecord,
	type FileRecord,
	type KeyRecord,
	type OutboxChunkRecord,
	type PreviewRecord,
	type ProfileRecord,
	type ReportRecord,
	type ResultRecord,
	type SecretRecord,
	type SourceRecord,
	type TableName
} from './schema';

export const DATABASE_NAME = 'ferry';

/** What another tab did to this tab's connection; `message` is written for the admin. */
export type ConnectionNotice =
	/** Another tab opened a newer schema: this connection was closed and stays closed. */
	| { kind: 'upgraded-elsewhere'; message: string }
	/** Another tab deleted all local data: this connection was closed and stays closed. */
	| { kind: 'deleted-elsewhere'; message: string }
	/** This tab's upgrade or deletion waits for another tab that keeps an old connection open. */
	| { kind: 'blocked'; message: string };

const NOTICE_MESSAGES = {
	'upgraded-elsewhere': 'Ferry was updated in another tab. Reload this tab to continue.',
	'deleted-elsewhere':
		'Ferry’s local data was deleted in another tab. Reload this tab to continue.',
	blocked:
		'Another Ferry tab keeps the local database open. Close or reload the other Ferry tabs to continue.'
} as const;

/** Tables whose writes must survive a power cut once committed: what was sent, and the answers. */
const STRICT_TABLES: ReadonlySet<string> = new Set<TableName>(['outbox', 'results']);

/**
 * Dexie 4 sets IndexedDB durability for a whole database (`chromeTransactionDurability`), not per
 * transaction; this middleware asks for 'strict' on read-write transactions that touch the outbox
 * or the results, and leaves the rest (large file writes included) at the browser's default.
 */
const strictOutboxDurability: Middleware<DBCore> = {
	stack: 'dbcore',
	name: 'ferry-strict-outbox-durability',
	create: (down) => ({
		...down,
		transaction(stores, mode, options) {
			const strict = mode === 'readwrite' && stores.some((store) => STRICT_TABLES.has(store));
			return down.transaction(
				stores,
				mode,
				strict ? { ...options, durability: 'strict' } : options
			);
		}
	})
};

/** A file as version 1 stored it: with a UTF-8 working copy, which the app always left null. */
type FileRecordV1 = FileRecord & { working?: Blob | null };

/**
 * Version 2. Dexie deletes the verdicts table once this has run. A file that still holds a working
 * copy loses it and its source no longer counts its bytes; only such records are rewritten, so no
 * other file's bytes are copied again.
 */
export async function upgradeToV2(tx: Transaction): Promise<void> {
	const freed = new Map<string, number>();
	await tx
		.table<FileRecordV1, string>('files')
		.filter((file) => file.working != null)
		.modify((file) => {
			freed.set(file.sourceId, file.working!.size);
			delete file.working;
		});
	const sources = tx.table<SourceRecord, string>('sources');
	for (const [id, bytes] of freed) {
		await sources
			.where('id')
			.equals(id)
			.modify((source) => {
				source.fileBytes -= bytes;
			});
	}
}

/**
 * Version 3 adds the edits table, which starts empty: sources stored before it have no edits, so
 * no record of an earlier version changes.
 */
export async function upgradeToV3(): Promise<void> {}

/** Version 4 adds the export log, which starts empty: no record of an earlier version changes. */
export async function upgradeToV4(): Promise<void> {}

/**
 * Version 5 adds the device key and the encrypted secrets, which start empty. The token that
 * localStorage still holds is moved by the settings on their first load (secrets.ts,
 * loadDestinationToken), not here: encrypting awaits WebCrypto, which would let this upgrade's
 * transaction commit half done.
 */
export async function upgradeToV5(): Promise<void> {}

/** Ferry's IndexedDB database: one class, one instance per tab (getDatabase). */
export class FerryDatabase extends Dexie {
	declare sources: Table<SourceRecord, string>;
	declare files: Table<FileRecord, string>;
	declare previews: Table<PreviewRecord, string>;
	declare profiles: Table<ProfileRecord, string>;
	declare results: Table<ResultRecord, [string, number]>;
	declare reports: Table<ReportRecord, string>;
	declare outbox: Table<OutboxChunkRecord, [string, number]>;
	declare edits: Table<EditStepRecord, [string, number]>;
	declare exports: Table<ExportRecord, string>;
	declare keys: Table<KeyRecord, string>;
	declare secrets: Table<SecretRecord, string>;

	// A TypeScript-private field, not `#`: Dexie hands out a Proxy of the instance (db.vip), and
	// `#` fields are unreachable through a Proxy.
	private readonly listeners = new Set<(notice: ConnectionNotice) => void>();

	constructor(name: string = DATABASE_NAME, options?: DexieOptions) {
		super(name, options);
		this.version(1).stores(SCHEMA_V1);
		this.version(2).stores(SCHEMA_V2).upgrade(upgradeToV2);
		this.version(3).stores(SCHEMA_V3).upgrade(upgradeToV3);
		this.version(4).stores(SCHEMA_V4).upgrade(upgradeToV4);
		this.version(5).stores(SCHEMA_V5).upgrade(upgradeToV5);
		// The next schema goes here: this.version(6).stores(SCHEMA_V6).upgrade(upgradeToV6);
		this.use(strictOutboxDurability);

		// Subscribed after Dexie's own handler, so it runs first; `false` stops Dexie's handler, which
		// would close with auto-reopen and let this tab's old code write into the new schema.
		this.on('versionchange', (event: IDBVersionChangeEvent) => {
			this.close({ disableAutoOpen: true });
			this.notify(event.newVersion ? 'upgraded-elsewhere' : 'deleted-elsewhere');
			return false;
		});
		this.on('blocked', () => {
			this.notify('blocked');
			return false;
		});
	}

	/** Calls `listener` for each connection notice; returns the unsubscribe function. */
	onConnectionNotice(listener: (notice: ConnectionNotice) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private notify(kind: ConnectionNotice['kind']): void {
		const notice = { kind, message: NOTICE_MESSAGES[kind] };
		for (const listener of this.listeners) listener(notice);
	}
}

let database: FerryDatabase | null = null;

/** The tab's database, created on first use so importing this module has no side effect (SSR). */
export function getDatabase(): FerryDatabase {
	database ??= new FerryDatabase();
	return database;
}

/**
 * Deletes every source, file, report, profile and outbox chunk on this device, then reopens empty
 * but for the secrets: the destination settings stay as configured (the sources page says so), so
 * the encrypted token and the device key it needs are written back as they were.
 */
export async function deleteAllLocalData(): Promise<void> {
	const db = getDatabase();
	const [keys, secrets] = await Promise.all([db.keys.toArray(), db.secrets.toArray()]);
	await db.delete({ disableAutoOpen: false });
	await db.open();
	if (keys.length === 0 && secrets.length === 0) return;
	await db.transaction('rw', db.keys, db.secrets, async () => {
		await db.keys.bulkPut(keys);
		await db.secrets.bulkPut(secrets);
	});
}
