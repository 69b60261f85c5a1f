# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The documentation's examples run: module doctests and the README."""

import doctest
import importlib
import re

import pytest
from conftest import REPO_ROOT


@pytest.mark.parametrize("name", ["amounts", "naming", "render"])
def test_module_doctests(name):
    """Test the examples in the docstrings."""
    # import_module: the package re-exports the render() function under the
    # submodule's name.
    result = doctest.testmod(importlib.import_module(f"fatturapa_bridge.{name}"))
    assert result.attempted > 0 and result.failed == 0


def test_readme_library_example_renders(needs_schemas):
    """Test that the first example of fatturapa_bridge/README.md runs and
    produces XML."""
    text = (REPO_ROOT / "fatturapa_bridge" / "README.md").read_text()
    block = re.findall(r"```python\n(.*?)```", text, re.S)[0]
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
    assert namespace["xml"].startswith(b"<?xml")
