"""Templates compiled when a site was built, used by the kernel's Datasette only where they fit
(jupyterlite_datasette/compiled_templates.py; the site's own are checked in tests/test_lite.py)."""

import asyncio
import json

from jinja2 import DictLoader, Environment, FileSystemBytecodeCache

from jupyterlite_datasette.compiled_templates import ENVIRONMENT, signature, use_compiled_templates


def environment(**options) -> Environment:
    # As Datasette makes its own: escaping, and async rendering.
    loader = DictLoader({"page.html": "<h1>{{ title }}</h1>"})
    return Environment(loader=loader, autoescape=True, enable_async=True, **options)


def compile_into(folder, env: Environment) -> None:
    """What the site's build does (site_build/templates_in_pyodide.py)."""
    env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    env.get_template("page.html")
    (folder / ENVIRONMENT).write_text(json.dumps(signature(env)))


def compiled_by(env: Environment) -> list[str]:
    """The names of the templates `env` compiles from here on."""
    compiled: list[str] = []
    compile_ = env.compile
    env.compile = lambda *args, **kwargs: compiled.append(args[1]) or compile_(*args, **kwargs)
    return compiled


def test_an_environment_like_the_one_they_were_compiled_in_compiles_nothing(tmp_path):
    compile_into(tmp_path, environment())
    env = environment()
    compiled = compiled_by(env)
    assert use_compiled_templates(env, tmp_path)
    page = asyncio.run(env.get_template("page.html").render_async(title="<b>birds</b>"))
    assert page == "<h1>&lt;b&gt;birds&lt;/b&gt;</h1>"
    assert compiled == []


def test_an_environment_with_an_extension_they_were_not_compiled_with_compiles_them_itself(tmp_path):
    # As with a plugin whose prepare_jinja2_environment hook adds one.
    compile_into(tmp_path, environment())
    env = environment(extensions=["jinja2.ext.loopcontrols"])
    compiled = compiled_by(env)
    assert not use_compiled_templates(env, tmp_path)
    env.get_template("page.html")
    assert compiled == ["page.html"]


def test_a_kernel_without_them_compiles_as_jinja_does(tmp_path):
    env = environment()
    assert not use_compiled_templates(env, tmp_path / "nowhere")
    assert env.bytecode_cache is None
