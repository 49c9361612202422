"""Validates a driftd report against its schema; used by tests/formats.rs.

Usage: validate.py json|sarif|junit FILE

- json:  docs/report.schema.json (JSON Schema 2020-12, the project's own schema)
- sarif: tests/schemas/sarif-2.1.0.json (the OASIS SARIF 2.1.0 schema, draft-07)
- junit: tests/schemas/junit.xsd (the Jenkins xUnit plugin's junit-10.xsd), plus a check that
         the tests/failures/errors/skipped counts of every testsuite match its test cases

Prints "valid" and exits 0, or prints every problem and exits 1.
"""

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def validate_json_schema(schema_path, doc):
    import jsonschema

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    problems = []

    def report(e):
        # oneOf/anyOf: the reasons of each branch say more than "not valid under any".
        if e.context:
            for sub in e.context:
                report(sub)
        else:
            where = "/".join(str(p) for p in e.absolute_path) or "(root)"
            problems.append(f"{where}: {e.message}")

    for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.path))):
        report(e)
    return problems


def validate_junit(path):
    import xmlschema
    import xml.etree.ElementTree as ET

    schema = xmlschema.XMLSchema(str(HERE / "junit.xsd"))
    problems = [str(e).splitlines()[0] + f" (at {e.path})" for e in schema.iter_errors(str(path))]
    root = ET.parse(path).getroot()
    if root.tag != "testsuites":
        problems.append(f"root element is <{root.tag}>, expected <testsuites>")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        for key, n in counts.items():
            if suite.get(key) != str(n):
                problems.append(
                    f"testsuite {suite.get('name')!r}: {key}={suite.get(key)!r}, counted {n}"
                )
            if key in totals:
                totals[key] += n
    for key, n in totals.items():
        if root.get(key) is not None and root.get(key) != str(n):
            problems.append(f"testsuites: {key}={root.get(key)!r}, counted {n}")
    return problems


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    fmt, path = sys.argv[1], pathlib.Path(sys.argv[2])
    if fmt == "json":
        problems = validate_json_schema(ROOT / "docs" / "report.schema.json", json.loads(path.read_text(encoding="utf-8")))
    elif fmt == "sarif":
        problems = validate_json_schema(HERE / "sarif-2.1.0.json", json.loads(path.read_text(encoding="utf-8")))
    elif fmt == "junit":
        problems = validate_junit(path)
    else:
        print(f"unknown format {fmt!r}: expected json, sarif or junit")
        return 2
    if problems:
        print("\n".join(problems))
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
