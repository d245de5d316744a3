import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decryptReport, readReportHeader } from '../../../src/lib/core/report/cipher';
import { decodeRecipientKey, recipientKeyPairOf } from '../../../src/lib/core/report/keys';

// The worked example of docs/report-format.md: the same bytes must open as the document says.
const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url));
const file = new Uint8Array(fixture('example.ferry-report'));
const docs = readFileSync(new URL('../../../docs/report-format.md', import.meta.url), 'utf8');
const CSV =
	'row,line,status,reasons,messages,email\r\n' +
	'3,4,invalid_row,invalid_email,Not an email address.,bob@\r\n';

describe('worked example of docs/report-format.md', () => {
	it('is printed in the document, byte for byte', () => {
		const base64 = Buffer.from(file).toString('base64');
		expect(docs.replace(/\s+/g, '')).toContain(base64);
	});

	it('has the header the document describes', () => {
		const header = readReportHeader(file);
		expect(header.length).toBe(247);
		expect(header.password).toMatchObject({ opsLimit: 2, memLimit: 67108864 });
		expect(Buffer.from(header.password!.salt).toString('hex')).toBe(
			'26f9a9d621a429f20eceb88fce02c78c'
		);
		expect(header.recipients).toHaveLength(1);
		expect(file.length - header.length).toBe(CSV.length + 17);
	});

	it('opens with the password', async () => {
		const plaintext = await decryptReport(file, { password: 'correct horse battery staple' });
		expect(new TextDecoder().decode(plaintext)).toBe(CSV);
	});

	it("opens with the admin's private key", async () => {
		const privateKey = await decodeRecipientKey(fixture('example.key').toString('utf8'));
		const plaintext = await decryptReport(file, await recipientKeyPairOf(privateKey!));
		expect(new TextDecoder().decode(plaintext)).toBe(CSV);
	});
});
