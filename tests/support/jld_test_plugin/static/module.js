// A module script: deferred (it runs before DOMContentLoaded, after the
// classic scripts), with a static import and import() of Datasette paths.
import { double, sixfold } from "./helper.js";
import { entryName } from "./partner.js";

export const name = "module.js";

window.jldModule = {
  readyState: document.readyState,
  doubled: double(21),
  meta: new URL(import.meta.url).pathname,
  lazy: import("./lazy.js").then((lazy) => lazy.default),
  cycle: `${sixfold(7)} ${entryName()}`,
};
