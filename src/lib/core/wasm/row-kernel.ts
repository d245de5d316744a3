/**
 * The JavaScript side of the row kernel (wasm/assembly/rows.ts): checks the mapped cells of the
 * records the CSV indexer found directly on their UTF-8 bytes, with the verdicts of the
 * JavaScript rules (core/validate), values trimmed exactly as String.prototype.trim trims them.
 * Cells the bytes cannot decide exactly are left to those rules (`jsCells`: escaped quotes,
 * characters beyond ASCII in email, boolean, date and UUID values and in email keys, phone
 * numbers, locales), as are duplicates (from `keys`) and slash-date orders and date warnings (from
 * the dates).
 */
import { bitOf } from '../validate/codes';
import { PAGE_SIZE, align, instantiateModule, reserveMemory, type ModuleExports } from './instance';
import { CheckFlag, CheckKey, CheckType, LayoutHash, RowCheck, RowConfig } from './layout';

export type KernelCheckType = 'text' | 'email' | 'boolean' | 'phone' | 'id' | 'date';

export interface KernelCheck {
	/** 0-based column of the record. */
	column: number;
	/** fieldByName(field).type; 'text' = any type with no value rule. */
	type: KernelCheckType;
	/** value_too_long when the trimmed value has more code points than this. */
	maxLength: number;
	/** missing_required when the trimmed value is empty. */
	required: boolean;
	/** invalid_uuid when the trimmed value is not a UUID (user_id when the schema requires UUIDs). */
	uuid: boolean;
	/** Left to JavaScript whatever the bytes (language tags, structured values, credentials). */
	inJs: boolean;
	/** Duplicate key: user_id = the trimmed bytes; email = the trimmed bytes lower-cased (ASCII). */
	key: 'none' | 'user_id' | 'email';
	/** Index among the date checks (type 'date'), else -1. */
	dateSlot: number;
}

export interface KernelConfig {
	/** Header width: fields past it are the extras of a ragged row. */
	columns: number;
	/** At most MAX_KERNEL_CHECKS. */
	checks: KernelCheck[];
}

export interface KernelRegion {
	/** Valid UTF-8 bytes of whole records (as validUtf8 accepts them). */
	bytes: Uint8Array;
	/** Absolute offset of bytes[0]; the offsets below are absolute, as CsvIndex gives them. */
	base: number;
	/** Records. */
	count: number;
	/** CsvIndex's arrays: fieldEnds is indexed by the values of fieldIndex (count + 1 of them). */
	recordStarts: Float64Array;
	fieldIndex: Uint32Array;
	fieldEnds: Float64Array;
	/** CsvIndex.textEnd: the absolute end of the text when the region reaches it, else -1. */
	textEnd: number;
}

/**
 * The kernel's verdicts, per record. The arrays are views of the kernel's memory: valid until the
 * next call of check, place, validUtf8 or configure (copy what must outlive it).
 */
export interface KernelOutput {
	count: number;
	/** The region's bytes, as the kernel read them. */
	bytes: Uint8Array;
	/**
	 * Issue bits (bitOf) decided on bytes: missing_required, invalid_email, invalid_date (exact
	 * dates only), invalid_boolean, invalid_uuid, ragged_row, value_too_long, invalid_characters.
	 */
	masks: Uint32Array;
	/** Bit i: check i must be evaluated by JavaScript (the kernel set no bit, key or date for it). */
	jsCells: Uint32Array;
	/** 6 per record: user_id h1, h2, byte length, email h1, h2, byte length; length 0 = no key. */
	keys: Uint32Array;
	/** Per record and date slot (record * slots + slot): a DateKind (layout.ts). */
	dateKinds: Uint8Array;
	/** Exact: epoch ms or NaN (invalid). Slash: the dmy instant or NaN. */
	dateA: Float64Array;
	/** Slash: the mdy instant or NaN. */
	dateB: Float64Array;
}

export interface RowKernel {
	readonly simd: boolean;
	configure(config: KernelConfig): void;
	/**
	 * Checks every record of the region (one call into WebAssembly). The range scan places its
	 * bytes itself (place, placedUtf8, checkPlaced) so that they are copied once.
	 */
	check(region: KernelRegion): KernelOutput;
	/**
	 * Copies the first `length` bytes of `pieces`, one after another, to where the kernel reads a
	 * region: the next checkPlaced and placedUtf8 read them there, without a joined copy first.
	 */
	place(pieces: readonly Uint8Array[], length: number): void;
	/** check() of the bytes place() copied (`length` of them) instead of region.bytes. */
	checkPlaced(region: Omit<KernelRegion, 'bytes'>, length: number): KernelOutput;
	/** validUtf8() of bytes [from, to) of what place() copied; the failing bytes, or null. */
	placedUtf8(from: number, to: number): Uint8Array | null;
	/** Whether bytes are strict UTF-8 exactly as `new TextDecoder('utf-8', { fatal: true })` accepts them. */
	validUtf8(bytes: Uint8Array): boolean;
}

export const MAX_KERNEL_CHECKS = 30;
export const KEY_STRIDE = 6;

interface RowKernelExports extends ModuleExports {
	validUtf8(bytes: number, length: number): number;
	check(
		config: number,
		count: number,
		base: number,
		textEnd: number,
		bytes: number,
		starts: number,
		index: number,
		ends: number,
		masks: number,
		jsCells: number,
		keys: number,
		kinds: number,
		datesA: number,
		datesB: number
	): void;
}

const CONFIG_SIZE = RowConfig.SIZE + MAX_KERNEL_CHECKS * RowCheck.SIZE;

const TYPE_CODES: Record<KernelCheckType, number> = {
	text: CheckType.TEXT,
	email: CheckType.EMAIL,
	boolean: CheckType.BOOLEAN,
	phone: CheckType.PHONE,
	id: CheckType.ID,
	date: CheckType.DATE
};
const KEY_CODES: Record<KernelCheck['key'], number> = {
	none: CheckKey.NONE,
	user_id: CheckKey.USER_ID,
	email: CheckKey.EMAIL
};

/** Records per call into WebAssembly. */
const CALL_RECORDS = 4096;
/** Bytes after the region's: the SIMD scans read whole 16-byte vectors. */
const PADDING = 64;
/** Offsets inside the region are i32 in the kernel. */
const MAX_REGION = 2 ** 31 - PAGE_SIZE;

/** Compiles (when given bytes) and instantiates the kernel, one instance per worker. */
export async function instantiateRowKernel(
	module: WebAssembly.Module | Uint8Array
): Promise<RowKernel> {
	const wasm = await instantiateModule<RowKernelExports>(module, LayoutHash.ROWS, 'row kernel');

	// Layout: the configuration block, then per call the region and its arrays.
	const configPtr = align(wasm.heapBase(), 16);
	const regionPtr = configPtr + CONFIG_SIZE;
	let slots = 0;
	let configured = false;

	reserveMemory(wasm, regionPtr + PADDING);

	function configure(config: KernelConfig): void {
		const { checks, columns } = config;
		if (checks.length > MAX_KERNEL_CHECKS) {
			throw new RangeError(`The row kernel takes at most ${MAX_KERNEL_CHECKS} checks.`);
		}
		if (!Number.isInteger(columns) || columns < 0) throw new RangeError(`Bad columns ${columns}.`);
		const view = new DataView(reserveMemory(wasm, regionPtr + PADDING), configPtr, CONFIG_SIZE);
		slots = 0;
		checks.forEach((check, i) => {
			if (!Number.isInteger(check.column) || check.column < 0) {
				throw new RangeError(`Bad column ${check.column}.`);
			}
			const dated = check.type === 'date';
			const slotValid = Number.isInteger(check.dateSlot) && check.dateSlot < MAX_KERNEL_CHECKS;
			if (dated !== check.dateSlot >= 0 || (dated && !slotValid)) {
				throw new RangeError(`Check ${i}: date checks, and only they, take a slot below 30.`);
			}
			slots = Math.max(slots, check.dateSlot + 1);
			const at = RowConfig.SIZE + i * RowCheck.SIZE;
			const flags =
				(check.required ? CheckFlag.REQUIRED : 0) |
				(check.uuid ? CheckFlag.UUID : 0) |
				(check.inJs ? CheckFlag.JS : 0);
			view.setInt32(at + RowCheck.COLUMN, check.column, true);
			view.setUint32(at + RowCheck.TYPE, TYPE_CODES[check.type], true);
			view.setUint32(at + RowCheck.FLAGS, flags, true);
			view.setUint32(at + RowCheck.KEY, KEY_CODES[check.key], true);
			view.setInt32(at + RowCheck.DATE_SLOT, check.dateSlot, true);
			view.setFloat64(at + RowCheck.MAX_LENGTH, check.maxLength, true);
		});
		view.setInt32(RowConfig.CHECKS, checks.length, true);
		view.setInt32(RowConfig.COLUMNS, columns, true);
		view.setInt32(RowConfig.SLOTS, slots, true);
		view.setUint32(RowConfig.BIT_MISSING, bitOf('missing_required'), true);
		view.setUint32(RowConfig.BIT_EMAIL, bitOf('invalid_email'), true);
		view.setUint32(RowConfig.BIT_DATE, bitOf('invalid_date'), true);
		view.setUint32(RowConfig.BIT_BOOLEAN, bitOf('invalid_boolean'), true);
		view.setUint32(RowConfig.BIT_UUID, bitOf('invalid_uuid'), true);
		view.setUint32(RowConfig.BIT_RAGGED, bitOf('ragged_row'), true);
		view.setUint32(RowConfig.BIT_TOO_LONG, bitOf('value_too_long'), true);
		view.setUint32(RowConfig.BIT_CONTROL, bitOf('invalid_characters'), true);
		configured = true;
	}

	function check(region: KernelRegion): KernelOutput {
		place([region.bytes], region.bytes.length);
		return checkPlaced(region, region.bytes.length);
	}

	function place(pieces: readonly Uint8Array[], length: number): void {
		if (length > MAX_REGION) throw new RangeError('A kernel region holds at most 2 GiB.');
		const region = new Uint8Array(reserveMemory(wasm, regionPtr + length + PADDING), regionPtr);
		let at = 0;
		for (const piece of pieces) {
			if (at === length) break;
			const part = piece.length <= length - at ? piece : piece.subarray(0, length - at);
			region.set(part, at);
			at += part.length;
		}
	}

	function placedUtf8(from: number, to: number): Uint8Array | null {
		if (wasm.validUtf8(regionPtr + from, to - from) !== 0) return null;
		return new Uint8Array(wasm.memory.buffer, regionPtr + from, to - from);
	}

	function checkPlaced(region: Omit<KernelRegion, 'bytes'>, length: number): KernelOutput {
		if (!configured) throw new Error('RowKernel.check() before configure()');
		const { count, recordStarts, fieldIndex, fieldEnds } = region;
		const firstField = count > 0 ? fieldIndex[0] : 0;
		const fields = count > 0 ? fieldIndex[count] - firstField : 0;
		const dates = count * slots;

		const startsPtr = align(regionPtr + length + PADDING, 8);
		const endsPtr = startsPtr + count * 8;
		const datesAPtr = endsPtr + fields * 8;
		const datesBPtr = datesAPtr + dates * 8;
		const indexPtr = datesBPtr + dates * 8;
		const masksPtr = indexPtr + (count + 1) * 4;
		const jsPtr = masksPtr + count * 4;
		const keysPtr = jsPtr + count * 4;
		const kindsPtr = keysPtr + count * KEY_STRIDE * 4;
		const buffer = reserveMemory(wasm, kindsPtr + dates + PADDING);

		new Float64Array(buffer, startsPtr, count).set(recordStarts.subarray(0, count));
		new Float64Array(buffer, endsPtr, fields).set(
			fieldEnds.subarray(firstField, firstField + fields)
		);
		if (count > 0)
			new Uint32Array(buffer, indexPtr, count + 1).set(fieldIndex.subarray(0, count + 1));
		// Calls of CALL_RECORDS records: V8 optimises a function between calls, never during one.
		const fieldsFrom = (record: number) => (fieldIndex[record] - firstField) * 8;
		for (let from = 0; from < count; from += CALL_RECORDS) {
			wasm.check(
				configPtr,
				Math.min(CALL_RECORDS, count - from),
				region.base,
				region.textEnd,
				regionPtr,
				startsPtr + from * 8,
				indexPtr + from * 4,
				endsPtr + fieldsFrom(from),
				masksPtr + from * 4,
				jsPtr + from * 4,
				keysPtr + from * KEY_STRIDE * 4,
				kindsPtr + from * slots,
				datesAPtr + from * slots * 8,
				datesBPtr + from * slots * 8
			);
		}
		return {
			count,
			bytes: new Uint8Array(buffer, regionPtr, length),
			masks: new Uint32Array(buffer, masksPtr, count),
			jsCells: new Uint32Array(buffer, jsPtr, count),
			keys: new Uint32Array(buffer, keysPtr, count * KEY_STRIDE),
			dateKinds: new Uint8Array(buffer, kindsPtr, dates),
			dateA: new Float64Array(buffer, datesAPtr, dates),
			dateB: new Float64Array(buffer, datesBPtr, dates)
		};
	}

	function validUtf8(bytes: Uint8Array): boolean {
		place([bytes], bytes.length);
		return placedUtf8(0, bytes.length) === null;
	}

	return {
		simd: wasm.SIMD.value !== 0,
		configure,
		check,
		place,
		checkPlaced,
		placedUtf8,
		validUtf8
	};
}

/**
 * The kernel's two key hashes of UTF-8 bytes: FNV-1a (32 bits) and MurmurHash3 x86 32 (seed
 * 0x9747b28c). For a JavaScript cell, the caller hashes the encoded normalised value.
 */
export function keyHash(bytes: Uint8Array): [h1: number, h2: number] {
	const length = bytes.length;
	let fnv = 0x811c9dc5;
	let murmur = 0x9747b28c;
	let i = 0;
	for (; i + 4 <= length; i += 4) {
		const b0 = bytes[i];
		const b1 = bytes[i + 1];
		const b2 = bytes[i + 2];
		const b3 = bytes[i + 3];
		fnv = Math.imul(fnv ^ b0, 0x01000193);
		fnv = Math.imul(fnv ^ b1, 0x01000193);
		fnv = Math.imul(fnv ^ b2, 0x01000193);
		fnv = Math.imul(fnv ^ b3, 0x01000193);
		let k = Math.imul(b0 | (b1 << 8) | (b2 << 16) | (b3 << 24), 0xcc9e2d51);
		k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
		murmur ^= k;
		murmur = (Math.imul((murmur << 13) | (murmur >>> 19), 5) + 0xe6546b64) | 0;
	}
	let tail = 0;
	for (let shift = 0; i < length; i++, shift += 8) {
		fnv = Math.imul(fnv ^ bytes[i], 0x01000193);
		tail |= bytes[i] << shift;
	}
	if ((length & 3) !== 0) {
		tail = Math.imul(tail, 0xcc9e2d51);
		murmur ^= Math.imul((tail << 15) | (tail >>> 17), 0x1b873593);
	}
	murmur ^= length;
	murmur ^= murmur >>> 16;
	murmur = Math.imul(murmur, 0x85ebca6b);
	murmur ^= murmur >>> 13;
	murmur = Math.imul(murmur, 0xc2b2ae35);
	murmur ^= murmur >>> 16;
	return [fnv >>> 0, murmur >>> 0];
}
