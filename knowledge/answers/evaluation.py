"""Measuring answer quality on question files (``cdsbot eval``).

The format is one JSON object a line: ``q`` (the question as typed), ``doc``
(which document should answer, matched against the file name's prefix, or
null when the base must refuse) and ``any`` (the answer is right when the
snippet contains one of these strings).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.answers.answer import Answer
from knowledge.errors import UserFacingError
from knowledge.library import Library


class EvalFileError(UserFacingError):
    """A question file that cannot be read: missing, not JSON Lines, or a line without ``q``."""


@dataclass(frozen=True)
class EvalQuestion:
    q: str
    doc: str | None
    any: tuple[str, ...]


@dataclass
class EvalReport:
    answerable: int = 0
    hit1: int = 0
    hit3: int = 0
    unanswerable: int = 0
    refused_correctly: int = 0
    lines: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "answerable": self.answerable,
            "hit@1": round(self.hit1 / self.answerable, 4) if self.answerable else 0.0,
            "hit@3": round(self.hit3 / self.answerable, 4) if self.answerable else 0.0,
            "unanswerable": self.unanswerable,
            "refusal_accuracy": round(self.refused_correctly / self.unanswerable, 4) if self.unanswerable else 1.0,
        }

    def summary(self) -> str:
        d = self.as_dict()
        return (
            f"hit@1 {d['hit@1']:.3f} ({self.hit1}/{self.answerable})  "
            f"hit@3 {d['hit@3']:.3f} ({self.hit3}/{self.answerable})  "
            f"refusal accuracy {d['refusal_accuracy']:.3f} ({self.refused_correctly}/{self.unanswerable})"
        )

    def details(self) -> list[str]:
        return self.lines


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read a question file; every way it can be wrong is an :class:`EvalFileError` naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise EvalFileError(f"Không tìm thấy tệp câu hỏi: {path}.", str(exc)) from exc
    except IsADirectoryError as exc:
        raise EvalFileError(f"{path} là một thư mục, không phải tệp câu hỏi.", str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise EvalFileError(f"Tệp {path} không phải văn bản UTF-8.", str(exc)) from exc
    except OSError as exc:
        raise EvalFileError(f"Không đọc được tệp câu hỏi {path}.", str(exc)) from exc
    questions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"Dòng {number} của {path} không phải JSON hợp lệ.", str(exc)) from exc
        if not isinstance(row, dict) or not isinstance(row.get("q"), str) or not row["q"].strip():
            raise EvalFileError(
                f"Dòng {number} của {path} thiếu khoá \"q\" (câu hỏi).", f"line {number}: no q"
            )
        expected = row.get("any", [])
        if not isinstance(expected, list) or not all(isinstance(e, str) for e in expected):
            raise EvalFileError(
                f"Dòng {number} của {path}: \"any\" phải là danh sách chuỗi.", f"line {number}: bad any"
            )
        questions.append(EvalQuestion(row["q"], row.get("doc"), tuple(expected)))
    if not questions:
        raise EvalFileError(f"Tệp {path} không có câu hỏi nào.", "empty question file")
    return questions


def snippet_hits(answer: Answer, expected: tuple[str, ...], depth: int) -> bool:
    return any(any(e in c.snippet for e in expected) for c in answer.citations[:depth])


def evaluate(library: Library, questions: list[EvalQuestion], *, k: int = 3) -> EvalReport:
    report = EvalReport()
    for question in questions:
        answer = library.ask(question.q, k=k)
        if question.doc is None:
            report.unanswerable += 1
            ok = not answer.found
            report.refused_correctly += ok
            report.lines.append(f"{'OK ' if ok else 'BAD'} refuse  {question.q}")
            continue
        report.answerable += 1
        first = snippet_hits(answer, question.any, 1)
        report.hit1 += first
        report.hit3 += snippet_hits(answer, question.any, 3)
        shown = answer.citations[0].snippet[:160] if answer.citations else "(refused)"
        report.lines.append(f"{'OK ' if first else 'BAD'} {question.q}\n      -> {shown}")
    return report


def evaluate_file(library: Library, path: Path, *, k: int = 3) -> EvalReport:
    return evaluate(library, load_questions(path), k=k)
