/**
 * A user's email addresses as sources write them: an array of strings, or of objects with the
 * address under `address` (Hanko), `email` (Auth0 and others), `value` or `email_address` (Clerk),
 * and flags `primary`/`is_primary` and `verified`/`is_verified` (or Clerk's
 * `verification.status`). The canonical record keeps them all; `email` is the primary one.
 */
import { parseBoolean } from '../validate/rules/boolean';
import { isRecord } from './credential';

export interface EmailAddress {
	address: string;
	primary: boolean;
	verified: boolean;
}

const ADDRESS_KEYS = ['address', 'email', 'value', 'email_address'];
const PRIMARY_KEYS = ['primary', 'is_primary'];
const VERIFIED_KEYS = ['verified', 'is_verified'];

/** A flag as JSON writes it (a boolean) or as a flattened export does ("true", "yes", …). */
function flag(entry: Record<string, unknown>, keys: readonly string[]): boolean | null {
	const key = keys.find((name) => entry[name] !== undefined && entry[name] !== null);
	if (key === undefined) return false;
	const value = entry[key];
	if (typeof value === 'boolean') return value;
	return typeof value === 'string' ? parseBoolean(value.trim()) : null;
}

function fromObject(entry: Record<string, unknown>, index: number): EmailAddress | string {
	const key = ADDRESS_KEYS.find((name) => typeof entry[name] === 'string');
	const address = key === undefined ? '' : (entry[key] as string).trim();
	if (address === '') return `emails[${index}] has no address.`;
	const primary = flag(entry, PRIMARY_KEYS);
	if (primary === null) return `emails[${index}]: the primary flag is not true or false.`;
	const verification = entry.verification;
	const verified = isRecord(verification)
		? verification.status === 'verified'
		: flag(entry, VERIFIED_KEYS);
	if (verified === null) return `emails[${index}]: the verified flag is not true or false.`;
	return { address, primary, verified };
}

/**
 * Every address of an `emails` value. In an array of plain strings the first is the primary, as
 * Clerk's API reads `email_address[]`; objects say it themselves. Null and undefined are no
 * addresses; `[]` is no addresses too, not an error by itself.
 */
export function readEmails(value: unknown): { emails: EmailAddress[] } | { error: string } {
	if (value === undefined || value === null) return { emails: [] };
	if (!Array.isArray(value)) return { error: 'emails must be an array.' };
	const emails: EmailAddress[] = [];
	for (const [index, entry] of value.entries()) {
		if (typeof entry === 'string') {
			const address = entry.trim();
			if (address === '') return { error: `emails[${index}] is empty.` };
			emails.push({ address, primary: index === 0, verified: false });
			continue;
		}
		if (!isRecord(entry)) return { error: `emails[${index}] is neither an address nor an object.` };
		const email = fromObject(entry, index);
		if (typeof email === 'string') return { error: email };
		emails.push(email);
	}
	return { emails };
}

/** The row codes of the primary-address rule (see identity/codes.ts). */
export type PrimaryEmailIssue = 'no_primary_email' | 'several_primary_emails';

/**
 * The primary address: the one flagged primary. `{address: null}` when there are no addresses
 * (whether email is required is another rule's business).
 */
export function primaryEmail(
	emails: readonly EmailAddress[]
): { address: string | null } | { issue: PrimaryEmailIssue } {
	if (emails.length === 0) return { address: null };
	const primaries = emails.filter((email) => email.primary);
	if (primaries.length === 0) return { issue: 'no_primary_email' };
	if (primaries.length > 1) return { issue: 'several_primary_emails' };
	return { address: primaries[0].address };
}
