"""`cdsbot db`: the schema revision is reported before and after an explicit upgrade."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from knowledge.db import head_revision


pytestmark = pytest.mark.usefixtures("restore_root_logging")


def test_db_current_reports_without_upgrading_and_db_upgrade_brings_it_to_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CDSBOT_DATABASE_URL", raising=False)
    assert main(["db", "current"]) == 0
    assert "chưa có" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert f"Phiên bản lược đồ: {head_revision()} — mới nhất." in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    assert "mới nhất" in capsys.readouterr().out
