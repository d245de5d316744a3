// Helpers the modules share (files starting with an underscore are imported, not built alone).

/**
 * Whitespace String.prototype.trim removes beyond ASCII: ECMAScript's WhiteSpace (U+FEFF and the
 * Zs category) and LineTerminator (U+2028, U+2029). U+0085, U+180E and U+200B are not in it.
 */
export function isUnicodeSpace(code: u32): bool {
	return (
		code == 0xa0 ||
		code == 0x1680 ||
		(code >= 0x2000 && code <= 0x200a) ||
		code == 0x2028 ||
		code == 0x2029 ||
		code == 0x202f ||
		code == 0x205f ||
		code == 0x3000 ||
		code == 0xfeff
	);
}

/** Bit k set when bits 0..k of x hold an odd number of ones (from a quote mask, inside quotes). */
export function prefixXor(x: u64): u64 {
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

/** Bit k set where byte k of the 64 bytes a|b|c|d equals the byte splatted in `s`. */
export function eqMask(a: v128, b: v128, c: v128, d: v128, s: v128): u64 {
	return (
		(<u64>(<u32>i8x16.bitmask(i8x16.eq(a, s)))) |
		((<u64>(<u32>i8x16.bitmask(i8x16.eq(b, s)))) << 16) |
		((<u64>(<u32>i8x16.bitmask(i8x16.eq(c, s)))) << 32) |
		((<u64>(<u32>i8x16.bitmask(i8x16.eq(d, s)))) << 48)
	);
}

/** The `bits` lowest bits set. */
export function below(bits: i32): u64 {
	return bits >= 64 ? <u64>-1 : ((<u64>1) << (<u64>bits)) - 1;
}
