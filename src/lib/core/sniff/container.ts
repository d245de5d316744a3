import { FerryError } from '../errors';

export type Container = 'gzip' | 'zip' | 'plain';

const ZIP_MESSAGE =
	'This looks like a ZIP or Excel (.xlsx) file. Save it as CSV and drop that instead.';

/** Other binary formats people drop by mistake, recognised by their first bytes. */
const BINARY_MAGICS: { magic: number[]; message: string }[] = [
	{
		magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
		message: 'This looks like an old Excel (.xls) file. Save it as CSV and drop that instead.'
	},
	{ magic: [0x25, 0x50, 0x44, 0x46, 0x2d], message: 'This is a PDF, not a user export.' },
	{ magic: [0x89, 0x50, 0x4e, 0x47], message: 'This is a PNG image, not a user export.' },
	{ magic: [0xff, 0xd8, 0xff], message: 'This is a JPEG image, not a user export.' },
	{
		magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
		message: 'This is a 7-Zip archive: extract it first.'
	},
	{
		magic: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07],
		message: 'This is a RAR archive: extract it first.'
	}
];

function startsWith(head: Uint8Array, magic: number[]): boolean {
	return head.length >= magic.length && magic.every((byte, i) => head[i] === byte);
}

/** What wraps the text, from the first bytes of the file. */
export function detectContainer(head: Uint8Array): Container {
	if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
	if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
	return 'plain';
}

/**
 * Throws the project's error for containers and binary formats Ferry cannot read; returns whether
 * the file is gzip-compressed.
 */
export function requireReadableContainer(head: Uint8Array): boolean {
	const container = detectContainer(head);
	if (container === 'zip') throw new FerryError('zip_unsupported', ZIP_MESSAGE);
	for (const { magic, message } of BINARY_MAGICS)
		if (startsWith(head, magic)) throw new FerryError('binary_file', message);
	return container === 'gzip';
}
