"""Handlers resolved from CodeUri + Handler as SAM would, without leaking modules, paths or environment."""

from __future__ import annotations

import os
import sys
import textwrap

from pytest_serverless.loaders import load_template


def make_project(tmp_path):
    for name, word in (("one", "first"), ("two", "second")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "app.py").write_text(
            textwrap.dedent(
                f"""
                import os
                from shared_words import WORD

                def handler(event, context):
                    return {{"word": WORD, "module": "{word}", "env": os.environ.get("COLOR")}}
                """
            )
        )
        (folder / "shared_words.py").write_text(f"WORD = {word!r}\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "handlers").mkdir(parents=True)
    (tmp_path / "pkg" / "handlers" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "handlers" / "orders.py").write_text(
        "def handler(event, context):\n    return 'nested'\n"
    )
    template = tmp_path / "template.yaml"
    template.write_text(
        textwrap.dedent(
            """
            Transform: AWS::Serverless-2016-10-31
            Globals:
              Function:
                Runtime: python3.12
                Handler: app.handler
            Resources:
              One:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: one/
                  Environment: {Variables: {COLOR: red}}
              Two:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: ./two
              Nested:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: pkg
                  Handler: handlers/orders.handler
            """
        )
    )
    return template


def test_same_module_name_in_two_code_folders(tmp_path):
    app = load_template(make_project(tmp_path))
    assert app.function("One")({}, None) == {"word": "first", "module": "first", "env": "red"}
    assert app.function("Two")({}, None) == {"word": "second", "module": "second", "env": None}
    assert app.function("Nested")({}, None) == "nested"


def test_no_module_path_or_environment_leaks(tmp_path):
    before_path = list(sys.path)
    app = load_template(make_project(tmp_path))
    app.function("One")({}, None)
    assert sys.path == before_path
    assert "app" not in sys.modules
    assert "shared_words" not in sys.modules
    assert "handlers" not in sys.modules
    assert "COLOR" not in os.environ


def test_each_load_gets_fresh_module_state(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "counter.py").write_text(
        "CALLS = []\n\ndef handler(event, context):\n    CALLS.append(1)\n    return len(CALLS)\n"
    )
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: src, Handler: counter.handler, Runtime: python3.12}\n"
    )
    first = load_template(template)
    assert [first.function("Fn")({}, None) for _ in range(2)] == [1, 2]
    assert load_template(template).function("Fn")({}, None) == 1


def test_given_handlers_get_the_function_environment(tmp_path):
    app = load_template(
        make_project(tmp_path), handlers={"One": lambda event, context: os.environ.get("COLOR")}
    )
    assert app.function("One")({}, None) == "red"
    assert "COLOR" not in os.environ


def test_modules_stay_consistent_when_a_handler_module_removes_another(tmp_path):
    # the module's import drops an unrelated entry of sys.modules: the loader still removes its own modules
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "helper_mod.py").write_text("VALUE = 7\n")
    (folder / "dropper.py").write_text(
        "import sys\nimport helper_mod\nsys.modules.pop('psc_unrelated', None)\n\n"
        "def handler(event, context):\n    return helper_mod.VALUE\n"
    )
    (folder / "itself.py").write_text(
        "import sys, types\nreplacement = types.ModuleType('itself')\n"
        "replacement.handler = lambda event, context: 'replaced'\nsys.modules['itself'] = replacement\n"
    )
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: src, Handler: dropper.handler, Runtime: python3.12}\n"
        "  Self:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: src, Handler: itself.handler, Runtime: python3.12}\n"
    )
    sys.modules["psc_unrelated"] = type(sys)("psc_unrelated")
    try:
        app = load_template(template)
        assert app.function("Fn")({}, None) == 7
        # a module replacing itself in sys.modules is what the import gives, as Python's import does
        assert app.function("Self")({}, None) == "replaced"
    finally:
        sys.modules.pop("psc_unrelated", None)
    assert not {"dropper", "helper_mod", "itself"} & set(sys.modules)
