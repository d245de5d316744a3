import { describe, expect, it } from 'vitest';
import { primaryEmail, readEmails } from '../../../src/lib/core/identity/emails';

const hanko = (...entries: [string, boolean, boolean][]) =>
	entries.map(([address, is_primary, is_verified]) => ({ address, is_primary, is_verified }));

describe('readEmails and primaryEmail', () => {
	const cases = [
		{
			name: 'Hanko, primary second',
			value: hanko(['ana@work.example', false, false], ['ana.ruiz@example.org', true, true]),
			emails: [
				{ address: 'ana@work.example', primary: false, verified: false },
				{ address: 'ana.ruiz@example.org', primary: true, verified: true }
			],
			primary: { address: 'ana.ruiz@example.org' }
		},
		{
			name: 'Hanko, two primaries',
			value: hanko(['a@example.org', true, true], ['b@example.org', true, false]),
			primary: { issue: 'several_primary_emails' }
		},
		{
			name: 'Hanko, no primary',
			value: hanko(['a@example.org', false, true], ['b@example.org', false, false]),
			primary: { issue: 'no_primary_email' }
		},
		{ name: 'Hanko, []', value: [], emails: [], primary: { address: null } },
		{ name: 'null', value: null, emails: [], primary: { address: null } },
		{
			name: 'plain strings: the first is primary',
			value: ['first@example.org', ' second@example.org '],
			emails: [
				{ address: 'first@example.org', primary: true, verified: false },
				{ address: 'second@example.org', primary: false, verified: false }
			],
			primary: { address: 'first@example.org' }
		},
		{
			name: 'email/primary/verified keys, flags as text',
			value: [
				{ email: 'x@example.org', primary: 'false', verified: 'true' },
				{ email: 'y@example.org', primary: 'yes' }
			],
			emails: [
				{ address: 'x@example.org', primary: false, verified: true },
				{ address: 'y@example.org', primary: true, verified: false }
			],
			primary: { address: 'y@example.org' }
		},
		{
			name: 'value key',
			value: [{ value: 'v@example.org', primary: true, verified: false }],
			primary: { address: 'v@example.org' }
		},
		{
			name: "Clerk's email_address and verification.status",
			value: [
				{
					id: 'idn_1',
					email_address: 'c@example.org',
					verification: { status: 'verified' },
					primary: true
				},
				{ id: 'idn_2', email_address: 'd@example.org', verification: { status: 'unverified' } }
			],
			emails: [
				{ address: 'c@example.org', primary: true, verified: true },
				{ address: 'd@example.org', primary: false, verified: false }
			],
			primary: { address: 'c@example.org' }
		}
	];
	for (const { name, value, emails, primary } of cases)
		it(name, () => {
			const read = readEmails(value);
			if (!('emails' in read)) throw new Error(read.error);
			if (emails) expect(read.emails).toEqual(emails);
			expect(primaryEmail(read.emails)).toEqual(primary);
		});

	const invalid = [
		{ value: 'a@example.org', reason: /must be an array/ },
		{ value: [42], reason: /emails\[0\] is neither/ },
		{ value: [''], reason: /emails\[0\] is empty/ },
		{ value: [{ is_primary: true }], reason: /emails\[0\] has no address/ },
		{ value: [{ address: 'a@example.org', is_primary: 'maybe' }], reason: /primary flag/ },
		{ value: [{ address: 'a@example.org', is_verified: 3 }], reason: /verified flag/ }
	];
	for (const { value, reason } of invalid)
		it(`refuses ${JSON.stringify(value)}`, () => {
			expect((readEmails(value) as { error: string }).error).toMatch(reason);
		});
});
