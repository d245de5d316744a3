/**
 * Hanko user import (docs/platform-formats.md §2.1–2.2; the JSON schema in
 * ../shared/corpora/hanko): one JSON array of `{user_id, emails, username, password, created_at}`.
 * Exactly one primary address per user; a `user_id` that is not a UUID v4 becomes a deterministic
 * UUID v5 of it, and `id-map.csv` beside the file says which source id became which.
 */
import { v5 as uuidv5, validate as isUuid, version as uuidVersion } from 'uuid';
import { PROFILES } from '../profiles/catalogue';
import { credentialTakenBy } from '../profiles/rules';
import { csvCell } from '../schema/templates';
import type { CanonicalRecord } from '../validate/normalize';
import { OutputFile } from './output';
import { addressesOf, chosenRecords, credentialOf, instant, primaryAddress, text } from './records';
import type { ConvertPiece, Target } from './types';

const PROFILE = PROFILES.hanko;

/**
 * The namespace of the v5 ids Ferry gives Hanko users (a fixed UUID, so the same source id becomes
 * the same Hanko id on every run and every device).
 */
export const HANKO_ID_NAMESPACE = '6f1c1c56-3f5e-4b8e-9a57-1f0d2c9b7e41';

/** The Hanko id of a source id: itself when a UUID v4, else its v5 in Ferry's namespace. */
export function hankoUserId(sourceId: string): string {
	return isUuid(sourceId) && uuidVersion(sourceId) === 4
		? sourceId
		: uuidv5(sourceId, HANKO_ID_NAMESPACE);
}

/** One user as Hanko's importer takes it (the record must have exactly one primary address). */
export function hankoUser(record: CanonicalRecord): Record<string, unknown> {
	const user: Record<string, unknown> = {};
	const sourceId = text(record, 'user_id');
	if (sourceId) user.user_id = hankoUserId(sourceId);
	// Hanko lower-cases addresses and keeps each once.
	const seen = new Set<string>();
	user.emails = addressesOf(record).flatMap(({ address, primary, verified }) => {
		const lower = address.toLowerCase();
		if (seen.has(lower)) return [];
		seen.add(lower);
		return [{ address: lower, is_primary: primary, is_verified: verified }];
	});
	const username = text(record, 'username');
	if (username) user.username = username;
	const found = credentialOf(record);
	const taken = found && credentialTakenBy(PROFILE, found);
	if (taken) user.password = { password: taken.credential.hash };
	const created = text(record, 'registration_date');
	if (created) user.created_at = instant(created);
	return user;
}

export const hankoTarget: Target = {
	name: 'hanko',
	label: 'Hanko user import (JSON)',
	profile: PROFILE,
	holds: [
		'user_id',
		'email',
		'email_verified',
		'emails',
		'username',
		'password',
		'registration_date'
	],
	limits: { bytesPerFile: null, rowsPerFile: null },
	skipReason(record) {
		const primary = primaryAddress(record);
		return typeof primary === 'string' ? primary : null;
	},
	keepsPassword: (credential) => credentialTakenBy(PROFILE, credential) !== null,
	async *write(records, options): AsyncIterable<ConvertPiece> {
		const users = new OutputFile('users.json');
		let idMap: OutputFile | null = null;
		const pieces: (ConvertPiece | null)[] = [users.write('[')];
		for await (const [record, index] of chosenRecords(records, options)) {
			const reason = this.skipReason(record);
			if (reason) {
				yield { kind: 'skip', reason, record: index };
				continue;
			}
			const user = hankoUser(record);
			pieces.push(users.write(`${users.rows === 0 ? '\n' : ',\n'}${JSON.stringify(user)}`, 1));
			const sourceId = text(record, 'user_id');
			if (sourceId && user.user_id !== sourceId) {
				if (!idMap) {
					idMap = new OutputFile('id-map.csv');
					pieces.push(idMap.write('source_user_id,hanko_user_id\r\n'));
				}
				pieces.push(idMap.write(`${csvCell(sourceId)},${user.user_id}\r\n`, 1));
			}
			for (const piece of pieces.splice(0)) if (piece) yield piece;
		}
		users.write(users.rows === 0 ? ']\n' : '\n]\n');
		yield* users.close();
		if (idMap) yield* idMap.close();
	}
};
