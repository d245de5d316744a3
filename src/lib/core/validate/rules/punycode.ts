// RFC 3492 Punycode encoder: the core may not use Node's `url.domainToASCII`, and browsers expose
// no IDNA API to workers, so IDN domains are converted here.
const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 128;
const MAX_INT = 0x7fffffff;

function adapt(delta: number, points: number, first: boolean): number {
	delta = first ? Math.floor(delta / DAMP) : delta >> 1;
	delta += Math.floor(delta / points);
	let k = 0;
	while (delta > ((BASE - T_MIN) * T_MAX) >> 1) {
		delta = Math.floor(delta / (BASE - T_MIN));
		k += BASE;
	}
	return k + Math.floor(((BASE - T_MIN + 1) * delta) / (delta + SKEW));
}

function digit(d: number): string {
	// 0..25 → a..z, 26..35 → 0..9
	return String.fromCharCode(d < 26 ? 97 + d : 22 + d);
}

/** Encodes one label's code points (RFC 3492 §6.3); null on overflow. */
export function punycodeEncode(input: string): string | null {
	const points = Array.from(input, (char) => char.codePointAt(0)!);
	let output = points
		.filter((point) => point < 0x80)
		.map((point) => String.fromCharCode(point))
		.join('');
	const basic = output.length;
	let handled = basic;
	if (basic > 0) output += '-';
	let n = INITIAL_N;
	let delta = 0;
	let bias = INITIAL_BIAS;
	while (handled < points.length) {
		let next = MAX_INT;
		for (const point of points) if (point >= n && point < next) next = point;
		if (next - n > Math.floor((MAX_INT - delta) / (handled + 1))) return null;
		delta += (next - n) * (handled + 1);
		n = next;
		for (const point of points) {
			if (point < n && ++delta > MAX_INT) return null;
			if (point !== n) continue;
			let q = delta;
			for (let k = BASE; ; k += BASE) {
				const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
				if (q < t) break;
				output += digit(t + ((q - t) % (BASE - t)));
				q = Math.floor((q - t) / (BASE - t));
			}
			output += digit(q);
			bias = adapt(delta, handled + 1, handled === basic);
			delta = 0;
			handled++;
		}
		delta++;
		n++;
	}
	return output;
}

export function isAscii(text: string): boolean {
	for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
	return true;
}

/**
 * A domain's ASCII form: labels with non-ASCII characters become `xn--` A-labels. The UTS 46
 * mapping is approximated by NFKC around lower-casing (its NFKC_Casefold) and the ideographic
 * full stops as separators; disallowed code points are not rejected here but by the LDH check
 * only when they are ASCII.
 */
export function domainToAscii(domain: string): string | null {
	const labels = domain
		.normalize('NFKC')
		.toLowerCase()
		.normalize('NFKC')
		.split(/[.\u3002\uff0e\uff61]/);
	const out: string[] = [];
	for (const label of labels) {
		if (isAscii(label)) {
			out.push(label);
			continue;
		}
		const encoded = punycodeEncode(label);
		if (encoded === null) return null;
		out.push(`xn--${encoded}`);
	}
	return out.join('.');
}
