"""The committed JSON Schema is generated from the format description, and describes the real content."""

from __future__ import annotations

from pathlib import Path

import yaml

from gkgen.formats import schema
from tests.helpers import REPO


def test_committed_schema_is_up_to_date() -> None:
    for name, text in schema.rendered().items():
        committed = (REPO / "schema" / name).read_text(encoding="utf-8")
        assert committed == text, f"schema/{name} is stale: run `make schema`"


def test_schema_lists_every_row_of_every_format() -> None:
    from gkgen import formats

    report = schema.report_schema()
    for rule in report["allOf"]:
        fmt_id = rule["if"]["properties"]["format"]["enum"][0]
        fmt = formats.get(fmt_id)
        if not fmt.has_tables:
            continue
        props = rule["then"]["properties"]
        assert list(props["requests"]["properties"]) == [r.key for r in fmt.request_rows]
        assert props["requests"]["properties"]["new"]["minItems"] == len(fmt.request_columns)
        assert list(props["appeals"]["properties"]) == [g.key for g in fmt.appeal_groups]


def test_real_reports_satisfy_the_schema() -> None:
    jsonschema = __import__("pytest").importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema.report_schema())
    for path in sorted(Path(REPO, "content", "reports").glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, (path, errors)
    # And a typo is caught by the schema too (what editors see while typing).
    data = yaml.safe_load((REPO / "content/reports/410204-wuyi/2021.yaml").read_text(encoding="utf-8"))
    data["requests"]["withheld.state_secrets"] = data["requests"].pop("withheld.state_secret")
    assert list(validator.iter_errors(data))
