"""Install the test plugin in a kernel (CPython or Pyodide) from one notebook cell."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).parent / "jld_test_plugin"


def expect_plugin_ran(frame, path: str) -> None:
    """The plugin's stylesheet applies and its script ran on the page at `path`: fetch() and
    XMLHttpRequest reached Datasette in the kernel, an external URL was refused at once,
    eval and Function ran, Web Storage worked, and its image loaded from the kernel, both
    where Datasette's HTML has it and where the script adds it, from a srcset and from its
    stylesheet. Scripts ran as in a tab: top-level declarations shared between scripts, a
    module (with a static import, import() and import.meta, and modules importing each
    other and it in a cycle) before DOMContentLoaded, readyState as a loading page has it,
    location in every spelling the page's, in code made by eval, Function and a string
    given to setTimeout as well; a stylesheet and a script the script added loaded and
    fired load."""
    from datasette.version import __version__ as datasette_version

    note = frame.locator("#jld-plugin")
    note.wait_for()
    assert note.inner_text() == f"plugin ran on {path}"
    assert note.evaluate("e => getComputedStyle(e).color") == "rgb(10, 20, 30)"
    frame.locator(f"#jld-plugin[data-datasette='{datasette_version}']").wait_for()
    frame.locator("#jld-plugin[data-plugins~='jld_test_plugin']").wait_for()
    frame.locator("#jld-plugin[data-external='refused']").wait_for()
    frame.locator("#jld-plugin[data-evaluated='44']").wait_for()
    frame.locator("#jld-plugin[data-visits$=' kept']").wait_for()
    expect = {
        "globals": "42 42 function var",
        "module": "interactive 42 /-/static-plugins/jld_test_plugin/module.js lazy",
        "readyStates": "loading interactive",
        "locations": f"{path.split('?')[0]} {'?' + path.split('?')[1] if '?' in path else ''} true",
        "lateCss": "dashed",
        "lateJs": "late script ran",
        "cycle": "42 module.js",
        "evaluatedLocations": " ".join([path.split("?")[0]] * 4),
        "timedLocation": path.split("?")[0],
    }
    frame.locator("#jld-plugin[data-module][data-late-css][data-late-js][data-timed-location]").wait_for()
    seen = note.evaluate("(note) => ({ ...note.dataset })")
    assert {key: seen.get(key) for key in expect} == expect, seen
    assert "blob:" in frame.locator("#jld-plugin-background").evaluate("e => getComputedStyle(e).backgroundImage")
    # The page's own CSS and the CSS the script writes: their url()s are blob: URLs too.
    css_images = frame.locator(".jld-plugin-css-image")
    assert css_images.count() == 3
    for index in range(3):
        frame.locator(".jld-plugin-css-image").nth(index).evaluate("""(e) => new Promise((resolve, reject) => {
            const check = () => getComputedStyle(e).backgroundImage.includes("blob:") ? resolve() : setTimeout(check, 50);
            check();
            setTimeout(() => reject(new Error(`${e.id || e.className}: ${getComputedStyle(e).backgroundImage}`)), 10000);
        })""")
    frame.locator("#jld-plugin-background").evaluate("""(e) => new Promise((resolve, reject) => {
        const check = () => getComputedStyle(e).borderImageSource.includes("blob:") ? resolve() : setTimeout(check, 50);
        check();
        setTimeout(() => reject(new Error(getComputedStyle(e).borderImageSource)), 10000);
    })""")
    for image, natural in (("img.jld-plugin-image", 8), ("#jld-plugin-script-image", 8), ("img.jld-plugin-srcset", 4)):
        width = frame.locator(image).evaluate("""(img) => new Promise((resolve) => {
            const done = () => img.complete && img.currentSrc.startsWith("blob:") && resolve(img.naturalWidth);
            img.addEventListener("load", done);
            done();
            setTimeout(() => resolve(`not loaded: src=${img.getAttribute("src")}`), 10000);
        })""")
        assert width == natural, f"{image}: {width}"


def install_cell() -> str:
    """Source of a cell that writes the plugin package to a temporary folder and registers it."""
    files = {
        str(path.relative_to(PACKAGE.parent)): path.read_text()
        for path in sorted(PACKAGE.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    return (
        "import importlib, sys, tempfile, pathlib\n"
        "from datasette.plugins import pm\n"
        "plugin_root = pathlib.Path(tempfile.mkdtemp())\n"
        f"for name, text in {files!r}.items():\n"
        "    (plugin_root / name).parent.mkdir(parents=True, exist_ok=True)\n"
        "    (plugin_root / name).write_text(text)\n"
        "sys.path.insert(0, str(plugin_root))\n"
        "pm.register(importlib.import_module('jld_test_plugin'))\n"
        "print('plugin registered')"
    )
