"""A SAM function's ``Layers``: local layers of the template (``ContentUri`` folders, ``Globals.Function``'s
too) are on the handler's import path as Lambda puts them (``python/`` inside the layer, and the layer
itself), per function, and off it after; layers from outside the template are listed in
``app.unsupported``."""

from __future__ import annotations

import sys
import textwrap

import pytest

from pytest_serverless import TemplateError, load_template

TEMPLATE = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Globals:
      Function:
        Runtime: python3.12
        Layers: [!Ref Common]
    Resources:
      Common:
        Type: AWS::Serverless::LayerVersion
        Properties: {ContentUri: layers/common}
      Flat:
        Type: AWS::Serverless::LayerVersion
        Properties: {ContentUri: layers/flat}
      Both:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/both
          Handler: app.handler
          Layers:
            - !Ref Flat
            - arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:1
      Plain:
        Type: AWS::Serverless::Function
        Properties: {CodeUri: src/plain, Handler: app.handler}
    """
)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


@pytest.fixture
def project(tmp_path):
    write(tmp_path / "template.yaml", TEMPLATE)
    write(tmp_path / "layers/common/python/shared_rules.py", "LIMIT = 5\n")
    write(tmp_path / "layers/flat/flat_helpers.py", "def double(x):\n    return 2 * x\n")
    site = f"layers/common/python/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"
    write(tmp_path / site / "vendored/__init__.py", "NAME = 'vendored'\n")
    both = """\
        import flat_helpers
        import shared_rules
        import vendored

        def handler(event, context):
            return {
                "limit": shared_rules.LIMIT, "double": flat_helpers.double(event["n"]), "pip": vendored.NAME
            }
        """
    write(tmp_path / "src/both/app.py", both)
    plain = """\
        import shared_rules

        def handler(event, context):
            try:
                import flat_helpers  # noqa: F401 - not a layer of this function
            except ImportError:
                return {"limit": shared_rules.LIMIT, "flat": False}
            return {"flat": True}
        """
    write(tmp_path / "src/plain/app.py", plain)
    return tmp_path


@pytest.fixture
def app(project):
    loaded = load_template(project / "template.yaml", warn=False)
    yield loaded
    loaded.close()


def test_a_functions_layers_are_on_its_import_path(app):
    assert app.function("Both")({"n": 4}, None) == {"limit": 5, "double": 8, "pip": "vendored"}


def test_only_its_own_layers_and_the_global_ones(app):
    assert app.function("Plain")({}, None) == {"limit": 5, "flat": False}


def test_the_import_path_is_restored_after(app, project):
    path = list(sys.path)
    app.function("Both")({"n": 1}, None)
    assert sys.path == path
    assert "shared_rules" not in sys.modules
    assert "flat_helpers" not in sys.modules
    assert "vendored" not in sys.modules


def test_each_app_gets_fresh_layer_modules(project):
    first, second = (load_template(project / "template.yaml", warn=False) for _ in range(2))
    try:
        assert first.function("Both")({"n": 1}, None)["limit"] == 5
        (project / "layers/common/python/shared_rules.py").write_text("LIMIT = 9  # changed\n")
        assert second.function("Both")({"n": 1}, None)["limit"] == 9
    finally:
        first.close()
        second.close()


def test_a_layer_outside_the_template_is_listed_not_an_error(app):
    assert app.unsupported == [
        "Both: layer arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:1 "
        "(not a local layer of the template: not on the import path)"
    ]


def test_a_missing_layer_folder_is_a_template_error(project):
    (project / "layers/flat/flat_helpers.py").unlink()
    (project / "layers/flat").rmdir()
    with pytest.raises(TemplateError, match=r"layer folder .*flat.* of Both does not exist") as raised:
        load_template(project / "template.yaml", warn=False)
    assert "/Resources/Both/Properties/Layers" in str(raised.value)


def test_layers_must_be_a_list(project):
    text = (project / "template.yaml").read_text().replace("Layers: [!Ref Common]", "Layers: !Ref Common")
    (project / "template.yaml").write_text(text)
    with pytest.raises(TemplateError, match="Layers must be a list"):
        load_template(project / "template.yaml", warn=False)
