/**
 * A made-up user export that a worker scans once before the first real file: V8 compiles a
 * worker's hot code only after running it a while (and anew in every worker), so the first scan of
 * a dropped file would otherwise pay for that compiling, about a quarter of its time on a 2-core
 * machine (docs/performance.md). Its columns are fields of the reference schema under their own
 * names, so the proposed mapping takes them all, and its values take each rule's usual ways:
 * valid, invalid, empty, quoted, non-ASCII, duplicated. Nothing in it is anyone's data.
 */

const HEADER = [
	'user_id',
	'email',
	'name',
	'given_name',
	'family_name',
	'email_verified',
	'phone_number',
	'registration_date',
	'last_login_date',
	'locale',
	'roles',
	'organization',
	'blocked',
	'password_hash',
	'user_metadata',
	// Not a field: a column the mapping leaves out.
	'notes'
];

const GIVEN = ['Ada', 'Émile', 'Grace', 'Zoë', 'Alan', 'Chiara', 'Oluwaseun', 'Mei'];
const FAMILY = ['Lovelace', 'García', 'Hopper', 'Müller', 'Turing', 'Rossi', 'Adeyemi', 'Wang'];
/** The names in addresses: ASCII, as most are. */
const ASCII_GIVEN = ['ada', 'emile', 'grace', 'zoe', 'alan', 'chiara', 'oluwaseun', 'mei'];
const ASCII_FAMILY = [
	'lovelace',
	'garcia',
	'hopper',
	'muller',
	'turing',
	'rossi',
	'adeyemi',
	'wang'
];
// Valid shapes; every 17th phone and every 19th date is not one.
const PHONES = [
	(i: number) => `+1202555${String(1000 + (i % 9000)).padStart(4, '0')}`,
	(i: number) => `+44 20 7946 ${String(i % 1000).padStart(3, '0')}0`,
	(i: number) => `(202) 555-${String(i % 10000).padStart(4, '0')}`,
	() => ''
];
const DATES = [
	(i: number) => `20${10 + (i % 14)}-0${1 + (i % 9)}-1${i % 10}`,
	(i: number) => `2023-0${1 + (i % 9)}-2${i % 9}T08:30:00Z`,
	(i: number) => `${1 + (i % 28)}/0${1 + (i % 9)}/2021`,
	() => ''
];
const ROLES = ['user', '"admin,user"', '', 'editor', '"user, viewer"'];
// A bcrypt hash's shape (not of any password) or none; every 23rd is too short.
const HASHES = ['$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234', ''];

/** The export as CSV text, `rows` rows after its header. */
export function warmUpCsv(rows: number): string {
	const lines = [HEADER.join(',')];
	for (let i = 0; i < rows; i++) {
		const given = GIVEN[i % 8];
		const family = FAMILY[(i >> 3) % 8];
		// Every 97th row repeats an earlier row's id, every 89th its address.
		const id = i % 97 === 96 ? i - 50 : i;
		const local = `${ASCII_GIVEN[i % 8]}.${ASCII_FAMILY[(i >> 3) % 8]}${i % 89 === 88 ? i - 40 : i}`;
		const email = i % 53 === 52 ? 'not-an-address' : i % 61 === 60 ? '' : `${local}@example.com`;
		lines.push(
			[
				String(1_000_000 + id),
				email,
				i % 3 === 0 ? `"${family}, ${given}"` : `${given} ${family}`,
				given,
				family,
				i % 5 === 0 ? 'false' : 'true',
				i % 17 === 16 ? '12345' : PHONES[i % PHONES.length](i),
				i % 19 === 18 ? '2021-13-45' : DATES[i % DATES.length](i),
				// A last login after the registration, but every 29th.
				i % 4 === 3
					? ''
					: i % 29 === 28
						? '2009-01-01'
						: `2024-0${1 + (i % 9)}-1${i % 10}T09:00:00Z`,
				i % 2 ? 'en-US' : 'fr',
				// In runs of three: the roles counts first compare a cell with the row before's, a path of its own.
				ROLES[Math.floor(i / 3) % ROLES.length],
				i % 4 ? 'acme' : '',
				i % 11 === 0 ? 'true' : 'false',
				i % 23 === 22 ? '$2b$10$short' : HASHES[i % HASHES.length],
				i % 6 === 0 ? `"{""plan"":""pro"",""seats"":${i % 40}}"` : '',
				i % 7 === 0 ? '"moved from the old CRM; ""VIP"""' : ''
			].join(',')
		);
	}
	return lines.join('\r\n') + '\r\n';
}
