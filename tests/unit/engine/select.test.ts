import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { chooseEngine, type WasmBuild } from '../../../src/lib/core/engine/select';
import { compiledModules } from './helpers';

const buildDir = join(import.meta.dirname, '../../../wasm/build');

beforeAll(() => {
	compiledModules(); // builds wasm/build/ when missing
});

afterEach(() => {
	vi.restoreAllMocks();
});

type Loader = (file: WasmBuild) => Promise<Uint8Array | WebAssembly.Module>;

const fromDisk: Loader = async (file) => readFileSync(join(buildDir, file));
const compiled: Loader = async (file) => new WebAssembly.Module(readFileSync(join(buildDir, file)));
const failing =
	(...broken: WasmBuild[]): Loader =>
	async (file) => {
		if (broken.includes(file)) throw new Error(`cannot fetch ${file}`);
		return fromDisk(file);
	};
const garbage: Loader = async () => new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]);

const cases: {
	name: string;
	input: { load: Loader; simd: boolean };
	expected: { engine: string; loaded: WasmBuild[]; passedOver: WasmBuild[] };
}[] = [
	{
		name: 'SIMD runtime: the SIMD build',
		input: { load: fromDisk, simd: true },
		expected: {
			engine: 'wasm-simd',
			loaded: ['csv.simd.wasm', 'rows.simd.wasm', 'json.simd.wasm'],
			passedOver: []
		}
	},
	{
		name: 'a compiled module is taken as it is',
		input: { load: compiled, simd: true },
		expected: {
			engine: 'wasm-simd',
			loaded: ['csv.simd.wasm', 'rows.simd.wasm', 'json.simd.wasm'],
			passedOver: []
		}
	},
	{
		name: 'no SIMD: the scalar builds only',
		input: { load: fromDisk, simd: false },
		expected: {
			engine: 'wasm',
			loaded: ['csv.scalar.wasm', 'rows.scalar.wasm', 'json.scalar.wasm'],
			passedOver: []
		}
	},
	{
		name: 'the SIMD indexer fails to load: the scalar builds',
		input: { load: failing('csv.simd.wasm'), simd: true },
		expected: {
			engine: 'wasm',
			loaded: ['csv.simd.wasm', 'csv.scalar.wasm', 'rows.scalar.wasm', 'json.scalar.wasm'],
			passedOver: ['csv.simd.wasm']
		}
	},
	{
		name: 'the SIMD row kernel fails to load: the scalar builds',
		input: { load: failing('rows.simd.wasm'), simd: true },
		expected: {
			engine: 'wasm',
			loaded: [
				'csv.simd.wasm',
				'rows.simd.wasm',
				'csv.scalar.wasm',
				'rows.scalar.wasm',
				'json.scalar.wasm'
			],
			passedOver: ['rows.simd.wasm']
		}
	},
	{
		name: 'no build loads: the reference engine',
		input: { load: failing('csv.simd.wasm', 'csv.scalar.wasm'), simd: true },
		expected: {
			engine: 'js',
			loaded: ['csv.simd.wasm', 'csv.scalar.wasm'],
			passedOver: ['csv.simd.wasm', 'csv.scalar.wasm']
		}
	},
	{
		name: 'no SIMD and the scalar kernel fails: the reference engine',
		input: { load: failing('rows.scalar.wasm'), simd: false },
		expected: {
			engine: 'js',
			loaded: ['csv.scalar.wasm', 'rows.scalar.wasm'],
			passedOver: ['rows.scalar.wasm']
		}
	},
	{
		name: 'bytes that do not compile: the reference engine',
		input: { load: garbage, simd: true },
		expected: {
			engine: 'js',
			loaded: ['csv.simd.wasm', 'csv.scalar.wasm'],
			passedOver: ['csv.simd.wasm', 'csv.scalar.wasm']
		}
	}
];

describe('chooseEngine', () => {
	it.each(cases)('$name', async ({ input, expected }) => {
		// simdSupported() asks WebAssembly.validate about a SIMD probe module.
		if (!input.simd) vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
		const loaded: WasmBuild[] = [];
		const passedOver: WasmBuild[] = [];
		const engine = await chooseEngine(
			(file) => {
				loaded.push(file);
				return input.load(file);
			},
			(file, error) => {
				expect(error).toBeInstanceOf(Error);
				passedOver.push(file);
			}
		);
		expect({ engine: engine.name, loaded, passedOver }).toEqual(expected);
	});
});
