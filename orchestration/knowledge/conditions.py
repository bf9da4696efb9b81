"""The one small condition language tags and rules share, and its compilation.

A condition is a leaf or a group::

    {feature: calls_to_traffic_radio_per_month, op: ">=", value: 2}
    {feature: value_tier, op: in, value: [diamond, gold]}
    {feature: age_years, op: between, value: [18, 23]}
    {tag: car_owner}                       # has the tag (same as op: "=", value: true)
    {tag: car_owner, op: "=", value: false}  # does not have it
    {all: [<condition>, ...]}                # every one holds
    {any: [<condition>, ...]}                # at least one holds

Operators: ``>  >=  <  <=  =  !=  in  not in  between``. Numbers take every operator but
``in``/``not in``; text takes ``=  !=  in  not in``; booleans ``=  !=``. A missing value never
satisfies a condition (not even ``!=``).

Compilation turns the tree into disjunctive normal form: a list of *clauses*, each a list of
leaves that must all hold; the tag or rule holds when any clause does. dbt evaluates that shape
generically (join the long feature table to the leaves, count true leaves per clause), so a new
YAML file needs no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orchestration.knowledge.catalogue import Feature
from orchestration.knowledge.problems import did_you_mean

OPERATORS = (">", ">=", "<", "<=", "=", "!=", "in", "not in", "between")
OPERATORS_BY_TYPE = {
    "number": (">", ">=", "<", "<=", "=", "!=", "between"),
    "text": ("=", "!=", "in", "not in"),
    "boolean": ("=", "!="),
}
MAX_CLAUSES = 64
TAG_PREFIX = "tag:"


@dataclass(frozen=True)
class Leaf:
    """One comparison, validated and typed."""

    name: str  # feature name, or tag:<tag id>
    operator: str
    value_kind: str  # number, text or boolean
    value_number: float | None = None
    value_number_high: float | None = None
    value_text: str | None = None
    value_list: tuple[str, ...] = ()

    @property
    def threshold_text(self) -> str:
        if self.operator == "between":
            return f"between {_num(self.value_number)} and {_num(self.value_number_high)}"
        if self.operator in ("in", "not in"):
            return f"{self.operator} ({', '.join(self.value_list)})"
        shown = _num(self.value_number) if self.value_kind == "number" else self.value_text
        return f"{self.operator} {shown}"

    @property
    def condition_text(self) -> str:
        return f"{self.name} {self.threshold_text}"


@dataclass(frozen=True)
class Group:
    combinator: str  # all or any
    children: tuple[Leaf | Group, ...]


Node = Leaf | Group


def _num(value: float | None) -> str:
    if value is None:
        return "null"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True)
class Reference:
    """What a leaf may name: a feature, or a tag seen as a feature of its own."""

    name: str
    value_type: str  # number, text or boolean
    values: tuple[str, ...] = ()


class ConditionParser:
    """Parses raw YAML conditions into a typed tree, collecting problems as (field, message)."""

    def __init__(self, features: dict[str, Feature], tags: dict[str, Reference] | None,
                 check_names: bool = True) -> None:
        self.features = features
        self.tags = tags  # None: tags may not be used here
        self.check_names = check_names
        self.problems: list[tuple[str, str]] = []

    def parse(self, raw: Any, path: str) -> Node | None:
        if not isinstance(raw, dict):
            self.problems.append((path, f"a condition must be a mapping (feature/tag, op, value) or a group "
                                        f"(all/any), got {type(raw).__name__} {raw!r}"))
            return None
        groups = [k for k in ("all", "any") if k in raw]
        if groups:
            return self._group(raw, groups, path)
        return self._leaf(raw, path)

    def _group(self, raw: dict, groups: list[str], path: str) -> Group | None:
        if len(groups) > 1 or len(raw) > 1:
            self.problems.append((path, f"a group has exactly one key, all or any (got {sorted(raw)})"))
            return None
        key = groups[0]
        items = raw[key]
        if not isinstance(items, list) or not items:
            self.problems.append((f"{path}.{key}", "must be a non-empty list of conditions"))
            return None
        children = [self.parse(item, f"{path}.{key}[{i}]") for i, item in enumerate(items)]
        if any(c is None for c in children):
            return None
        return Group(key, tuple(c for c in children if c is not None))

    def _leaf(self, raw: dict, path: str) -> Leaf | None:
        allowed = {"feature", "tag", "op", "value"}
        unknown = sorted(set(raw) - allowed)
        if unknown:
            self.problems.append((path, f"unknown key(s) {unknown} in a condition (allowed: feature or tag, op, "
                                        "value; or a group all/any)"))
            return None
        if ("feature" in raw) == ("tag" in raw):
            self.problems.append((path, "a condition names exactly one of feature or tag"))
            return None
        if "feature" in raw:
            ref = self._feature(raw["feature"], f"{path}.feature")
            if ref is None:
                return None
            if "op" not in raw or "value" not in raw:
                missing = [k for k in ("op", "value") if k not in raw]
                self.problems.append((path, f"missing {' and '.join(missing)} for feature {ref.name}"))
                return None
            return self._typed(ref, raw["op"], raw["value"], path)
        ref = self._tag(raw["tag"], f"{path}.tag")
        if ref is None:
            return None
        if ref.value_type == "boolean" and "op" not in raw and "value" not in raw:
            return Leaf(ref.name, "=", "boolean", value_text="true")
        if "op" not in raw or "value" not in raw:
            self.problems.append((path, f"tag {ref.name[len(TAG_PREFIX):]} has {ref.value_type} values: give op and "
                                        "value"))
            return None
        return self._typed(ref, raw["op"], raw["value"], path)

    def _feature(self, name: Any, path: str) -> Reference | None:
        if not isinstance(name, str) or not name:
            self.problems.append((path, f"feature must be a feature name, got {name!r}"))
            return None
        feature = self.features.get(name)
        if feature is None:
            if not self.check_names:
                return Reference(name, "number")
            self.problems.append((path, f"unknown feature '{name}'{did_you_mean(name, self.features)} — features "
                                        "are the documented columns of int_customer_features"))
            return None
        return Reference(name, feature.feature_type, feature.values)

    def _tag(self, name: Any, path: str) -> Reference | None:
        if self.tags is None:
            self.problems.append((path, "tags cannot use other tags; use features"))
            return None
        if not isinstance(name, str) or not name:
            self.problems.append((path, f"tag must be a tag id, got {name!r}"))
            return None
        ref = self.tags.get(name)
        if ref is None:
            if not self.check_names:
                return Reference(TAG_PREFIX + name, "boolean")
            self.problems.append((path, f"unknown tag '{name}'{did_you_mean(name, self.tags)} — rules use tags of "
                                        "the tag library (knowledge/tags)"))
            return None
        return ref

    def _typed(self, ref: Reference, op: Any, value: Any, path: str) -> Leaf | None:
        if op not in OPERATORS:
            self.problems.append((f"{path}.op", f"unknown operator {op!r} (use one of {', '.join(OPERATORS)})"))
            return None
        allowed = OPERATORS_BY_TYPE[ref.value_type]
        if op not in allowed:
            self.problems.append((f"{path}.op", f"operator '{op}' does not apply to {ref.value_type} {ref.name} "
                                                f"(use one of {', '.join(allowed)})"))
            return None
        where = f"{path}.value"
        if ref.value_type == "number":
            return self._number_leaf(ref, op, value, where)
        if ref.value_type == "boolean":
            if not isinstance(value, bool):
                self.problems.append((where, f"{ref.name} is true/false: value must be true or false, got {value!r}"))
                return None
            return Leaf(ref.name, op, "boolean", value_text="true" if value else "false")
        return self._text_leaf(ref, op, value, where)

    def _number_leaf(self, ref: Reference, op: str, value: Any, where: str) -> Leaf | None:
        def is_number(v: Any) -> bool:
            return isinstance(v, (int, float)) and not isinstance(v, bool)

        if op == "between":
            if not (isinstance(value, list) and len(value) == 2 and all(is_number(v) for v in value)):
                self.problems.append((where, f"between takes [low, high] numbers, got {value!r}"))
                return None
            if value[0] > value[1]:
                self.problems.append((where, f"between [low, high] needs low <= high, got {value!r}"))
                return None
            return Leaf(ref.name, op, "number", value_number=float(value[0]), value_number_high=float(value[1]))
        if not is_number(value):
            self.problems.append((where, f"{ref.name} is a number: value must be a number, got {value!r}"))
            return None
        return Leaf(ref.name, op, "number", value_number=float(value))

    def _text_leaf(self, ref: Reference, op: str, value: Any, where: str) -> Leaf | None:
        values = value if op in ("in", "not in") else [value]
        if op in ("in", "not in") and (not isinstance(value, list) or not value):
            self.problems.append((where, f"'{op}' takes a non-empty list of values, got {value!r}"))
            return None
        if not all(isinstance(v, str) and v for v in values):
            self.problems.append((where, f"{ref.name} is text: values must be non-empty text, got {value!r}"))
            return None
        if any("|" in v for v in values):
            self.problems.append((where, "values may not contain '|'"))
            return None
        if ref.values:
            unknown = [v for v in values if v not in ref.values]
            if unknown:
                self.problems.append((where, f"{ref.name} takes the values {', '.join(ref.values)}; "
                                             f"not {', '.join(unknown)}"))
                return None
        if op in ("in", "not in"):
            return Leaf(ref.name, op, "text", value_list=tuple(values))
        return Leaf(ref.name, op, "text", value_text=values[0])


def to_clauses(node: Node) -> list[tuple[Leaf, ...]]:
    """Disjunctive normal form: the node holds when every leaf of any one clause holds."""
    if isinstance(node, Leaf):
        return [(node,)]
    parts = [to_clauses(child) for child in node.children]
    if node.combinator == "any":
        return [clause for part in parts for clause in part]
    clauses: list[tuple[Leaf, ...]] = [()]
    for part in parts:
        clauses = [left + right for left in clauses for right in part]
        if len(clauses) > MAX_CLAUSES:
            break
    return clauses


def describe(node: Node) -> str:
    """The condition as one readable line, e.g. (a >= 2 and (b = true or c in (x, y)))."""
    if isinstance(node, Leaf):
        return node.condition_text
    joiner = " and " if node.combinator == "all" else " or "
    inner = joiner.join(describe(child) for child in node.children)
    return f"({inner})" if len(node.children) > 1 else inner


def referenced_tags(node: Node) -> set[str]:
    """Tag ids the condition uses."""
    if isinstance(node, Leaf):
        return {node.name[len(TAG_PREFIX):]} if node.name.startswith(TAG_PREFIX) else set()
    return set().union(*(referenced_tags(child) for child in node.children))
