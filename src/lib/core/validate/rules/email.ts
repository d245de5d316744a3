import { domainToAscii, isAscii } from './punycode';

// WHATWG's "valid e-mail address" local part: atext plus dots (no quoted strings, no comments).
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LDH_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * `local@domain` per DESIGN.md: local part ≤ 64 octets of atext and single inner dots; domain of
 * ≥ 2 LDH labels (1–63), last label not all digits (no IP literals); whole address ≤ 254 octets
 * after an IDN domain is converted to its A-label form. Expects a trimmed value.
 */
export function isValidEmail(value: string): boolean {
	const at = value.lastIndexOf('@');
	if (at <= 0) return false;
	const local = value.slice(0, at);
	let domain = value.slice(at + 1);
	// The ASCII-only local part makes its length in octets equal its length in UTF-16 units.
	if (local.length > 64 || !LOCAL.test(local)) return false;
	if (!isAscii(domain)) {
		const ascii = domainToAscii(domain);
		if (ascii === null) return false;
		domain = ascii;
	}
	if (local.length + 1 + domain.length > 254) return false;
	const labels = domain.split('.');
	if (labels.length < 2) return false;
	for (const label of labels) if (!LDH_LABEL.test(label)) return false;
	return !/^[0-9]+$/.test(labels[labels.length - 1]);
}
