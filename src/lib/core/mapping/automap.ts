import { presetIgnoredKeys, presetMapping } from '../formats/presets';
import { acceptedField, unmetRequiredFields } from '../profiles/rules';
import type { DestinationProfile } from '../profiles/types';
import { FIELDS, fieldByName, STRUCTURED_TYPES } from '../schema/fields';
import type { ColumnProposal, FieldName, FieldType, Mapping, MappingMethod } from '../types';
import { isValidBoolean } from '../validate/rules/boolean';
import { parseDate } from '../validate/rules/date';
import { isValidEmail } from '../validate/rules/email';
import { isValidPhone } from '../validate/rules/phone';
import { isValidUuid } from '../validate/rules/uuid';
import { ALIAS_INDEX, normalizeHeader } from './normalize';

export interface ProposalInput {
	/** Display names ("Column 1" … for headerless files). */
	columns: string[];
	/** Header cells as written, or JSON dot paths. */
	keys: string[];
	/** First rows, aligned to columns. */
	sample: string[][];
	preset: string | null;
	profile: DestinationProfile;
}

interface Candidate {
	column: number;
	field: FieldName;
	confidence: number;
	method: MappingMethod;
}

const FUZZY_MIN = 0.5;
const FUZZY_MAX = 0.9;
/** Jaro-Winkler similarity from which a header counts as a misspelt alias. */
const TYPO_THRESHOLD = 0.9;
/** Share of sample values that must fit a field's type for value sniffing to propose it. */
const VALUES_THRESHOLD = 0.8;
const PLACEHOLDER = /^Column \d+$/;
/** Below this confidence a proposed field is worth a look: marked and filterable in the mapping. */
export const LOW_CONFIDENCE = 0.8;

/** Words of a header: split at non-alphanumerics and camelCase humps. */
function tokens(text: string): string[] {
	return text
		.replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
		.toLowerCase()
		.split(/[^\p{L}\p{N}]+/u)
		.filter(Boolean);
}

// Structured fields take a whole value by its exact name only (aliasCandidate).
const ALIAS_TOKENS = FIELDS.filter((field) => !STRUCTURED_TYPES.has(field.type)).flatMap((field) =>
	field.aliases.map((alias) => ({
		field: field.name,
		normalized: normalizeHeader(alias),
		tokens: tokens(alias)
	}))
);

function jaroWinkler(a: string, b: string): number {
	if (a === b) return 1;
	const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
	const matchedB = new Array<boolean>(b.length).fill(false);
	const matchesA: string[] = [];
	for (let i = 0; i < a.length; i++) {
		for (let j = Math.max(0, i - window); j < Math.min(b.length, i + window + 1); j++) {
			if (matchedB[j] || a[i] !== b[j]) continue;
			matchedB[j] = true;
			matchesA.push(a[i]);
			break;
		}
	}
	const m = matchesA.length;
	if (m === 0) return 0;
	const matchesB = [...b].filter((_, j) => matchedB[j]);
	let transpositions = 0;
	for (let i = 0; i < m; i++) if (matchesA[i] !== matchesB[i]) transpositions++;
	const jaro = (m / a.length + m / b.length + (m - transpositions / 2) / m) / 3;
	let prefix = 0;
	while (prefix < 4 && a[prefix] !== undefined && a[prefix] === b[prefix]) prefix++;
	return jaro + prefix * 0.1 * (1 - jaro);
}

/** An exact alias hit on the key, the display name or, for dot paths, the last segment. */
function aliasCandidate(key: string, column: string): Omit<Candidate, 'column'> | null {
	for (const text of [key, column]) {
		const field = ALIAS_INDEX.get(normalizeHeader(text));
		if (field) return { field, confidence: 1, method: 'alias' };
	}
	const segments = key.split('.');
	if (segments.length > 1) {
		const field = ALIAS_INDEX.get(normalizeHeader(segments[segments.length - 1]));
		// A leaf is never a whole structured value (`app_metadata.emails` is not the user's emails).
		if (field && STRUCTURED_TYPES.has(fieldByName(field).type)) return null;
		// Under an array item (`identities.0.user_id`) the name describes something else's record.
		const insideArray = segments.some((segment) => /^\d+$/.test(segment));
		if (field) return { field, confidence: insideArray ? 0.6 : 0.9, method: 'alias' };
	}
	return null;
}

/**
 * The best fuzzy field for a header: either every word of an alias appears among the header's
 * words ("Customer Email" ⊇ "email"), scored by the share of the header they cover, or the whole
 * header is a near-miss spelling of an alias ("emial"). On a tie the alias whose words come first
 * wins: "Organisation Name" is an organisation, "Name of company" a name.
 */
function fuzzyCandidate(header: string): Omit<Candidate, 'column'> | null {
	const headerTokens = tokens(header);
	const normalized = normalizeHeader(header);
	if (headerTokens.length === 0) return null;
	let best: Omit<Candidate, 'column'> | null = null;
	let bestPosition = Infinity;
	for (const alias of ALIAS_TOKENS) {
		let score = 0;
		let position = 0;
		if (alias.tokens.every((token) => headerTokens.includes(token))) {
			const covered = alias.tokens.length / headerTokens.length;
			score = FUZZY_MIN + (FUZZY_MAX - FUZZY_MIN) * covered;
			position = headerTokens.indexOf(alias.tokens[0]);
		} else if (normalized.length >= 4 && alias.normalized.length >= 4) {
			const similarity = jaroWinkler(normalized, alias.normalized);
			if (similarity >= TYPO_THRESHOLD)
				score =
					FUZZY_MIN +
					((FUZZY_MAX - FUZZY_MIN) * (similarity - TYPO_THRESHOLD)) / (1 - TYPO_THRESHOLD);
		}
		score = Math.min(score, FUZZY_MAX);
		const current: number = best?.confidence ?? 0;
		if (score > current || (score > 0 && score === current && position < bestPosition)) {
			best = { field: alias.field, confidence: score, method: 'fuzzy' };
			bestPosition = position;
		}
	}
	return best;
}

const looksLikePhone = (value: string) =>
	/^\+?[\d\s().-]{7,24}$/.test(value) &&
	/[+\s().-]/.test(value) &&
	value.replace(/\D/g, '').length >= 7 &&
	isValidPhone(value, 'US');

const isDate = (value: string) => {
	const parsed = parseDate(value);
	return parsed.kind === 'slash'
		? !Number.isNaN(parsed.dmy) || !Number.isNaN(parsed.mdy)
		: !Number.isNaN(parsed.ms);
};

/** Whether a value fits a field type well enough to back a name-based guess. */
function fitsType(type: FieldType, value: string): boolean {
	switch (type) {
		case 'email':
			return isValidEmail(value);
		case 'date':
			return isDate(value);
		case 'boolean':
			return isValidBoolean(value);
		case 'phone':
			return /\d{3}/.test(value);
		default:
			return true;
	}
}

function columnValues(sample: string[][], column: number): string[] {
	return sample.map((row) => (row[column] ?? '').trim()).filter((value) => value !== '');
}

function shareOf(values: string[], test: (value: string) => boolean): number {
	return values.length === 0 ? 0 : values.filter(test).length / values.length;
}

type ValueKind = 'email' | 'uuid' | 'boolean' | 'date' | 'phone' | 'id';

/** What a headerless column's values look like, and how surely. */
function sniffValues(values: string[]): { kind: ValueKind; share: number } | null {
	if (values.length === 0) return null;
	const tests: [ValueKind, (value: string) => boolean][] = [
		['email', isValidEmail],
		['uuid', isValidUuid],
		['boolean', (value) => /^(true|false|yes|no)$/i.test(value)],
		['date', isDate],
		['phone', looksLikePhone]
	];
	for (const [kind, test] of tests) {
		const share = shareOf(values, test);
		if (share >= VALUES_THRESHOLD) return { kind, share };
	}
	const unique = new Set(values).size === values.length;
	if (unique && values.every((value) => /^[^\s]{1,255}$/.test(value)))
		return { kind: 'id', share: 1 };
	return null;
}

/** Candidates for placeholder columns; repeated kinds fill their fields in column order. */
function valueCandidates(columns: number[], sample: string[][]): Candidate[] {
	const fieldsOf: Record<ValueKind, FieldName[]> = {
		email: ['email'],
		uuid: ['user_id'],
		boolean: ['email_verified', 'blocked'],
		date: ['registration_date', 'last_login_date'],
		phone: ['phone_number'],
		id: ['user_id']
	};
	const used = new Map<ValueKind, number>();
	const candidates: Candidate[] = [];
	for (const column of columns) {
		const sniffed = sniffValues(columnValues(sample, column));
		if (!sniffed) continue;
		const nth = used.get(sniffed.kind) ?? 0;
		used.set(sniffed.kind, nth + 1);
		const field = fieldsOf[sniffed.kind][nth];
		if (!field) continue;
		// Bare unique tokens say little: they only stand in for user_id when nothing better does.
		const confidence =
			sniffed.kind === 'id' ? FUZZY_MIN : FUZZY_MIN + (FUZZY_MAX - FUZZY_MIN) * sniffed.share;
		candidates.push({ column, field, confidence, method: 'values' });
	}
	return candidates;
}

/**
 * Proposes a field per column: preset, exact alias, fuzzy header, then value sniffing for
 * headerless columns. No field goes to two columns: the higher confidence wins, then the earlier
 * column, and the loser is left unmapped.
 */
export function proposeMapping(input: ProposalInput): ColumnProposal[] {
	const { columns, keys, sample, preset, profile } = input;
	const accepts = (field: FieldName) => acceptedField(profile, field) !== undefined;
	const fromPreset = new Map(
		[...presetMapping(preset)].map(([key, field]) => [normalizeHeader(key), field])
	);
	const ignored = presetIgnoredKeys(preset);
	const candidates: Candidate[] = [];
	const placeholders: number[] = [];

	columns.forEach((column, index) => {
		const key = keys[index] ?? column;
		const presetField =
			fromPreset.get(normalizeHeader(key)) ?? fromPreset.get(normalizeHeader(column));
		if (presetField) {
			candidates.push({ column: index, field: presetField, confidence: 1, method: 'preset' });
			return;
		}
		if (ignored.has(normalizeHeader(key))) return;
		const byName = aliasCandidate(key, column) ?? fuzzyCandidate(key);
		if (byName) {
			const values = columnValues(sample, index);
			const type = fieldByName(byName.field).type;
			// A guess from the name alone is dropped when the values plainly are something else.
			if (
				byName.method === 'alias' ||
				values.length === 0 ||
				shareOf(values, (v) => fitsType(type, v)) >= 0.5
			)
				candidates.push({ column: index, ...byName });
			return;
		}
		if (PLACEHOLDER.test(column) || key.trim() === '') placeholders.push(index);
	});
	for (const candidate of valueCandidates(placeholders, sample)) candidates.push(candidate);

	const proposals: ColumnProposal[] = columns.map((_, column) => ({
		column,
		field: null,
		confidence: 0,
		method: 'none'
	}));
	const taken = new Set<FieldName>();
	candidates
		.filter((candidate) => accepts(candidate.field))
		.sort((a, b) => b.confidence - a.confidence || a.column - b.column)
		.forEach((candidate) => {
			if (taken.has(candidate.field)) return;
			taken.add(candidate.field);
			proposals[candidate.column] = { ...candidate };
		});
	return proposals;
}

/** The admin's choice for one column; any other column holding that field is unmapped. */
export function applyUserChoice(
	proposals: ColumnProposal[],
	column: number,
	field: FieldName | null
): ColumnProposal[] {
	return proposals.map((proposal) => {
		if (proposal.column === column) return { column, field, confidence: 1, method: 'user' };
		if (field !== null && proposal.field === field)
			return { column: proposal.column, field: null, confidence: 0, method: 'none' };
		return proposal;
	});
}

export function mappingOf(proposals: ColumnProposal[]): Mapping {
	const mapping: Mapping = [];
	for (const proposal of proposals) mapping[proposal.column] = proposal.field;
	return Array.from(mapping, (field) => field ?? null);
}

/** Required fields of the destination that no column maps to: the import cannot start. */
export function blockingFields(mapping: Mapping, profile: DestinationProfile): FieldName[] {
	return unmetRequiredFields(profile, new Set(mapping));
}

/** FNV-1a, 32 bits: enough to tell header layouts apart, stable across runs and engines. */
function fnv1a(text: string): string {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193);
	}
	return (hash >>> 0).toString(16).padStart(8, '0');
}

/** A stable name for a header layout (normalised keys in order), for remembered mappings. */
export function headerSignature(keys: string[]): string {
	return `${keys.length}:${fnv1a(keys.map(normalizeHeader).join('\u0000'))}`;
}
