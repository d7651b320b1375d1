// Page and plugin scripts are rewritten, token by token, so that they run in
// the frame's one long-lived document as they would in a new browser tab:
// - `location`, `window.location` and `document.location` are the page's
//   Datasette URL (the frame's own is about:srcdoc and cannot be changed),
//   through `__jldLocation`, an accessor the frame defines on window and document;
// - `import(...)` and `import.meta` go through the frame's module loader
//   (`__jldImport`, `__jldImportMeta`), which answers Datasette's paths from the kernel;
// - code made at run time (`eval`, `Function`) goes through this same rewriting
//   first (`__jldEvalCode`, `__jldEval`, `__jldFunctionArgs`, which page.js defines);
// - in a classic script, top-level `let`, `const` and `class` become `var`s:
//   later scripts see them, as they would, and the same page shown again does
//   not declare them twice in this document;
// - a module's static import specifiers are handed to the caller, which
//   replaces them with the blob: URLs of the modules loaded from the kernel.
// Nothing else changes: strings, comments, templates and regular expressions
// are skipped over exactly.

/** Keywords after which an expression starts (so `/` begins a regular expression). */
const BEFORE_EXPRESSION = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else",
  "yield", "await", "extends",
]);
/** Keywords after which a statement starts. */
const BEFORE_STATEMENT = new Set(["else", "do", "try", "finally"]);
/** Keywords whose parenthesised head is followed by a statement: `if (x) /re/.test(y)`. */
const CONTROL = new Set(["if", "while", "for", "with"]);
/** The objects whose `.location` is the page's. */
const LOCATION_OWNERS = new Set(["window", "self", "globalThis", "document"]);
const IDENTIFIER = /[$\w\u0080-\uffff\\]+/y;
const NUMBER = /\.?\d[\w.]*/y;

/**
 * @typedef {{ type: "name" | "punct" | "string" | "template" | "regex" | "number", value: string,
 *   start: number, end: number, depth: number, object?: boolean, control?: boolean, closes?: Token, closer?: Token }} Token
 *   `depth`: brackets open around it; `object`: a `{` (or its `}`) of an object literal;
 *   `control`: a `(`/`)` of if/while/for/with; `closes`/`closer`: the bracket a bracket matches.
 */

/**
 * Where the scanner stands after `prev`: where a statement starts, an
 * expression starts, or an operator is expected (after an operand).
 * @param {Token | undefined} prev
 * @returns {"statement" | "expression" | "operand"}
 */
function position(prev) {
  if (!prev) return "statement";
  if (prev.type === "name") {
    if (BEFORE_STATEMENT.has(prev.value)) return "statement";
    return BEFORE_EXPRESSION.has(prev.value) ? "expression" : "operand";
  }
  if (prev.type !== "punct") return "operand";
  switch (prev.value) {
    case ";":
      return "statement";
    case "{":
      return prev.object ? "expression" : "statement";
    case "}":
      return prev.object ? "operand" : "statement";
    case ")":
      return prev.control ? "statement" : "operand";
    case "]":
    case "++":
    case "--":
      return "operand";
    default:
      return "expression";
  }
}

/**
 * The length of the punctuator at `i`: the longest that starts there.
 * @param {string} source
 * @param {number} i
 */
function punctuatorLength(source, i) {
  const c = source[i];
  const d = source[i + 1];
  const e = source[i + 2];
  switch (c) {
    case "=":
      return d === "=" ? (e === "=" ? 3 : 2) : d === ">" ? 2 : 1;
    case "!":
      return d === "=" ? (e === "=" ? 3 : 2) : 1;
    case "<":
      return d === "<" ? (e === "=" ? 3 : 2) : d === "=" ? 2 : 1;
    case ">":
      if (d !== ">") return d === "=" ? 2 : 1;
      if (e === ">") return source[i + 3] === "=" ? 4 : 3;
      return e === "=" ? 3 : 2;
    case "&":
    case "|":
    case "*":
      return d === c ? (e === "=" ? 3 : 2) : d === "=" ? 2 : 1;
    case "?":
      if (d === "?") return e === "=" ? 3 : 2;
      // `a?.5:b` is a conditional, not optional chaining.
      return d === "." && !(e >= "0" && e <= "9") ? 2 : 1;
    case "+":
    case "-":
      return d === c || d === "=" ? 2 : 1;
    case ".":
      return d === "." && e === "." ? 3 : 1;
    case "%":
    case "^":
    case "/":
      return d === "=" ? 2 : 1;
    default:
      return 1;
  }
}

/**
 * The tokens of `source` (comments and white space left out).
 * @param {string} source
 * @returns {Token[]}
 */
function tokenize(source) {
  /** @type {Token[]} */
  const tokens = [];
  /** @type {(Token | "${")[]} open brackets, and template substitutions */
  const open = [];
  const n = source.length;
  let i = 0;
  /** @param {Token["type"]} type @param {number} start @param {number} end */
  const push = (type, start, end) => {
    // Only names and punctuators are ever compared: the others keep no text.
    const value = type === "name" || type === "punct" ? source.slice(start, end) : "";
    /** @type {Token} */
    const token = { type, value, start, end, depth: open.length };
    tokens.push(token);
    return token;
  };
  /** Scan a template from `i` (just after "`" or "}"), up to "`" or "${". */
  const template = () => {
    const start = i - 1;
    while (i < n) {
      const c = source[i];
      if (c === "\\") i += 2;
      else if (c === "`") {
        i++;
        push("template", start, i);
        return;
      } else if (c === "$" && source[i + 1] === "{") {
        i += 2;
        push("template", start, i);
        open.push("${");
        return;
      } else i++;
    }
    push("template", start, n);
  };
  while (i < n) {
    const c = source[i];
    const code = source.charCodeAt(i);
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || code === 0xa0 || code === 0xfeff || code === 0x2028 || code === 0x2029) {
      i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "/") {
      while (i < n && source[i] !== "\n" && source[i] !== "\r") i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      i++;
      while (i < n && source[i] !== c && source[i] !== "\n") i += source[i] === "\\" ? 2 : 1;
      i++;
      push("string", start, Math.min(i, n));
      continue;
    }
    if (c === "`") {
      i++;
      template();
      continue;
    }
    if (c === "}" && open[open.length - 1] === "${") {
      open.pop();
      i++;
      template();
      continue;
    }
    if ((c >= "0" && c <= "9") || (c === "." && source[i + 1] >= "0" && source[i + 1] <= "9")) {
      NUMBER.lastIndex = i;
      NUMBER.test(source);
      i = NUMBER.lastIndex;
      push("number", start, i);
      continue;
    }
    if ((code | 32) >= 97 && (code | 32) <= 122 || c === "#" || c === "$" || c === "_" || c === "\\" || code >= 0x80) {
      IDENTIFIER.lastIndex = c === "#" ? i + 1 : i;
      IDENTIFIER.test(source);
      i = Math.max(IDENTIFIER.lastIndex, i + 1);
      push("name", start, i);
      continue;
    }
    const prev = tokens[tokens.length - 1];
    if (c === "/" && position(prev) !== "operand") {
      let inClass = false;
      i++;
      while (i < n) {
        const r = source[i];
        if (r === "\\") i++;
        else if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        else if (r === "\n") break;
        i++;
      }
      i++;
      IDENTIFIER.lastIndex = i;
      if (IDENTIFIER.test(source)) i = IDENTIFIER.lastIndex;
      push("regex", start, Math.min(i, n));
      continue;
    }
    i += punctuatorLength(source, i);
    const punct = source.slice(start, i);
    if (punct === "}" || punct === ")" || punct === "]") {
      const opener = /** @type {Token | undefined} */ (open.pop());
      const token = push("punct", start, i);
      if (opener && typeof opener === "object") {
        token.closes = opener;
        opener.closer = token;
        token.object = opener.object;
        token.control = opener.control;
      }
      continue;
    }
    const token = push("punct", start, i);
    if (punct === "{") token.object = position(prev) === "expression" && prev?.value !== "=>";
    if (punct === "(") token.control = prev?.type === "name" && CONTROL.has(prev.value) && tokens[tokens.length - 3]?.value !== ".";
    if (punct === "{" || punct === "(" || punct === "[") {
      token.depth = open.length;
      open.push(token);
    }
  }
  return tokens;
}

/**
 * @typedef {{ module: boolean, url: string, evaluated?: boolean }} ScriptKind
 *   `module`: a module script (else classic); `url`: the script's own URL, the base of its imports;
 *   `evaluated`: code given to eval or Function, whose declarations stay its own
 */

/**
 * The edits that rewrite a script as the header says, and a module's static
 * import specifiers (as string tokens of the source).
 * @param {string} source
 * @param {ScriptKind} kind
 * @returns {{ edits: [number, number, string][], imports: {start: number, end: number, specifier: string}[] }}
 */
function scriptEdits(source, kind) {
  const tokens = tokenize(source);
  /** @type {[number, number, string][]} */
  const edits = [];
  /** @type {{start: number, end: number, specifier: string}[]} */
  const imports = [];
  const base = JSON.stringify(kind.url);
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k];
    const prev = tokens[k - 1];
    const next = tokens[k + 1];
    const member = isDot(prev);
    if (token.type !== "name") continue;
    if (token.value === "location") {
      if (member) {
        if (globalOwner(tokens, k) !== null) edits.push([token.start, token.end, "__jldLocation"]);
        continue;
      }
      const inObject = token.depth > 0 && (prev?.value === "{" || prev?.value === ",") && prev.type === "punct";
      const objectBrace = inObject && enclosing(tokens, k)?.object;
      if (objectBrace && next?.value === ":") continue; // a key
      if (next?.value === "(" && (objectBrace || ["{", "}", ";", "get", "set", "static", "async"].includes(prev?.value ?? ""))) {
        continue; // a method
      }
      if (prev?.type === "name" && ["get", "set", "static"].includes(prev.value)) continue; // a class member
      if (objectBrace && ["," , "}", "="].includes(next?.value ?? "")) {
        edits.push([token.start, token.end, "location: __jldLocation"]); // shorthand
        continue;
      }
      edits.push([token.start, token.end, "__jldLocation"]);
      continue;
    }
    if (token.value === "eval" || token.value === "Function") {
      edits.push(...runTimeCodeEdits(tokens, k));
      continue;
    }
    if (member) continue;
    if (token.value === "import") {
      if (next?.value === "(") {
        edits.push([token.start, token.end, `__jldImport(${base})`]);
      } else if (next?.value === "." && tokens[k + 2]?.value === "meta") {
        edits.push([token.start, tokens[k + 2].end, `__jldImportMeta(${base})`]);
      } else if (kind.module && token.depth === 0) {
        const specifier = specifierOf(source, tokens, k);
        if (specifier) imports.push(specifier);
      }
      continue;
    }
    if (token.value === "export" && kind.module && token.depth === 0 && (next?.value === "*" || next?.value === "{")) {
      const specifier = specifierOf(source, tokens, k);
      if (specifier) imports.push(specifier);
      continue;
    }
    if (kind.module || kind.evaluated || token.depth !== 0) continue;
    // Classic scripts: top-level lexical declarations become global variables.
    if ((token.value === "let" || token.value === "const") && position(prev) === "statement") {
      if (next && (next.type === "name" || next.value === "[" || next.value === "{")) {
        edits.push([token.start, token.end, "var"]);
      }
    } else if (token.value === "class" && position(prev) === "statement" && next?.type === "name") {
      let body = k + 1;
      while (body < tokens.length && !(tokens[body].value === "{" && tokens[body].depth === 0)) body++;
      const end = tokens[body]?.closer;
      if (!end) continue;
      edits.push([token.start, token.start, `var ${next.value} = `]);
      edits.push([end.end, end.end, ";"]);
    }
  }
  return { edits, imports };
}

/** Whether `token` is `.` or `?.`, so that the name after it is a property. */
const isDot = (/** @type {Token | undefined} */ token) => token?.type === "punct" && (token.value === "." || token.value === "?.");

/**
 * The global object (`window`, `self`, `globalThis`, `document`) of which the name at
 * token `k` is a property (`window.location`), or null: not a property, or another object's.
 * @param {Token[]} tokens
 * @param {number} k
 */
function globalOwner(tokens, k) {
  const owner = tokens[k - 2];
  if (!isDot(tokens[k - 1]) || owner?.type !== "name" || isDot(tokens[k - 3])) return null;
  return LOCATION_OWNERS.has(owner.value) ? owner.value : null;
}

/** Tokens before a name that make it a declaration or a member's name, not a use of it. */
const DECLARING = new Set(["function", "var", "let", "const", "class", "get", "set", "static", "async"]);

/**
 * The edits that pass code made at run time, by the `eval` or `Function` at
 * token `k`, through this rewriting when it runs:
 * - `eval(x)` -> `eval(__jldEvalCode(x))`: the callee stays `eval`, so it is still a
 *   direct eval, in the caller's scope;
 * - `eval` as a value (`(0, eval)(x)`, `e = eval`) and `window.eval` -> `__jldEval`,
 *   an indirect eval as those are;
 * - `Function(...)` and `new Function(...)` -> `Function(...__jldFunctionArgs(...))`.
 * A key, a method, a declaration or another object's property of that name is
 * left alone, as is what cannot be told apart from one (left, it still runs).
 * @param {Token[]} tokens
 * @param {number} k
 * @returns {[number, number, string][]}
 */
function runTimeCodeEdits(tokens, k) {
  const token = tokens[k];
  const prev = tokens[k - 1];
  const next = tokens[k + 1];
  if (isDot(prev)) {
    const owner = globalOwner(tokens, k);
    return token.value === "eval" && owner !== null && owner !== "document" ? [[token.start, token.end, "__jldEval"]] : [];
  }
  if (prev?.type === "name" && DECLARING.has(prev.value)) return [];
  if (next?.value === ":" || next?.value === "=>" || next?.value === "=") return [];
  if (token.depth > 0 && enclosing(tokens, k)?.object && (next?.value === "," || next?.value === "}")) return [];
  if (next?.value === "(") {
    const closer = next.closer;
    // `name(...) {` is a method; `eval(x)` followed by a block on the next line is not, but is left too.
    if (!closer || tokens[tokens.indexOf(closer, k) + 1]?.value === "{") return [];
    const [open, close] = token.value === "eval" ? ["__jldEvalCode(", ")"] : ["...__jldFunctionArgs(", ")"];
    return [
      [next.end, next.end, open],
      [closer.start, closer.start, close],
    ];
  }
  return token.value === "eval" ? [[token.start, token.end, "__jldEval"]] : [];
}

/**
 * The module specifier of the `import`/`export` statement at token `k`:
 * `import "x"`, or the string after a top-level `from` within the few
 * tokens an import or export clause has at its own level.
 * @param {string} source
 * @param {Token[]} tokens
 * @param {number} k
 */
function specifierOf(source, tokens, k) {
  const at = (/** @type {Token} */ token) => ({
    start: token.start,
    end: token.end,
    specifier: source.slice(token.start + 1, token.end - 1).replace(/\\(.)/g, "$1"),
  });
  if (tokens[k + 1]?.type === "string") return at(tokens[k + 1]);
  let seen = 0;
  for (let j = k + 1; j < tokens.length - 1 && seen < 8; j++) {
    const token = tokens[j];
    if (token.depth !== 0) continue;
    if (token.value === ";") return null;
    if (token.value === "from" && tokens[j + 1].type === "string") return at(tokens[j + 1]);
    seen++;
  }
  return null;
}

/**
 * The innermost bracket open around token `k`.
 * @param {Token[]} tokens
 * @param {number} k
 */
function enclosing(tokens, k) {
  const depth = tokens[k].depth;
  for (let j = k - 1; j >= 0; j--) {
    const t = tokens[j];
    if (t.depth === depth - 1 && t.type === "punct" && (t.value === "{" || t.value === "(" || t.value === "[")) return t;
    if (t.depth < depth - 1) return undefined;
  }
  return undefined;
}

/**
 * Apply edits (sorted by position, not overlapping) to `source`.
 * @param {string} source
 * @param {[number, number, string][]} edits
 */
function applyEdits(source, edits) {
  if (!edits.length) return source;
  edits.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const parts = [];
  let at = 0;
  for (const [start, end, text] of edits) {
    parts.push(source.slice(at, start), text);
    at = end;
  }
  parts.push(source.slice(at));
  return parts.join("");
}

/**
 * A script, rewritten to run here as in a tab. For a module, `specifiers`
 * are its static imports, and `finish` replaces each with what `resolveImport`
 * gives for it (the URL to import instead, or null to leave it).
 * @param {string} source
 * @param {ScriptKind} kind
 */
export function prepareScript(source, kind) {
  const { edits, imports } = scriptEdits(source, kind);
  return {
    specifiers: imports.map((entry) => entry.specifier),
    /** @param {(specifier: string) => string | null} resolveImport */
    finish(resolveImport) {
      const all = [...edits];
      for (const { start, end, specifier } of imports) {
        const url = resolveImport(specifier);
        if (url !== null) all.push([start, end, JSON.stringify(url)]);
      }
      return applyEdits(source, all);
    },
  };
}

/**
 * A classic script (or one whose imports stay as they are), rewritten.
 * @param {string} source
 * @param {ScriptKind} kind
 */
export const rewriteScript = (source, kind) => prepareScript(source, kind).finish(() => null);
