"""The shape of the marketers' YAML: the tag tree, tags and rules, as pydantic models, and the
reader that turns files into validated specs or problems naming file, item and field.

Files:
- ``knowledge/tags/_tree.yml``: ``tree:`` the category tree (root nodes with ``children``).
- ``knowledge/tags/<anything>.yml``: ``tags:`` a list of tag definitions.
- ``knowledge/rules/<anything>.yml``: one rule (a mapping), or ``rules:`` a list of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from orchestration.knowledge.problems import Problem

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,62}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Status = Literal["draft", "approved", "retired"]
Cadence = Literal["daily", "weekly", "monthly"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TreeNodeSpec(_Strict):
    """A node of the tag tree; a tag hangs on a node by its path (e.g. behaviour/voice)."""

    id: Identifier
    name_zh: Text
    name_en: Text
    description: str = ""
    children: list[TreeNodeSpec] = Field(default_factory=list)


class CoverageSpec(_Strict):
    """Share of customers a tag is expected to cover; outside it the availability check fails."""

    min: float = Field(default=0.0, ge=0.0, le=1.0)
    max: float = Field(default=1.0, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> CoverageSpec:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        return self


class TagSpec(_Strict):
    """A tag of the library."""

    id: Identifier
    name_zh: Text
    name_en: Text
    category: Text
    kind: Literal["qualitative", "quantitative"]
    rule: Any = None
    value_feature: str | None = None
    owner: Text
    description: Text
    refresh: Cadence
    status: Status
    coverage: CoverageSpec | None = None


class KnowledgeSpec(_Strict):
    """The knowledge tag a rule yields."""

    tag: Identifier
    name_zh: Text
    name_en: Text
    category: Text = "interest_content"


class RecommendSpec(_Strict):
    """What a rule recommends, through which channel, with which opening line."""

    products: list[Text] = Field(min_length=1)
    channel: Text
    script_hint: Text


class RuleSpec(_Strict):
    """A behaviour → knowledge → product rule."""

    id: Identifier
    name: Text
    description: Text
    owner: Text
    status: Status
    refresh: Cadence = "monthly"
    when: Any
    knowledge: KnowledgeSpec
    recommend: RecommendSpec


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (PyYAML keeps the last)."""


def _no_duplicate_keys(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"key {key!r} appears twice",
                                                    key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)


def read_yaml(path: Path, shown: str) -> tuple[Any, list[Problem]]:
    """The parsed document, or a file-level problem."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 - safe loader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return None, [Problem(shown, "file", None, None, f"cannot read the YAML: {' '.join(str(exc).split())}")]
    if document is None:
        return None, [Problem(shown, "file", None, None, "the file is empty")]
    return document, []


def _field(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(whole item)"


def validation_problems(exc: ValidationError, file: str, kind: str, item_id: str | None,
                        model: type[BaseModel]) -> list[Problem]:
    """pydantic errors as problems a marketer can act on."""
    problems = []
    for error in exc.errors():
        loc, kind_of, given = error["loc"], error["type"], error.get("input")
        if kind_of == "missing":
            message = "missing required field"
        elif kind_of == "extra_forbidden":
            message = f"unknown field{_allowed(model, loc)}"
        elif kind_of == "string_pattern_mismatch":
            message = f"ids are lower_snake_case (a-z, 0-9, _; starting with a letter), got {given!r}"
        elif kind_of == "literal_error":
            message = f"{error['msg'].replace('Input should be', 'must be')}, got {given!r}"
        else:
            message = error["msg"].replace("Value error, ", "")
            if given is not None and not isinstance(given, dict):
                message += f", got {given!r}"
        problems.append(Problem(file, kind, item_id, _field(loc), message))
    return problems


def _allowed(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """'(allowed: ...)' for the model that the unknown field sits in."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        annotation = current.model_fields.get(str(part))
        target = getattr(annotation, "annotation", None)
        current = target if isinstance(target, type) and issubclass(target, BaseModel) else None
    if current is None:
        return ""
    return f" (allowed: {', '.join(current.model_fields)})"


def item_id(raw: Any) -> str | None:
    """The id a raw item claims, for messages, even when it is otherwise invalid."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return raw["id"]
    return None
