"""The package's module map (dlcourse/__init__.py's docstring) lists every module, and only those."""

import re
from pathlib import Path

import dlcourse


def test_module_map_lists_every_module():
    modules = {path.stem for path in Path(dlcourse.__file__).parent.glob("*.py")} - {"__init__"}
    listed = set(re.findall(r"^- ``(\w+)``", dlcourse.__doc__, flags=re.MULTILINE))
    assert listed == modules, f"missing: {sorted(modules - listed)}, gone: {sorted(listed - modules)}"
