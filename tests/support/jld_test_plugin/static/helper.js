// Imports a module that imports this one back: a cycle, which a tab loads.
import { triple } from "./partner.js";

export function double(x) {
  return x * 2;
}
export const sixfold = (x) => triple(double(x));
