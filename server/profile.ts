/**
 * The destination this server stands in for: its flags (UUID ids, accepted hash algorithms, the
 * upsert lookup key, limits) as the `GET /schema` answer, and the core's profile made from that
 * answer, which judges every uploaded row. The app makes the same profile from the same answer
 * (profileFromApiSchema), so the client and the server apply one set of rules.
 */
import { profileFromApiSchema } from '../src/lib/core/profiles/catalogue';
import type { DestinationProfile } from '../src/lib/core/profiles/types';
import {
	PROTOCOL_VERSION,
	type ApiSchema,
	type ImportLimits,
	type LookupKey
} from '../src/lib/core/protocol/import-api';
import type { ProfileOptions } from './config';
import { ACCEPTED_FIELDS } from './validate';

/** What `GET /schema` answers for these limits and flags. */
export function announcedSchema(limits: ImportLimits, options: ProfileOptions): ApiSchema {
	return {
		protocol: PROTOCOL_VERSION,
		name: 'Ferry reference import API',
		fields: [...ACCEPTED_FIELDS],
		requireUuidUserId: options.requireUuidUserId,
		limits,
		acceptedAlgorithms: [...options.acceptedAlgorithms],
		lookupKey: options.lookupKey
	};
}

/** The rules a server with this schema applies to rows: the core's profile of its announcement. */
export interface ServerRules {
	profile: DestinationProfile;
	lookupKey: LookupKey;
}

export function serverRules(schema: ApiSchema): ServerRules {
	return { profile: profileFromApiSchema(schema), lookupKey: schema.lookupKey ?? 'user_id' };
}
