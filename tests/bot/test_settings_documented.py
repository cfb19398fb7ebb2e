"""Every setting is in the README's table and in .env.example, under the name an operator types."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
NAMES = sorted(
    "TELEGRAM_BOT_TOKEN" if name == "telegram_bot_token" else f"CDSBOT_{name.upper()}" for name in Settings.model_fields
)


@pytest.mark.parametrize("document", ["README.md", ".env.example"])
def test_every_setting_is_documented(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    assert [name for name in NAMES if name not in text] == []
