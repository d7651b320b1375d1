// The other half of helper.js's cycle, which also imports the page's module
// script (module.js) back: the one instance that is running, as in a tab.
import { double } from "./helper.js";
import * as entry from "./module.js";

export function triple(x) {
  return double(x) + x;
}
export const entryName = () => entry.name;
