"""Problems found in the marketers' YAML, reported all at once with file, item and field.

A bad tag or rule file never compiles to "nothing": every problem becomes one line of a
``KnowledgeError`` naming the file, the tag or rule, the field and what is wrong, e.g.

    knowledge/rules/golfer.yml: rule 'golfer': when.all[1].op: unknown operator '=>' (use one of ...)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file."""

    file: str
    item_kind: str  # "tag", "rule", "tree node" or "file"
    item_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.item_kind != "file":
            where += f": {self.item_kind} '{self.item_id}'" if self.item_id else f": {self.item_kind}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


class KnowledgeError(ValueError):
    """The knowledge YAML does not compile; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the knowledge YAML:\n{lines}")


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """' (did you mean x?)' when a known name is close to ``value``, else ''."""
    close = difflib.get_close_matches(value, list(known), n=2, cutoff=0.6)
    return f" (did you mean {' or '.join(close)}?)" if close else ""
