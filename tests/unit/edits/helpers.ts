import type { ScanResult } from '../../../src/lib/core/engine/types';
import { EditedVerdicts } from '../../../src/lib/core/edits/verdicts';
import { ValidationPlan, type PlanInit } from '../../../src/lib/core/validate/plan';

/** The edited verdicts over a scan's result, judged by the plan the scan ran with. */
export function editedVerdictsOf(result: ScanResult, plan: PlanInit): EditedVerdicts {
	return new EditedVerdicts(
		{
			plan: new ValidationPlan(plan),
			summary: result,
			firstRowOfKey: (key, value) => result.firstRowOfKey(key, value)
		},
		{ ...result, duplicateRows: result.duplicateOf.size }
	);
}
