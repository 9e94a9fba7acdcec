#!/usr/bin/env python3
"""Validates NDJSON (one JSON document per line, on stdin) against a JSON Schema in schemas/.

Usage: scripts/validate-json.py schemas/export-line.schema.json < lines.ndjson
Every schema under schemas/ is registered by file name and by $id, so relative $refs resolve.
Prints one line per invalid document (line number and reason) and exits 1 if any is invalid.
"""
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource


def registry(root: pathlib.Path) -> Registry:
    resources = []
    for path in root.rglob("*.schema.json"):
        contents = json.loads(path.read_text())
        resource = Resource.from_contents(contents)
        resources.append((path.name, resource))
        resources.append((str(path.relative_to(root)), resource))
        if "$id" in contents:
            resources.append((contents["$id"], resource))
    return Registry().with_resources(resources)


def main() -> int:
    schema_path = pathlib.Path(sys.argv[1])
    schema = json.loads(schema_path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    root = schema_path.parent
    while root.name != "schemas" and root != root.parent:
        root = root.parent
    validator = jsonschema.Draft202012Validator(schema, registry=registry(root))
    bad = 0
    count = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        count += 1
        for error in validator.iter_errors(json.loads(line)):
            bad += 1
            print(f"line {number}: {error.message}")
    print(f"{count} documents, {bad} errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
