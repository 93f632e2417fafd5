/** The shape of a rule: one program's invocation in, intents out through the judge. */
import type { Judge } from '../judge.js';
import type { Invocation } from '../invocation.js';

export type Rule = (inv: Invocation, j: Judge) => void;

/** Keys are program names; a key may list several names separated by spaces. */
export type RuleTable = Record<string, Rule>;
