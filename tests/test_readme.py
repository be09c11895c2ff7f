"""The README's Python examples run as written (against the simulator instead of the service)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kling_edit.testing import SAMPLE_IMAGE
from spec_helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def test_the_readme_has_its_python_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_each_python_example_runs(
    block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The quick start talks to the real service; the README itself says to swap in
    # `KlingEdit.simulated()` to try it offline, which is exactly what runs here.
    code = block.replace("KlingEdit()", "KlingEdit.simulated()")
    shutil.copy(SAMPLE_IMAGE, tmp_path / "new-object.png")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COMETAPI_KEY", raising=False)
    monkeypatch.setenv("KLING_API_KEY", "kling-key-for-the-readme")  # a client made, not used
    monkeypatch.setenv("KLING_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
