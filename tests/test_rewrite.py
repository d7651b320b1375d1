"""The frame's script rewrite (static/frame/rewrite.js), run in Node: what it changes and what it leaves.

Each rule on small scripts, and every script the released plugins and Datasette
itself ship: rewritten, each must still parse.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import datasette
import pytest
from support.real_plugins import PLUGINS

from jupyterlite_datasette.frame_script import frame_part

#: The rewrite as the frame runs it (without its module syntax), with no other part: it needs none.
REWRITE = frame_part("rewrite")
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="tests/run.sh installs Node.js")
BASE = "http://localhost/-/static/x.js"


def rewrite_all(scripts: list[tuple[str, bool]]) -> list[dict]:
    """Each (source, is_module) rewritten, with a module's static import specifiers."""
    program = (
        REWRITE
        + f"const BASE = {json.dumps(BASE)};"
        + """
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const output = input.map(([source, module]) => {
  const script = prepareScript(source, { module, url: BASE });
  return { code: script.finish((specifier) => "blob:" + specifier), specifiers: script.specifiers };
});
process.stdout.write(JSON.stringify(output));
"""
    )
    result = subprocess.run(
        [NODE, "-e", program], input=json.dumps(scripts), capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def classic(source: str) -> str:
    return rewrite_all([(source, False)])[0]["code"]


@pytest.mark.parametrize(
    "source, expected",
    [
        # Top-level lexical declarations become globals; nested ones stay as they are.
        ("const a = 1; let b = 2;", "var a = 1; var b = 2;"),
        ("class C { m() { let x; } }\nC.m", "var C = class C { m() { let x; } };\nC.m"),
        ("for (let i = 0; i < 2; i++) {}", "for (let i = 0; i < 2; i++) {}"),
        ("{ const inner = 1 }", "{ const inner = 1 }"),
        ("function f() { const local = 1 }", "function f() { const local = 1 }"),
        # location, in every spelling, is the page's.
        ("location.href", "__jldLocation.href"),
        ("window.location.search; document.location.hash", "window.__jldLocation.search; document.__jldLocation.hash"),
        ("self.location = '/x'", "self.__jldLocation = '/x'"),
        ("x = `${location.pathname}?location`", "x = `${__jldLocation.pathname}?location`"),
        # ... but not another object's, a key, a string, a comment or a regular expression.
        ("data.location; o = {location: 1}", "data.location; o = {location: 1}"),
        ("o = {location}", "o = {location: __jldLocation}"),
        ("'location'; // location\n/location/.test(s)", "'location'; // location\n/location/.test(s)"),
        ("if (ok) /location/.test(s)", "if (ok) /location/.test(s)"),
        ("a = b / location / c", "a = b / __jldLocation / c"),
        # import() and import.meta go through the frame's module loader.
        ("import('./m.js').then(f)", f"__jldImport({json.dumps(BASE)})('./m.js').then(f)"),
        # Code made at run time is rewritten when it runs; a direct eval keeps its callee (and scope).
        ("eval(code); eval(a, f(b))", "eval(__jldEvalCode(code)); eval(__jldEvalCode(a, f(b)))"),
        ("eval(eval(x))", "eval(__jldEvalCode(eval(__jldEvalCode(x))))"),
        ("(0, eval)(c); e = window.eval; eval?.(c)", "(0, __jldEval)(c); e = window.__jldEval; __jldEval?.(c)"),
        (
            "new Function('a', body); Function()",
            "new Function(...__jldFunctionArgs('a', body)); Function(...__jldFunctionArgs())",
        ),
        ("x instanceof Function; Function.prototype", "x instanceof Function; Function.prototype"),
        # ... but not a method, a key, a declaration or another object's property of those names.
        ("o = { eval(x) { return x }, Function: 1 }", "o = { eval(x) { return x }, Function: 1 }"),
        (
            "f(class { static eval(x) {} }); vm.eval(c); f = function eval() {}",
            "f(class { static eval(x) {} }); vm.eval(c); f = function eval() {}",
        ),
    ],
)
def test_classic_script(source, expected):
    assert classic(source) == expected


def test_module_imports_are_listed_and_replaced():
    source = (
        'import a from "./a.js";\nimport { b as c } from \'../b.js\';\nimport "./d.js";\n'
        'export * from "/e.js";\nexport { f } from "./f.js";\nimport bare from "vega";\n'
        "const g = 1;\nconsole.log(import.meta.url);\nexport const h = 2;\n"
    )
    [result] = rewrite_all([(source, True)])
    assert result["specifiers"] == ["./a.js", "../b.js", "./d.js", "/e.js", "./f.js", "vega"]
    assert '"blob:./a.js"' in result["code"] and '"blob:vega"' in result["code"]
    # A module's own top-level declarations stay lexical: each module has a scope of its own.
    assert "const g = 1;" in result["code"]
    assert f"__jldImportMeta({json.dumps(BASE)}).url" in result["code"]


def shipped_scripts() -> list[Path]:
    static = Path(datasette.__file__).parent / "static"
    return sorted([*static.glob("*.js"), *PLUGINS.glob("*/static/*.js")])


def test_every_shipped_script_still_parses(tmp_path):
    scripts = shipped_scripts()
    assert len(scripts) > 15, "tests/run.sh installs the plugins into .venv/plugins"
    # ES module builds (Leaflet's, Datasette's own modules) are modules; the rest classic scripts.
    sources = [
        (path.read_text(), "export " in path.read_text() or "import " in path.read_text()[:200]) for path in scripts
    ]
    for path, (source, module), result in zip(scripts, sources, rewrite_all(sources)):
        rewritten = tmp_path / (path.name + (".mjs" if module else ".js"))
        rewritten.write_text(result["code"])
        check = subprocess.run([NODE, "--check", str(rewritten)], check=False, capture_output=True, text=True)
        assert check.returncode == 0, f"{path}: {check.stderr[:500]}"
