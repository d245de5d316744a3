import { pick, seededRandom } from '../../tests/helpers/random';

/**
 * A deterministic legacy user export for the upload benchmarks: every row valid, slash dates, and a
 * `notes` column that is not mapped and so never sent. `quoted` wraps emails and names in quotes.
 */
export function legacyExportCsv(rows: number, options: { quoted: boolean }): string {
	const next = seededRandom(11);
	const quote = (value: string) => (options.quoted ? `"${value}"` : value);
	const given = ['Ada', 'Grace', 'Zoë', 'José', 'Mary Ann', 'Li', 'Émile', 'Oluwaseun', 'Anna'];
	const family = ['Lovelace', 'Hopper', "O'Brien", 'García', 'Müller', 'Nakamura', 'Smith-Jones'];
	const lines = [
		'customer_id,email,first_name,last_name,verified,phone,created_at,last_login,notes\r\n'
	];
	for (let i = 1; i <= rows; i++) {
		const first = pick(next, given);
		const last = pick(next, family);
		const day = String(1 + Math.floor(next() * 28)).padStart(2, '0');
		const month = String(1 + Math.floor(next() * 12)).padStart(2, '0');
		const phone = `+1 201 555 ${String(1000 + Math.floor(next() * 8999))}`;
		const note = next() < 0.2 ? '"called twice, prefers email"' : '';
		const email = `${first.toLowerCase().replace(/\W/g, '')}.${i}@example.com`;
		lines.push(
			`C-${i},${quote(email)},${quote(first)},${quote(last)},` +
				`${pick(next, ['yes', 'no', 'Y', 'N', '1', '0'])},${phone},${day}/${month}/2021,` +
				`2024-0${1 + (i % 9)}-1${i % 10}T08:30:00Z,${note}\r\n`
		);
	}
	return lines.join('');
}
