"""The tag library and the behaviour → knowledge → product rules, as governed YAML.

Marketers write tags (``knowledge/tags/*.yml``) and rules (``knowledge/rules/*.yml``) in one
small condition language over the documented customer features. This package validates those
files (every problem names the file, the tag or rule, and the field) and compiles them into
the ``knowledge`` schema, which dbt reads as a source and evaluates for every customer:

    from orchestration.knowledge.compile_knowledge import KNOWLEDGE_DIR, compile_knowledge
    from orchestration.knowledge.tables import write_knowledge
    compiled = compile_knowledge(KNOWLEDGE_DIR, catalogue)
    write_knowledge(db_path, compiled)

The CLI (``touchpoint knowledge compile``) and the Dagster asset (group ``knowledge``) both call
these two functions.
"""
