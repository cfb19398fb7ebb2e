"""Guard rails: imports flow one way (bot/ → knowledge/ → index/), without cycles or reaching into private parts.

The import graph is read from the source (``ast``), relative imports resolved
to the modules they name. Which imports count:

- module-level and function-local imports both count. A function-local
  import runs as soon as the function does, so it is as much a dependency as
  one at the top of the file; counting it keeps a cycle from being hidden by
  moving an import into a function. Function-local imports stay fine for
  what they are for: loading a heavy library only for the command that needs it.
- imports under ``if TYPE_CHECKING:`` do not count: they never run, and type
  annotations naming each other are not a dependency at run time.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "knowledge", "index")
FORBIDDEN = {"index": ("telegram", "bot", "knowledge", "sqlmodel", "sqlalchemy"), "knowledge": ("telegram", "bot")}


# ------------------------------------------------------------ the import graph
@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved to an absolute module name."""

    module: str
    names: tuple[str, ...]  # for ``from module import a, b``; empty for ``import module``
    line: int


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


MODULES: dict[str, Path] = {
    _module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(nodes: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node below ``nodes`` except the bodies of ``if TYPE_CHECKING:``."""
    for node in nodes:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _statements(node.orelse)
            continue
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from _statements([child])
            else:
                yield from ast.walk(child)


def imports_of(path: Path) -> list[Import]:
    """Imports of a project file that run at some point, relative ones made absolute."""
    return imports_in(path.read_text(encoding="utf-8"), _module_name(path), is_package=_is_package(path))


def imports_in(source: str, module_name: str, *, is_package: bool) -> list[Import]:
    tree = ast.parse(source)
    package = module_name if is_package else module_name.rpartition(".")[0]
    found: list[Import] = []
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, (), node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base = ".".join(base_parts[: len(base_parts) - (node.level - 1)])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.append(Import(module, tuple(alias.name for alias in node.names), node.lineno))
    return found


def project_targets(imported: Import) -> set[str]:
    """The project modules an import loads: the module, and submodules named in ``from package import sub``."""
    targets = {imported.module} if imported.module in MODULES else set()
    targets |= {f"{imported.module}.{name}" for name in imported.names if f"{imported.module}.{name}" in MODULES}
    return targets


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def import_graph() -> dict[str, set[str]]:
    """module -> project modules it imports (including the packages it enters from outside)."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for imported in imports_of(path):
            for target in project_targets(imported):
                graph[name].add(target)
                # Importing a.b.c runs a/__init__ and a/b/__init__ first; from
                # inside the package they are already running, so no edge then.
                parts = target.split(".")
                for i in range(1, len(parts)):
                    parent = ".".join(parts[:i])
                    if parent in MODULES and not _within(name, parent):
                        graph[name].add(parent)
            graph[name].discard(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# ----------------------------------------------------------------- layering
@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_lower_layers_never_import_upper_ones(package: str) -> None:
    offenders = {
        f"{MODULES[name].relative_to(ROOT)}:{imported.line}": imported.module
        for name in MODULES
        if name.split(".")[0] == package
        for imported in imports_of(MODULES[name])
        if imported.module.split(".")[0] in FORBIDDEN[package]
    }
    assert offenders == {}


def test_relative_imports_are_resolved_to_the_modules_they_name() -> None:
    """The old check skipped ``level > 0``, so ``from ..library import _Prepared`` went unseen."""
    source = "from ..library import _Prepared\nfrom .store import save\nfrom . import sibling\n"
    resolved = [(i.module, i.names) for i in imports_in(source, "knowledge.documents.revisions", is_package=False)]
    assert resolved == [
        ("knowledge.library", ("_Prepared",)),
        ("knowledge.documents.store", ("save",)),
        ("knowledge.documents", ("sibling",)),
    ]
    in_package = [i.module for i in imports_in("from .text import fold\n", "index", is_package=True)]
    assert in_package == ["index.text"]


def test_graph_holds_function_local_imports() -> None:
    """``cdsbot run`` imports the Telegram runner inside ``main``: still an edge of the graph."""
    assert "bot.telegram.runner" in import_graph()["bot.cli"]


def test_type_checking_imports_do_not_count_but_function_local_ones_do() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from bot.config import Settings\n"
        "def f():\n    from knowledge.library import Library\n"
    )
    assert [i.module for i in imports_in(source, "index.x", is_package=False)] == ["typing", "knowledge.library"]


def test_no_import_cycles_among_the_project_modules() -> None:
    assert cycles(import_graph()) == []


def test_cycle_finder_sees_a_cycle_through_a_function_local_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def _owner(module: str) -> str:
    """The package whose internals a module's private parts are."""
    return module if MODULES.get(module, Path("x")).name == "__init__.py" else module.rpartition(".")[0]


def test_no_subpackage_imports_another_ones_private_modules_or_names() -> None:
    """``_name`` is private to the package that holds it: only modules of that same package import it."""
    offenders: list[str] = []
    for name, path in MODULES.items():
        importer_package = name if _is_package(path) else name.rpartition(".")[0]
        for imported in imports_of(path):
            parts = imported.module.split(".")
            if parts[0] not in PACKAGES:
                continue
            private_at = next((i for i, part in enumerate(parts) if part.startswith("_") and not part.startswith("__")), None)
            if private_at is not None and importer_package != ".".join(parts[:private_at]):
                offenders.append(f"{path.relative_to(ROOT)}:{imported.line} imports private module {imported.module}")
            private_names = [n for n in imported.names if n.startswith("_") and not n.startswith("__")]
            if private_names and importer_package != _owner(imported.module):
                offenders.append(
                    f"{path.relative_to(ROOT)}:{imported.line} imports {', '.join(private_names)} from {imported.module}"
                )
    assert offenders == []


# ----------------------------------------------------- commands are documented
def _registered_commands() -> set[str]:
    """Commands of every CommandHandler the real Application registers (inside conversations too)."""
    from telegram.ext import CommandHandler, ConversationHandler

    from bot.config import Settings
    from bot.services import Services
    from bot.telegram.app import build_application
    from knowledge.db import make_engine
    from knowledge.library import Library

    settings = Settings(telegram_bot_token="123456:dummy-token-for-the-guard-rail", demo=False)
    application = build_application(Services(settings, Library(make_engine("sqlite://"))))

    def walk(handlers: object) -> Iterator[object]:
        for handler in handlers:  # type: ignore[attr-defined]
            yield handler
            if isinstance(handler, ConversationHandler):
                yield from walk(handler.entry_points)
                for state in handler.states.values():
                    yield from walk(state)
                yield from walk(handler.fallbacks)

    commands: set[str] = set()
    for group in application.handlers.values():
        for handler in walk(group):
            if isinstance(handler, CommandHandler):
                commands |= set(handler.commands)
    return commands


@pytest.fixture(scope="module")
def registered_commands() -> set[str]:
    commands = _registered_commands()
    assert commands, "the Application registered no command at all"
    return commands


def test_every_registered_command_is_in_the_readme(registered_commands: set[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert sorted(c for c in registered_commands if f"/{c}" not in readme) == []


def test_every_registered_command_is_in_help(registered_commands: set[str]) -> None:
    from bot.commands import all_commands

    listed = {command for command, _ in all_commands()}
    assert sorted(registered_commands - listed) == []


def test_help_lists_only_commands_the_bot_answers(registered_commands: set[str]) -> None:
    from bot.commands import all_commands

    assert sorted({command for command, _ in all_commands()} - registered_commands) == []


def test_every_bot_command_is_documented_in_the_readme() -> None:
    from bot.commands import all_commands

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [command for command, _ in all_commands() if f"/{command}" not in readme]
    assert missing == []


# -------------------------------------------------------------------- the CLI
def _subcommands(parser: argparse.ArgumentParser, prefix: str) -> Iterator[tuple[str, argparse.ArgumentParser, str | None]]:
    """(full command, its parser, its help) for every subcommand, nested ones too."""
    for action in parser._actions:  # noqa: SLF001 - argparse keeps subcommands only here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            helps = {choice.dest: choice.help for choice in action._choices_actions}  # noqa: SLF001
            for name, sub in action.choices.items():
                yield f"{prefix} {name}", sub, helps.get(name)
                yield from _subcommands(sub, f"{prefix} {name}")


def test_every_cli_command_is_documented_in_the_readme() -> None:
    from bot.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    top = [name for name, _, _ in _subcommands(build_parser(), "cdsbot") if name.count(" ") == 1]
    assert [c for c in top if c not in readme] == []


def test_every_cli_subcommand_and_option_has_help_text() -> None:
    from bot.cli import build_parser

    missing: list[str] = []
    parser = build_parser()
    for command, sub, help_text in [("cdsbot", parser, "top"), *_subcommands(parser, "cdsbot")]:
        if not help_text:
            missing.append(command)
        for action in sub._actions:  # noqa: SLF001
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):  # noqa: SLF001
                continue
            if not action.help:
                missing.append(f"{command} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


# --------------------------------------------------------- a light start-up
HEAVY = ("underthesea", "sqlalchemy", "sqlmodel", "scipy", "telegram", "pypdf", "docx", "trafilatura", "lxml")
PARSERS = ("knowledge.documents.parsers.pdf", "knowledge.documents.parsers.docx", "knowledge.documents.parsers.html")


def _modules_loaded_by_cli(args: list[str], data_dir: Path) -> set[str]:
    """Every module a ``cdsbot`` process has imported when it is done (a fresh interpreter)."""
    code = (
        "import json, sys\n"
        "from bot.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CDSBOT_", "TELEGRAM_"))}
    env |= {"CDSBOT_DATA_DIR": str(data_dir), "CDSBOT_DEMO": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=data_dir, capture_output=True, text=True, timeout=300, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_cli_help_imports_no_heavy_library(tmp_path: Path) -> None:
    loaded = _modules_loaded_by_cli(["--help"], tmp_path)
    assert sorted(m for m in loaded if m.split(".")[0] in (*HEAVY, "pydantic", "numpy")) == []
    assert sorted(m for m in loaded if m.startswith(("knowledge", "index", "bot.telegram"))) == []


@pytest.fixture(scope="module")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose demo base is loaded and whose index is saved (one first start)."""
    data_dir = tmp_path_factory.mktemp("demo-start")
    _modules_loaded_by_cli(["ask", "Hải Dương xếp hạng chuyển đổi số thứ mấy?"], data_dir)
    return data_dir


def test_answering_a_question_loads_no_parser_segmenter_or_telegram(demo_data_dir: Path) -> None:
    loaded = _modules_loaded_by_cli(["ask", "Hải Dương xếp hạng chuyển đổi số thứ mấy?"], demo_data_dir)
    unwanted = ("underthesea", "telegram", "pypdf", "docx", "trafilatura")
    assert sorted(m for m in loaded if m.split(".")[0] in unwanted or m in PARSERS) == []


def test_an_unanswered_question_loads_no_telegram(demo_data_dir: Path) -> None:
    loaded = _modules_loaded_by_cli(["ask", "Thời tiết trên sao Hỏa hôm nay thế nào?"], demo_data_dir)
    assert sorted(m for m in loaded if m.split(".")[0] == "telegram") == []


# Work a cold `ask` does not need once the schema is current and the index is saved
# (issue 10, a fast start): migrations, preparing documents, the deadline rules.
NOT_FOR_ASKING = (
    "alembic",
    "httpx",
    "knowledge.documents.prepare",
    "knowledge.documents.links",
    "knowledge.documents.metadata",
    "knowledge.deadlines.extract",
    "knowledge.deadlines.tables",
    # The saved index is searched without it; building and merging segments load it.
    "scipy",
)


def _loaded_among(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == n or m.startswith(n + ".") for n in names))


def test_answering_with_a_current_schema_loads_no_migrations_or_document_preparation(demo_data_dir: Path) -> None:
    for question in ("Hải Dương xếp hạng chuyển đổi số thứ mấy?", "Thời tiết trên sao Hỏa hôm nay thế nào?"):
        loaded = _modules_loaded_by_cli(["ask", question], demo_data_dir)
        assert _loaded_among(loaded, NOT_FOR_ASKING) == []


# A cold `ask` on the usual start reads SQLite with the standard library (bot.cli.cold_ask,
# knowledge/answers/saved_base.py): the database layer and the settings library stay unloaded.
# Nor does it load what only ingest uses: the official header and table readers, the parse worker.
NOT_FOR_A_COLD_ASK = (
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "knowledge.models",
    "knowledge.documents.header",
    "knowledge.documents.tables",
    "knowledge.documents.worker",
)


@pytest.mark.parametrize(
    "question",
    [
        "Hải Dương xếp hạng chuyển đổi số thứ mấy?",  # passages
        "Tỉnh nào xếp hạng chuyển đổi số cao nhất?",  # a ranking from the facts
        "Hải Dương qua các năm",  # a trend, read for one province under its old and new names
        "Thời tiết trên sao Hỏa hôm nay thế nào?",  # no information: the bot's examples are offered
    ],
)
def test_a_cold_ask_imports_neither_sqlalchemy_nor_pydantic(demo_data_dir: Path, question: str) -> None:
    for argv in (["ask", question], ["ask", "--json", question]):
        assert _loaded_among(_modules_loaded_by_cli(argv, demo_data_dir), NOT_FOR_A_COLD_ASK) == []


def test_cli_help_does_not_look_up_the_installed_version(tmp_path: Path) -> None:
    assert _loaded_among(_modules_loaded_by_cli(["--help"], tmp_path), ("importlib.metadata", "email")) == []


def test_an_old_schema_is_still_upgraded_on_the_way_to_an_answer(demo_data_dir: Path, tmp_path: Path) -> None:
    import shutil
    import sqlite3

    from knowledge.db import head_revision
    from tests.knowledge.db.test_schema_check import downgrade_one_revision

    data_dir = tmp_path / "old"
    shutil.copytree(demo_data_dir, data_dir)
    downgrade_one_revision(f"sqlite:///{data_dir / 'cdsbot.sqlite3'}")
    with sqlite3.connect(data_dir / "cdsbot.sqlite3") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() != [(head_revision(),)]
    loaded = _modules_loaded_by_cli(["ask", "Hải Dương xếp hạng chuyển đổi số thứ mấy?"], data_dir)
    assert "alembic" in loaded
    with sqlite3.connect(data_dir / "cdsbot.sqlite3") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
        assert connection.execute("SELECT count(*) FROM passage").fetchone()[0] > 0


# ------------------------------------------------------------- one owner of HTML
# Telegram's HTML tags (https://core.telegram.org/bots/api#html-style), as they would be written in source.
_HTML_TAG = re.compile(
    r"</?(?:b|strong|i|em|u|ins|s|strike|del|code|pre|a|span|tg-spoiler|tg-emoji|blockquote)(?:\s[^<>]*)?>"
)


def html_outside_render(source: str) -> list[str]:
    """``html.escape`` calls and literal Telegram HTML tags in a module's source, one line each."""
    return [
        f"{number}: {line.strip()}"
        for number, line in enumerate(source.splitlines(), start=1)
        if "html.escape" in line or _HTML_TAG.search(line)
    ]


def test_telegram_html_is_built_only_in_bot_render() -> None:
    """The conversation writes styled text (bot/render/rich.py); only bot/render/ turns it into HTML and escapes."""
    offenders = {
        str(path.relative_to(ROOT)): found
        for name, path in MODULES.items()
        if _within(name, "bot") and not _within(name, "bot.render")
        if (found := html_outside_render(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_html_guard_sees_escapes_and_tags() -> None:
    source = (
        'title = html.escape(document.title)\n'
        'line = f"<b>#{view.id}</b> {task}"\n'
        "link = '<a href=\"x\">x</a>'\n"
        'arrow = "a -> b <= c"  # not a tag\n'
        'text = "<i>chú thích</i>"\n'
    )
    assert [found.split(":")[0] for found in html_outside_render(source)] == ["1", "2", "3", "5"]


def test_the_conversation_and_rendering_never_import_telegram() -> None:
    """Only bot/telegram/ delivers through Telegram; what is said and how it looks serve `cdsbot chat` too."""
    front_end_free = ("bot.conversation", "bot.render", "bot.terminal_chat")
    offenders = {
        f"{MODULES[name].relative_to(ROOT)}:{imported.line}": imported.module
        for name in MODULES
        if any(_within(name, package) for package in front_end_free)
        for imported in imports_of(MODULES[name])
        if imported.module.split(".")[0] == "telegram" or _within(imported.module, "bot.telegram")
    }
    assert offenders == {}
