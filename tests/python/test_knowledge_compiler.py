"""The knowledge compiler on good and bad tag/rule files: the shipped library compiles, the
condition language compiles to DNF rows, and every kind of bad file fails with a message naming
the file, the rule (or tag) and the problem — never compiling silently to nothing."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from orchestration.generator.catalog import BY_ID
from orchestration.knowledge.catalogue import Catalogue, load_channels, load_features
from orchestration.knowledge.compile_knowledge import KNOWLEDGE_DIR, compile_knowledge
from orchestration.knowledge.problems import KnowledgeError
from orchestration.knowledge.tables import SCHEMAS, TABLES
from orchestration.settings import PROJECT_DIR

GOOD_RULE = """\
id: {rule_id}
name: Test rule
description: A rule written for the test.
owner: tester@touchpoint.example
status: approved
when:
  all:
    - {{feature: calls_to_traffic_radio_per_month, op: ">=", value: 2}}
knowledge:
  tag: {tag}
  name_zh: 测试
  name_en: Test
recommend:
  products: [VAS_CAR]
  channel: SMS
  script_hint: Hello.
"""


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue(features=load_features(), channels=load_channels(), products=set(BY_ID))


@pytest.fixture()
def library(tmp_path: Path) -> Path:
    """A copy of the shipped knowledge folder to add files to."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


def write_rule(library: Path, name: str, text: str) -> Path:
    path = library / "rules" / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(library: Path, catalogue: Catalogue) -> str:
    with pytest.raises(KnowledgeError) as caught:
        compile_knowledge(library, catalogue)
    return str(caught.value)


def test_shipped_library_compiles(catalogue: Catalogue) -> None:
    compiled = compile_knowledge(KNOWLEDGE_DIR, catalogue)
    summary = compiled.summary
    assert summary["library_tags_by_status"]["approved"] >= 60
    assert summary["rules_by_status"]["approved"] >= 10
    assert set(compiled.tables) == set(TABLES)
    for name, table in compiled.tables.items():
        assert table.schema.names == [*SCHEMAS[name].names, "compiled_at"]
    tags = compiled.tables["tag_definitions"].to_pylist()
    roots = {t["category_path"].split("/")[0] for t in tags if t["tag_status"] == "approved"}
    assert roots == {"demographic", "social", "interest_content", "behaviour", "value", "lifecycle",
                     "channel_contact", "risk"}
    behaviour = {t["category_path"] for t in tags if t["category_path"].startswith("behaviour/")}
    assert {"behaviour/voice", "behaviour/data", "behaviour/roaming", "behaviour/vas"} <= behaviour
    assert {t["tag_kind"] for t in tags} == {"qualitative", "quantitative"}


def test_condition_groups_compile_to_clauses(library: Path, catalogue: Catalogue) -> None:
    (library / "rules" / "nested.yml").write_text(textwrap.dedent("""\
        id: nested_rule
        name: Nested
        description: all(a, any(b, c)) is two clauses of two leaves.
        owner: tester@touchpoint.example
        status: approved
        when:
          all:
            - {feature: value_tier, op: in, value: [diamond, gold]}
            - any:
                - {tag: traffic_radio_caller}
                - {feature: age_years, op: between, value: [18, 23]}
        knowledge: {tag: nested_knowledge, name_zh: 嵌套, name_en: Nested}
        recommend: {products: [VAS_CAR, VAS_GOLF], channel: SMS, script_hint: Hi.}
        """), encoding="utf-8")
    compiled = compile_knowledge(library, catalogue)
    rows = [r for r in compiled.tables["rule_conditions"].to_pylist() if r["rule_id"] == "nested_rule"]
    assert sorted((r["clause_no"], r["condition_no"], r["feature_name"]) for r in rows) == [
        (1, 1, "value_tier"), (1, 2, "tag:traffic_radio_caller"), (2, 1, "value_tier"), (2, 2, "age_years")]
    assert {r["clause_size"] for r in rows} == {2}
    in_leaf = next(r for r in rows if r["feature_name"] == "value_tier")
    assert in_leaf["value_list"] == "|diamond|gold|" and in_leaf["threshold_text"] == "in (diamond, gold)"
    between = next(r for r in rows if r["feature_name"] == "age_years")
    assert (between["value_number"], between["value_number_high"]) == (18.0, 23.0)
    tag_leaf = next(r for r in rows if r["feature_name"].startswith("tag:"))
    assert (tag_leaf["operator"], tag_leaf["value_kind"], tag_leaf["value_text"]) == ("=", "boolean", "true")
    products = [r for r in compiled.tables["rule_products"].to_pylist() if r["rule_id"] == "nested_rule"]
    assert [(p["product_rank"], p["product_id"]) for p in products] == [(1, "VAS_CAR"), (2, "VAS_GOLF")]
    tags = {t["tag_id"]: t for t in compiled.tables["tag_definitions"].to_pylist()}
    assert tags["nested_knowledge"]["tag_source"] == "knowledge_rule"
    assert tags["nested_knowledge"]["category_path"] == "interest_content"


@pytest.mark.parametrize(("kind", "text", "expected"), [
    ("unknown feature", GOOD_RULE.format(rule_id="bad_feature", tag="kt_bad").replace(
        "calls_to_traffic_radio_per_month", "calls_to_trafic_radio_per_month"),
     ["rule 'bad_feature'", "when.all[0].feature", "unknown feature 'calls_to_trafic_radio_per_month'",
      "did you mean calls_to_traffic_radio_per_month"]),
    ("bad operator", GOOD_RULE.format(rule_id="bad_operator", tag="kt_bad").replace('op: ">="', 'op: "=>"'),
     ["rule 'bad_operator'", "when.all[0].op", "unknown operator '=>'"]),
    ("missing field", GOOD_RULE.format(rule_id="missing_field", tag="kt_bad").replace(
        "owner: tester@touchpoint.example\n", ""),
     ["rule 'missing_field'", "owner: missing required field"]),
    ("unknown product", GOOD_RULE.format(rule_id="bad_product", tag="kt_bad").replace("[VAS_CAR]", "[VAS_CARR]"),
     ["rule 'bad_product'", "recommend.products[0]", "unknown product 'VAS_CARR'", "did you mean VAS_CAR"]),
    ("unknown channel", GOOD_RULE.format(rule_id="bad_channel", tag="kt_bad").replace("channel: SMS",
                                                                                          "channel: PIGEON"),
     ["rule 'bad_channel'", "recommend.channel", "unknown channel 'PIGEON'"]),
    ("operator not for the type", GOOD_RULE.format(rule_id="bad_type", tag="kt_bad").replace(
        'op: ">=", value: 2', "op: in, value: [1, 2]"),
     ["rule 'bad_type'", "when.all[0].op", "operator 'in' does not apply to number"]),
    ("value of the wrong type", GOOD_RULE.format(rule_id="bad_value", tag="kt_bad").replace("value: 2", "value: two"),
     ["rule 'bad_value'", "when.all[0].value", "must be a number, got 'two'"]),
    ("text value the feature never takes", GOOD_RULE.format(rule_id="bad_text", tag="kt_bad").replace(
        '{feature: calls_to_traffic_radio_per_month, op: ">=", value: 2}',
        "{feature: value_tier, op: '=', value: platinum}"),
     ["rule 'bad_text'", "value_tier takes the values diamond, gold, silver, standard; not platinum"]),
    ("unknown tag", GOOD_RULE.format(rule_id="bad_tag", tag="kt_bad").replace(
        '{feature: calls_to_traffic_radio_per_month, op: ">=", value: 2}', "{tag: car_ownr}"),
     ["rule 'bad_tag'", "when.all[0].tag", "unknown tag 'car_ownr'"]),
    ("approved rule on a draft tag", GOOD_RULE.format(rule_id="uses_draft", tag="kt_bad").replace(
        '{feature: calls_to_traffic_radio_per_month, op: ">=", value: 2}', "{tag: hotel_booker}"),
     ["rule 'uses_draft'", "an approved rule may only use approved tags; tag 'hotel_booker' is draft"]),
    ("knowledge tag taken by a library tag", GOOD_RULE.format(rule_id="clash", tag="senior"),
     ["rule 'clash'", "knowledge.tag", "'senior' is a library tag"]),
    ("unknown field", GOOD_RULE.format(rule_id="typo_field", tag="kt_bad").replace("when:", "whenn:"),
     ["rule 'typo_field'", "whenn: unknown field (allowed: id, name,", "when: missing required field"]),
    ("bad id", GOOD_RULE.format(rule_id="Bad-Id", tag="kt_bad"),
     ["rule 'Bad-Id'", "id: ids are lower_snake_case"]),
    ("not YAML", "id: [unclosed\n", ["cannot read the YAML"]),
    ("empty file", "", ["the file is empty"]),
])
def test_bad_rule_file_names_file_rule_and_problem(library: Path, catalogue: Catalogue, kind: str, text: str,
                                                   expected: list[str]) -> None:
    write_rule(library, "bad_rule.yml", text)
    message = problems_of(library, catalogue)
    assert "knowledge/rules/bad_rule.yml" in message, kind
    for part in expected:
        assert part in message, f"{kind}: {part!r} not in\n{message}"


def test_duplicate_rule_id_names_both_files(library: Path, catalogue: Catalogue) -> None:
    write_rule(library, "first.yml", GOOD_RULE.format(rule_id="twice", tag="kt_twice"))
    write_rule(library, "second.yml", GOOD_RULE.format(rule_id="twice", tag="kt_twice"))
    message = problems_of(library, catalogue)
    assert "knowledge/rules/second.yml: rule 'twice': id: duplicate rule id (also defined in" in message
    assert "first.yml" in message


def test_every_problem_is_reported_at_once(library: Path, catalogue: Catalogue) -> None:
    write_rule(library, "one.yml", GOOD_RULE.format(rule_id="one", tag="kt_one").replace("channel: SMS",
                                                                                          "channel: FAX"))
    write_rule(library, "two.yml", GOOD_RULE.format(rule_id="two", tag="kt_two").replace("[VAS_CAR]", "[NOPE]"))
    with pytest.raises(KnowledgeError) as caught:
        compile_knowledge(library, catalogue)
    assert len(caught.value.problems) == 2
    assert {p.item_id for p in caught.value.problems} == {"one", "two"}


def test_bad_tag_file_names_file_tag_and_problem(library: Path, catalogue: Catalogue) -> None:
    (library / "tags" / "extra.yml").write_text(textwrap.dedent("""\
        tags:
          - id: wrong_place
            name_zh: 错位
            name_en: Misplaced
            category: behaviour/sms
            kind: qualitative
            rule: {feature: sms_out_per_month, op: ">=", value: 10}
            owner: tester@touchpoint.example
            description: Points at a tree node that does not exist.
            refresh: monthly
            status: approved
          - id: needs_value
            name_zh: 数值
            name_en: Needs a value
            category: behaviour/data
            kind: quantitative
            owner: tester@touchpoint.example
            description: Quantitative without a value feature.
            refresh: hourly
            status: approved
        """), encoding="utf-8")
    message = problems_of(library, catalogue)
    assert "knowledge/tags/extra.yml: tag 'wrong_place': category: unknown category 'behaviour/sms'" in message
    assert "knowledge/tags/extra.yml: tag 'needs_value': refresh: must be 'daily', 'weekly' or 'monthly'" in message


def test_cli_check_exits_2_and_prints_the_problems(library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from orchestration import cli
    from orchestration.cli import main

    monkeypatch.setattr(cli.console, "width", 1000)  # no wrapping of the long temporary path

    write_rule(library, "bad_rule.yml", GOOD_RULE.format(rule_id="cli_bad", tag="kt_cli").replace(
        'op: ">="', 'op: "~"'))
    code = main(["knowledge", "check", "--knowledge-dir", str(library), "--db", str(tmp_path / "none.duckdb")])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 2
    assert "bad_rule.yml: rule 'cli_bad': when.all[0].op: unknown operator '~'" in out


def test_source_yaml_matches_the_compiled_tables() -> None:
    """dbt's `knowledge` source declares exactly the columns and types the compiler writes."""
    types = {"string": "varchar", "int32": "integer", "double": "double", "timestamp[us]": "timestamp"}
    path = PROJECT_DIR / "models" / "staging" / "knowledge" / "_knowledge__sources.yml"
    source = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"][0]
    assert source["name"] == "knowledge" and source["schema"] == "knowledge"
    declared = {t["name"]: [(c["name"], c["data_type"]) for c in t["columns"]] for t in source["tables"]}
    assert sorted(declared) == sorted(TABLES)
    for name in TABLES:
        expected = [(f.name, types[str(f.type)]) for f in SCHEMAS[name]] + [("compiled_at", "timestamp")]
        assert declared[name] == expected, name
