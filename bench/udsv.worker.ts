/// <reference lib="webworker" />
// uDSV streaming the dropped file in its own worker, with Ferry's rules on each row there: only
// the counts go back to the page.
import * as Comlink from 'comlink';
import { inferSchema, initParser, type Parser } from 'udsv';
import type { Counts, RulesSetup } from './protocol';
import { createRules } from './rules';

const api = {
	ready(): true {
		return true;
	},

	async count(file: File, setup: RulesSetup): Promise<Counts> {
		const rules = createRules(setup);
		const onRow = (row: string[]) => rules.add(row);
		const reader = file.stream().pipeThrough(new TextDecoderStream()).getReader();
		let parser: Parser | null = null;
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			// As uDSV's README streams: the schema from the first chunk, then every chunk in turn.
			parser ??= initParser(inferSchema(value));
			parser.chunk<string[]>(value, parser.stringArrs, onRow);
		}
		parser?.end();
		return rules.finish();
	}
};

export type UdsvWorkerApi = typeof api;

Comlink.expose(api);
