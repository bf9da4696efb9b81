"""Compile the marketers' YAML (tag tree, tags, rules) into the tables of schema ``knowledge``.

``compile_knowledge`` reads and validates every file, collecting *all* problems; if there is any,
it raises one ``KnowledgeError`` listing them (file, tag or rule, field, what is wrong), so a bad
file never silently yields nothing. Otherwise it returns Arrow tables:

    tag_tree          one row per node of the tag tree
    tag_definitions   one row per tag: library tags and the knowledge tags rules yield
    tag_conditions    the library tags' conditions, one row per leaf of each DNF clause
    rule_definitions  one row per rule
    rule_conditions   the rules' conditions, one row per leaf of each DNF clause
    rule_products     one row per rule and recommended product

``orchestration.knowledge.tables.write_knowledge`` replaces those tables in one transaction; dbt
declares them as the source ``knowledge`` and evaluates them for every customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from orchestration.knowledge.catalogue import Catalogue
from orchestration.knowledge.conditions import (
    MAX_CLAUSES,
    TAG_PREFIX,
    ConditionParser,
    Leaf,
    Node,
    Reference,
    describe,
    referenced_tags,
    to_clauses,
)
from orchestration.knowledge.problems import KnowledgeError, Problem, did_you_mean
from orchestration.knowledge.specs import (
    RuleSpec,
    TagSpec,
    TreeNodeSpec,
    item_id,
    read_yaml,
    validation_problems,
)
from orchestration.knowledge.tables import SCHEMAS, TABLES, CompiledKnowledge
from orchestration.settings import PROJECT_DIR

KNOWLEDGE_DIR = PROJECT_DIR / "knowledge"
TREE_FILE = "_tree.yml"
STATUSES = ("approved", "draft", "retired")

@dataclass
class _Tag:
    spec: TagSpec
    file: str
    node: Node | None


@dataclass
class _Rule:
    spec: RuleSpec
    file: str
    node: Node


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT_DIR))
    except ValueError:
        return str(path)


def _tree(folder: Path, problems: list[Problem]) -> list[tuple[TreeNodeSpec, str | None, str, int]]:
    path = folder / "tags" / TREE_FILE
    shown = _shown(path)
    if not path.exists():
        problems.append(Problem(shown, "file", None, None, "the tag tree file is missing"))
        return []
    document, found = read_yaml(path, shown)
    problems.extend(found)
    if document is None:
        return []
    if not isinstance(document, dict) or not isinstance(document.get("tree"), list):
        problems.append(Problem(shown, "file", None, None, "expected a top-level 'tree:' list of nodes"))
        return []
    nodes: list[tuple[TreeNodeSpec, str | None, str, int]] = []

    def walk(node: TreeNodeSpec, parent: str | None, prefix: str, level: int) -> None:
        path_text = f"{prefix}/{node.id}" if prefix else node.id
        if any(existing[2] == path_text for existing in nodes):
            problems.append(Problem(shown, "tree node", path_text, None, "appears twice in the tree"))
        nodes.append((node, parent, path_text, level))
        for child in node.children:
            walk(child, path_text, path_text, level + 1)

    for index, raw in enumerate(document["tree"]):
        try:
            walk(TreeNodeSpec.model_validate(raw), None, "", 1)
        except ValidationError as exc:
            problems.extend(validation_problems(exc, shown, "tree node", item_id(raw) or f"#{index + 1}",
                                                TreeNodeSpec))
    return nodes


def _items(path: Path, key: str, allow_single: bool, problems: list[Problem]) -> list[Any]:
    document, found = read_yaml(path, _shown(path))
    problems.extend(found)
    if document is None:
        return []
    if isinstance(document, dict) and key in document:
        if set(document) != {key}:
            problems.append(Problem(_shown(path), "file", None, None,
                                    f"a file with '{key}:' has no other top-level keys (got {sorted(document)})"))
        items = document[key]
    elif allow_single and isinstance(document, dict):
        items = [document]
    else:
        problems.append(Problem(_shown(path), "file", None, None, f"expected a top-level '{key}:' list"))
        return []
    if not isinstance(items, list):
        problems.append(Problem(_shown(path), "file", None, None, f"'{key}:' must be a list"))
        return []
    return items


def _check_category(category: str, paths: set[str], file: str, kind: str, ident: str, where: str,
                    problems: list[Problem]) -> None:
    if paths and category not in paths:
        problems.append(Problem(file, kind, ident, where, f"unknown category '{category}'"
                                f"{did_you_mean(category, paths)} (the tree is knowledge/tags/{TREE_FILE})"))


def _tags(folder: Path, catalogue: Catalogue, paths: set[str], problems: list[Problem]) -> dict[str, _Tag]:
    tags: dict[str, _Tag] = {}
    for path in sorted((folder / "tags").glob("*.yml")):
        if path.name == TREE_FILE:
            continue
        shown = _shown(path)
        for index, raw in enumerate(_items(path, "tags", False, problems)):
            ident = item_id(raw) or f"#{index + 1}"
            try:
                spec = TagSpec.model_validate(raw)
            except ValidationError as exc:
                problems.extend(validation_problems(exc, shown, "tag", ident, TagSpec))
                continue
            if spec.id in tags:
                problems.append(Problem(shown, "tag", spec.id, "id",
                                        f"duplicate tag id (also defined in {tags[spec.id].file})"))
                continue
            _check_category(spec.category, paths, shown, "tag", spec.id, "category", problems)
            tags[spec.id] = _Tag(spec, shown, _tag_condition(spec, shown, catalogue, problems))
    return tags


def _tag_condition(spec: TagSpec, file: str, catalogue: Catalogue, problems: list[Problem]) -> Node | None:
    live = spec.status != "retired"  # a retired tag is kept for the record, not evaluated
    node = None
    if spec.rule is not None:
        parser = ConditionParser(catalogue.features, tags=None, check_names=live)
        node = parser.parse(spec.rule, "rule")
        problems.extend(Problem(file, "tag", spec.id, f, m) for f, m in parser.problems)
        if node is not None and len(to_clauses(node)) > MAX_CLAUSES:
            problems.append(Problem(file, "tag", spec.id, "rule", f"more than {MAX_CLAUSES} alternatives: simplify"))
    wanted = {"quantitative": "number", "qualitative": "text"}[spec.kind]
    if spec.value_feature is not None and live:
        feature = catalogue.features.get(spec.value_feature)
        if feature is None:
            problems.append(Problem(file, "tag", spec.id, "value_feature", f"unknown feature '{spec.value_feature}'"
                                    f"{did_you_mean(spec.value_feature, catalogue.features)}"))
        elif feature.feature_type != wanted:
            problems.append(Problem(file, "tag", spec.id, "value_feature",
                                    f"a {spec.kind} tag takes its value from a {wanted} feature; "
                                    f"{spec.value_feature} is {feature.feature_type}"))
    if spec.kind == "quantitative" and spec.value_feature is None:
        problems.append(Problem(file, "tag", spec.id, "value_feature", "a quantitative tag needs a value_feature"))
    if spec.kind == "qualitative" and spec.rule is None and spec.value_feature is None:
        problems.append(Problem(file, "tag", spec.id, "rule", "a qualitative tag needs a rule (conditions) "
                                                              "or a value_feature (a text feature)"))
    return node


def _tag_reference(tag: _Tag) -> Reference:
    spec = tag.spec
    if spec.kind == "quantitative":
        return Reference(TAG_PREFIX + spec.id, "number")
    return Reference(TAG_PREFIX + spec.id, "text" if spec.value_feature else "boolean")


def _rules(folder: Path, catalogue: Catalogue, paths: set[str], tags: dict[str, _Tag],
           problems: list[Problem]) -> dict[str, _Rule]:
    references = {tag_id: _tag_reference(tag) for tag_id, tag in tags.items()}
    for tag_id, tag in tags.items():
        values = catalogue.features[tag.spec.value_feature].values if tag.spec.value_feature in catalogue.features \
            else ()
        references[tag_id] = Reference(references[tag_id].name, references[tag_id].value_type, values)
    rules: dict[str, _Rule] = {}
    knowledge_names: dict[str, tuple[str, str, str, str]] = {}
    for path in sorted((folder / "rules").glob("*.yml")):
        shown = _shown(path)
        for index, raw in enumerate(_items(path, "rules", True, problems)):
            ident = item_id(raw) or f"#{index + 1}"
            try:
                spec = RuleSpec.model_validate(raw)
            except ValidationError as exc:
                problems.extend(validation_problems(exc, shown, "rule", ident, RuleSpec))
                continue
            if spec.id in rules:
                problems.append(Problem(shown, "rule", spec.id, "id",
                                        f"duplicate rule id (also defined in {rules[spec.id].file})"))
                continue
            before = len(problems)
            node = _rule_condition(spec, shown, catalogue, tags, references, problems)
            _rule_targets(spec, shown, catalogue, paths, tags, knowledge_names, problems)
            if node is not None and len(problems) == before:
                rules[spec.id] = _Rule(spec, shown, node)
    return rules


def _rule_condition(spec: RuleSpec, file: str, catalogue: Catalogue, tags: dict[str, _Tag],
                    references: dict[str, Reference], problems: list[Problem]) -> Node | None:
    live = spec.status != "retired"
    parser = ConditionParser(catalogue.features, tags=references, check_names=live)
    node = parser.parse(spec.when, "when")
    problems.extend(Problem(file, "rule", spec.id, f, m) for f, m in parser.problems)
    if node is None:
        return None
    if len(to_clauses(node)) > MAX_CLAUSES:
        problems.append(Problem(file, "rule", spec.id, "when", f"more than {MAX_CLAUSES} alternatives: simplify"))
    if spec.status == "approved":
        for tag_id in sorted(referenced_tags(node)):
            status = tags[tag_id].spec.status if tag_id in tags else None
            if status not in (None, "approved"):
                problems.append(Problem(file, "rule", spec.id, "when", f"an approved rule may only use approved "
                                        f"tags; tag '{tag_id}' is {status}"))
    return node


def _rule_targets(spec: RuleSpec, file: str, catalogue: Catalogue, paths: set[str], tags: dict[str, _Tag],
                  knowledge_names: dict[str, tuple[str, str, str, str]], problems: list[Problem]) -> None:
    knowledge = spec.knowledge
    if knowledge.tag in tags:
        problems.append(Problem(file, "rule", spec.id, "knowledge.tag", f"'{knowledge.tag}' is a library tag "
                                f"({tags[knowledge.tag].file}); a rule yields a knowledge tag of its own"))
    _check_category(knowledge.category, paths, file, "rule", spec.id, "knowledge.category", problems)
    names = (knowledge.name_zh, knowledge.name_en, knowledge.category)
    if knowledge.tag in knowledge_names and knowledge_names[knowledge.tag][:3] != names:
        problems.append(Problem(file, "rule", spec.id, "knowledge", f"knowledge tag '{knowledge.tag}' is also yielded "
                                f"by rule '{knowledge_names[knowledge.tag][3]}' with other names or category"))
    knowledge_names.setdefault(knowledge.tag, (*names, spec.id))
    if catalogue.products is not None:
        for index, product in enumerate(spec.recommend.products):
            if product not in catalogue.products:
                problems.append(Problem(file, "rule", spec.id, f"recommend.products[{index}]",
                                        f"unknown product '{product}'{did_you_mean(product, catalogue.products)} "
                                        "(not in the product catalogue)"))
    duplicates = sorted({p for p in spec.recommend.products if spec.recommend.products.count(p) > 1})
    if duplicates:
        problems.append(Problem(file, "rule", spec.id, "recommend.products", f"listed twice: {duplicates}"))
    if spec.recommend.channel not in catalogue.channels:
        problems.append(Problem(file, "rule", spec.id, "recommend.channel",
                                f"unknown channel '{spec.recommend.channel}'"
                                f"{did_you_mean(spec.recommend.channel, catalogue.channels)} "
                                f"(known: {', '.join(sorted(catalogue.channels))})"))


def _condition_rows(owner_column: str, owner_id: str, node: Node) -> list[dict[str, Any]]:
    rows = []
    for clause_no, clause in enumerate(to_clauses(node), start=1):
        for condition_no, leaf in enumerate(clause, start=1):
            rows.append({owner_column: owner_id, "clause_no": clause_no, "condition_no": condition_no,
                         "clause_size": len(clause), **_leaf_columns(leaf)})
    return rows


def _leaf_columns(leaf: Leaf) -> dict[str, Any]:
    return {"feature_name": leaf.name, "operator": leaf.operator, "value_kind": leaf.value_kind,
            "value_number": leaf.value_number, "value_number_high": leaf.value_number_high,
            "value_text": leaf.value_text, "value_list": "|" + "|".join(leaf.value_list) + "|" if leaf.value_list
            else None, "threshold_text": leaf.threshold_text, "condition_text": leaf.condition_text}


def _table(name: str, rows: list[dict[str, Any]], compiled_at: datetime) -> pa.Table:
    schema = SCHEMAS[name].append(pa.field("compiled_at", pa.timestamp("us")))
    return pa.Table.from_pylist([{**row, "compiled_at": compiled_at} for row in rows], schema=schema)


def compile_knowledge(folder: Path, catalogue: Catalogue, compiled_at: datetime | None = None) -> CompiledKnowledge:
    """Validate every YAML file under ``folder`` and compile it; raise KnowledgeError listing all problems."""
    problems: list[Problem] = []
    tree = _tree(folder, problems)
    paths = {node_path for _, _, node_path, _ in tree}
    tags = _tags(folder, catalogue, paths, problems)
    rules = _rules(folder, catalogue, paths, tags, problems)
    if problems:
        raise KnowledgeError(problems)
    at = compiled_at or datetime.now(UTC).replace(tzinfo=None)

    tree_rows = [{"node_id": n.id, "parent_node_id": parent.rsplit("/", 1)[-1] if parent else None,
                  "category_path": node_path, "node_level": level, "node_name_zh": n.name_zh,
                  "node_name_en": n.name_en, "node_description": n.description} for n, parent, node_path, level in tree]
    tag_rows, tag_conditions = [], []
    for tag_id, tag in sorted(tags.items()):
        spec = tag.spec
        tag_rows.append({
            "tag_id": tag_id, "tag_name_zh": spec.name_zh, "tag_name_en": spec.name_en,
            "category_path": spec.category, "tag_kind": spec.kind, "value_type": _tag_reference(tag).value_type,
            "value_feature": spec.value_feature, "rule_text": describe(tag.node) if tag.node else None,
            "owner": spec.owner, "description": spec.description.strip(), "refresh_cadence": spec.refresh,
            "tag_status": spec.status, "tag_source": "library", "source_rule_ids": None, "source_file": tag.file,
            "expected_coverage_min": spec.coverage.min if spec.coverage else None,
            "expected_coverage_max": spec.coverage.max if spec.coverage else None})
        if tag.node is not None and spec.status != "retired":
            tag_conditions.extend(_condition_rows("tag_id", tag_id, tag.node))

    rule_rows, rule_conditions, rule_products = [], [], []
    by_knowledge: dict[str, list[_Rule]] = {}
    for rule_id, rule in sorted(rules.items()):
        spec = rule.spec
        by_knowledge.setdefault(spec.knowledge.tag, []).append(rule)
        rule_rows.append({
            "rule_id": rule_id, "rule_name": spec.name, "description": spec.description.strip(),
            "knowledge_tag": spec.knowledge.tag, "suggested_channel": spec.recommend.channel,
            "script_hint": spec.recommend.script_hint.strip(), "owner": spec.owner, "rule_status": spec.status,
            "refresh_cadence": spec.refresh, "rule_text": describe(rule.node), "source_file": rule.file})
        if spec.status != "retired":
            rule_conditions.extend(_condition_rows("rule_id", rule_id, rule.node))
        rule_products.extend({"rule_id": rule_id, "product_rank": rank, "product_id": product}
                             for rank, product in enumerate(spec.recommend.products, start=1))
    for knowledge_tag, yielding in sorted(by_knowledge.items()):
        first = yielding[0].spec
        statuses = {r.spec.status for r in yielding}
        status = next(s for s in ("approved", "draft", "retired") if s in statuses)
        tag_rows.append({
            "tag_id": knowledge_tag, "tag_name_zh": first.knowledge.name_zh, "tag_name_en": first.knowledge.name_en,
            "category_path": first.knowledge.category, "tag_kind": "qualitative", "value_type": "boolean",
            "value_feature": None, "rule_text": " or ".join(describe(r.node) for r in yielding),
            "owner": ", ".join(sorted({r.spec.owner for r in yielding})),
            "description": f"Knowledge yielded by rule(s) {', '.join(r.spec.id for r in yielding)}: "
                           f"{first.description.strip()}",
            "refresh_cadence": first.refresh, "tag_status": status, "tag_source": "knowledge_rule",
            "source_rule_ids": ",".join(r.spec.id for r in yielding),
            "source_file": ",".join(sorted({r.file for r in yielding})),
            "expected_coverage_min": None, "expected_coverage_max": None})

    rows = {"tag_tree": tree_rows, "tag_definitions": tag_rows, "tag_conditions": tag_conditions,
            "rule_definitions": rule_rows, "rule_conditions": rule_conditions, "rule_products": rule_products}
    library = [t.spec for t in tags.values()]
    summary = {
        "tree_nodes": len(tree_rows),
        "library_tags": len(library),
        "library_tags_by_status": {s: sum(t.status == s for t in library) for s in STATUSES},
        "rules": len(rules),
        "rules_by_status": {s: sum(r.spec.status == s for r in rules.values()) for s in STATUSES},
        "knowledge_tags": len(by_knowledge),
        "condition_rows": len(tag_conditions) + len(rule_conditions),
        "catalogue": catalogue.sources,
    }
    return CompiledKnowledge({name: _table(name, rows[name], at) for name in TABLES}, at, summary)
