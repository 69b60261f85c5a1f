# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
"""The documentation's examples run: module doctests and the README."""

import doctest
import importlib
import re

import pytest
from fpa_paths import REPO_ROOT


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


def _readme():
    return (REPO_ROOT / "fatturapa_bridge" / "README.md").read_text()


def test_readme_totals_and_cleaning_examples_run(needs_schemas):
    """Test the second and third examples (an accounting's totals, then
    cleaning) on the invoice of the first: the rounding is the one the
    README states and the result passes every check."""
    from decimal import Decimal

    from fatturapa_bridge import check

    blocks = re.findall(r"```python\n(.*?)```", _readme(), re.S)
    namespace = {}
    for block in blocks[:3]:
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
    body = namespace["invoice"].body
    assert body.goods.summaries[0].rounding == Decimal("-0.002")
    assert namespace["notes"] == []
    assert [p for p in check(namespace["cleaned"]) if p.is_error] == []


def test_readme_checks_table_lists_every_check_of_the_sdi_list():
    """Test that the README's table has one row per check of SDI_CHECKS,
    saying where it is made (or that only the SdI can)."""
    from fatturapa_bridge.rules import SDI_CHECKS

    where = {"rules": "`check`", "validate": "`validate_bytes`", "schema": "XSD",
             "SdI": "**SdI only**"}
    rows = {m.group(1): m.group(2).strip() for m in re.finditer(
        r"^\| (\d{5}) \| [^|]+ \| ([^|]+) \|$", _readme(), re.M)}
    assert rows == {code: where[made] for code, _text, made in SDI_CHECKS}
