// Writes the end-to-end fixtures in tests/fixtures/e2e. Each file's expected counts are stated
// beside its rows here (and asserted in tests/e2e), so a reader can check them by hand.
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const dir = new URL('../tests/fixtures/e2e/', import.meta.url);
mkdirSync(dir, { recursive: true });

// 1. Excel "Unicode Text": UTF-16LE with BOM, TAB-separated, CRLF. 8 rows: 6 valid, 2 invalid
//    (row 4: invalid_email; row 7: duplicate_user_id of row 1).
const excel = [
	['User ID', 'E-Mail Address', 'First Name', 'Last Name', 'Created', 'Mobile'],
	['1001', 'zoe@example.com', 'Zoë', 'Åberg', '2021-03-04', '+44 20 7946 0958'],
	['1002', 'jose@example.es', 'José', 'Núñez', '2021-05-17', '+34 912 345 678'],
	['1003', 'lukasz@example.pl', 'Łukasz', 'Wiśniewski', '2022-01-09', ''],
	['1004', 'not-an-email', 'Ana', 'Silva', '2022-02-11', ''],
	['1005', 'tanaka@example.jp', '太郎', '田中', '2022-07-30', ''],
	['1006', 'smith@example.com', 'Émile', 'Smith', '2023-11-02', ''],
	['1001', 'other@example.com', 'Zoë', 'Dup', '2023-12-01', ''],
	['1008', 'olga@example.com', 'Ольга', 'Иванова', '2024-01-15', '']
];
const excelText = excel.map((row) => row.join('\t')).join('\r\n') + '\r\n';
writeFileSync(
	new URL('excel-unicode.txt', dir),
	Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(excelText, 'utf16le')])
);

// 2. A legacy export in Windows-1252, semicolon-separated, day-first dotted dates, CRLF.
//    6 rows: 4 valid, 2 invalid (row 3: invalid_boolean "vielleicht"; row 5: invalid_date 31.02.2020).
const legacy = [
	['customer_id', 'email', 'name', 'created_at', 'verified', 'company'],
	['C-1', 'mueller@example.de', 'Jürgen Müller', '01.02.2020', 'y', 'Müller & Söhne'],
	['C-2', 'francoise@example.fr', 'Françoise Dupré', '15.03.2020', '1', 'Café Crème'],
	['C-3', 'perez@example.es', 'Íñigo Pérez', '20.04.2020', 'vielleicht', 'Peña'],
	['C-4', 'smorgas@example.se', 'Åsa Öberg', '05.05.2021', 'yes', '€uro AB'],
	['C-5', 'naive@example.com', 'Zoë Naïve', '31.02.2020', 'no', ''],
	['C-6', 'garcon@example.fr', 'Garçon Élan', '07.06.2021', 'true', 'Straße GmbH']
];
const legacyText = legacy.map((row) => row.join(';')).join('\r\n') + '\r\n';
writeFileSync(new URL('legacy-1252.csv', dir), Buffer.from(latin1(legacyText)));

// 3. An Auth0 user export: NDJSON, gzipped. 7 rows: 5 valid, 2 invalid
//    (row 4: invalid_email; row 6: duplicate_email of row 2, case-insensitive).
const auth0 = [
	{
		user_id: 'auth0|a1',
		email: 'ada@example.com',
		email_verified: true,
		name: 'Ada Lovelace',
		created_at: '2020-01-02T10:00:00.000Z',
		last_login: '2024-05-01T08:00:00.000Z',
		app_metadata: { plan: 'pro' }
	},
	{
		user_id: 'auth0|a2',
		email: 'Grace@Example.com',
		email_verified: false,
		name: 'Grace Hopper',
		created_at: '2020-02-03T11:00:00.000Z',
		last_login: '2024-04-01T09:30:00.000Z'
	},
	{
		user_id: 'google-oauth2|a3',
		email: 'alan@example.org',
		email_verified: true,
		name: 'Alan Turing',
		created_at: '2021-03-04T12:00:00.000Z'
	},
	{
		user_id: 'auth0|a4',
		email: 'broken@@example.com',
		email_verified: false,
		name: 'Broken Mail',
		created_at: '2021-04-05T13:00:00.000Z'
	},
	{
		user_id: 'auth0|a5',
		email: 'katherine@example.com',
		email_verified: true,
		name: 'Katherine Johnson',
		created_at: '2022-05-06T14:00:00.000Z',
		app_metadata: { plan: 'free' }
	},
	{
		user_id: 'auth0|a6',
		email: 'grace@example.com',
		email_verified: true,
		name: 'Grace Again',
		created_at: '2022-06-07T15:00:00.000Z'
	},
	{
		user_id: 'auth0|a7',
		email: 'edsger@example.nl',
		email_verified: true,
		name: 'Edsger Dijkstra',
		created_at: '2023-07-08T16:00:00.000Z'
	}
];
writeFileSync(
	new URL('auth0-export.ndjson.gz', dir),
	gzipSync(auth0.map((r) => JSON.stringify(r)).join('\n') + '\n')
);

/** Windows-1252 bytes for the characters used above (Latin-1 plus the euro sign). */
function latin1(text) {
	return [...text].map((ch) => {
		if (ch === '€') return 0x80;
		const code = ch.codePointAt(0);
		if (code > 0xff) throw new Error(`not in Windows-1252: ${ch}`);
		return code;
	});
}
