import { hasAll, keySet, type Preset } from '../preset';

/** Whether a cell ends in a backslash that no backslash before it escapes. */
function endsInEscape(cell: string): boolean {
	let backslashes = 0;
	while (cell.charCodeAt(cell.length - 1 - backslashes) === 0x5c) backslashes++;
	return backslashes % 2 === 1;
}

/**
 * Cognito writes a comma inside a value as `\,`, unquoted, so RFC 4180 splits the value there:
 * while the record has more fields than columns, a cell ending in an escaping backslash is joined
 * with the next one as `value,next`. A record that fits is left alone, so a value's own trailing
 * backslash stays.
 */
export function rejoinEscapedCommas(fields: string[], columns: number): string[] {
	const rejoined = fields.slice();
	for (let i = 0; rejoined.length > columns && i < rejoined.length - 1;) {
		if (endsInEscape(rejoined[i]))
			rejoined.splice(i, 2, `${rejoined[i].slice(0, -1)},${rejoined[i + 1]}`);
		else i++;
	}
	return rejoined;
}

/**
 * A Cognito user-pool CSV: the header `GetCSVHeader` returns (awsdocs amazon-cognito-developer-guide
 * cognito-user-pools-using-import-tool-csv-header.md), in any column order.
 */
export const cognitoCsv: Preset = {
	id: 'cognito-csv',
	label: 'Amazon Cognito user pool (CSV)',
	detect: (input) =>
		input.format === 'csv' &&
		input.header &&
		hasAll(keySet(input), ['cognito:username', 'cognito:mfa_enabled', 'email']),
	mapping: {
		// cognito:username is the pool's own identifier of the user: required, unique and immutable
		// within the pool (`sub` is not part of the CSV). It is the only column that can play
		// user_id, which the destination requires; preferred_username is the user-facing handle.
		'cognito:username': 'user_id',
		preferred_username: 'username',
		name: 'name',
		given_name: 'given_name',
		family_name: 'family_name',
		nickname: 'nickname',
		email: 'email',
		email_verified: 'email_verified',
		phone_number: 'phone_number',
		phone_number_verified: 'phone_verified',
		picture: 'picture',
		locale: 'locale',
		// Attribute bookkeeping (epoch seconds of the last profile change), not a login.
		updated_at: null,
		middle_name: null,
		profile: null,
		website: null,
		gender: null,
		birthdate: null,
		zoneinfo: null,
		address: null,
		'cognito:mfa_enabled': null
	},
	restoreRecord: rejoinEscapedCommas,
	quotesAreData: true,
	restoreNote: { done: 'rejoined', why: 'Cognito writes a comma inside a value as \\,' }
};
