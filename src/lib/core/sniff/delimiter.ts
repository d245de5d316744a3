/** Delimiters Ferry guesses between, in order of preference when they score the same. */
export const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'] as const;

/** Records scored per candidate: enough for a verdict, cheap on a 64 KiB head. */
const SAMPLE_RECORDS = 100;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Characters papaparse refuses as a delimiter. */
function usableDelimiter(delimiter: string): boolean {
	return delimiter.length === 1 && !['\r', '\n', '"', '\ufeff'].includes(delimiter);
}

/**
 * Excel's `sep=X` first line: the delimiter and the length (characters, line break included) of the
 * line, or null when the text does not begin with one.
 */
export function parseSepLine(text: string): { delimiter: string; length: number } | null {
	const match = /^sep=([^\r\n])(\r\n|\r|\n|$)/i.exec(text);
	if (!match || !usableDelimiter(match[1])) return null;
	return { delimiter: match[1], length: match[0].length };
}

/** Field count of each non-empty record, counting delimiters outside quotes only. */
export function fieldCounts(text: string, delimiter: string, maxRecords: number): number[] {
	const delim = delimiter.charCodeAt(0);
	const counts: number[] = [];
	let fields = 1;
	let empty = true;
	let quoted = false;
	let fieldStart = true;
	for (let i = 0; i < text.length && counts.length < maxRecords; i++) {
		const code = text.charCodeAt(i);
		if (quoted) {
			if (code === QUOTE) {
				if (text.charCodeAt(i + 1) === QUOTE) i++;
				else quoted = false;
			}
			continue;
		}
		if (code === CR || code === LF) {
			if (code === CR && text.charCodeAt(i + 1) === LF) i++;
			if (!empty) counts.push(fields);
			fields = 1;
			empty = true;
			fieldStart = true;
			continue;
		}
		empty = false;
		if (code === delim) {
			fields++;
			fieldStart = true;
			continue;
		}
		if (code === QUOTE && fieldStart) quoted = true;
		fieldStart = false;
	}
	// The last record may be cut by the end of the head: it counts only when it is the only one.
	if (!empty && counts.length === 0) counts.push(fields);
	return counts;
}

interface Score {
	consistency: number;
	fields: number;
}

function score(counts: number[]): Score | null {
	const frequency = new Map<number, number>();
	for (const count of counts) frequency.set(count, (frequency.get(count) ?? 0) + 1);
	let mode = 0;
	let modeFrequency = 0;
	for (const [count, times] of frequency)
		if (times > modeFrequency || (times === modeFrequency && count > mode)) {
			mode = count;
			modeFrequency = times;
		}
	if (mode < 2) return null;
	return { consistency: modeFrequency / counts.length, fields: mode };
}

/**
 * The field delimiter of CSV text: an Excel `sep=X` first line wins; otherwise the candidate whose
 * records most consistently have the same number (≥ 2) of fields, then the one with more fields.
 * A text no candidate splits is read as one column with ','.
 */
export function sniffDelimiter(text: string): { delimiter: string; sepLine: boolean } {
	const sep = parseSepLine(text);
	if (sep) return { delimiter: sep.delimiter, sepLine: true };
	let best: { delimiter: string; score: Score } | null = null;
	for (const delimiter of CANDIDATE_DELIMITERS) {
		const candidate = score(fieldCounts(text, delimiter, SAMPLE_RECORDS));
		if (!candidate) continue;
		if (
			!best ||
			candidate.consistency > best.score.consistency ||
			(candidate.consistency === best.score.consistency && candidate.fields > best.score.fields)
		)
			best = { delimiter, score: candidate };
	}
	return { delimiter: best?.delimiter ?? ',', sepLine: false };
}
