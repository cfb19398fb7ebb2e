"""Guard rails: imports flow one way, bot/ → knowledge/ → index/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"index": ("telegram", "bot", "knowledge", "sqlmodel", "sqlalchemy"), "knowledge": ("telegram", "bot")}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_lower_layers_never_import_upper_ones(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & set(FORBIDDEN[package]))
        for path in (ROOT / package).rglob("*.py")
        if _imports(path) & set(FORBIDDEN[package])
    }
    assert offenders == {}


def test_every_bot_command_is_documented_in_the_readme() -> None:
    from bot.commands import all_commands

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [command for command, _ in all_commands() if f"/{command}" not in readme]
    assert missing == []


def test_every_cli_command_is_documented_in_the_readme() -> None:
    from bot.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices  # noqa: SLF001
    assert [c for c in commands if f"cdsbot {c}" not in readme] == []
