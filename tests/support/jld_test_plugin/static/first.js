// A classic script before plugin.js: what it declares at its top level, the
// next script sees, as in a page (and the page shown again declares it again).
const jldConst = 40;
let jldLet = 2;
class JldClass {
  static answer() {
    return 42;
  }
}
async function jldAsync() {
  return "async";
}
var jldVar = "var";
// The document's loading states, as this page's scripts see them.
window.jldReadyStates = [document.readyState];
document.addEventListener("readystatechange", () => window.jldReadyStates.push(document.readyState));
