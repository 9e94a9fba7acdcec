#!/usr/bin/env python3
"""Validates NDJSON (one JSON document per line, on stdin) against a JSON Schema in schemas/.

Usage: scripts/validate-json.py schemas/export-line.schema.json < lines.ndjson
       scripts/validate-json.py --events schemas/export-line.schema.json < export.ndjson
With --events, each line is also taken as an exported event whose payload must match
schemas/events/<type>.v<schemaVersion>.schema.json (a missing schema is an error).
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
    arguments = sys.argv[1:]
    events = "--events" in arguments
    arguments = [a for a in arguments if a != "--events"]
    schema_path = pathlib.Path(arguments[0])
    schema = json.loads(schema_path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    root = schema_path.parent
    while root.name != "schemas" and root != root.parent:
        root = root.parent
    shared = registry(root)
    validator = jsonschema.Draft202012Validator(schema, registry=shared)
    payload_validators = {}
    bad = 0
    count = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        count += 1
        document = json.loads(line)
        for error in validator.iter_errors(document):
            bad += 1
            print(f"line {number}: {error.message}")
        if events:
            name = f"{document.get('type')}.v{document.get('schemaVersion')}"
            if name not in payload_validators:
                path = root / "events" / f"{name}.schema.json"
                payload_validators[name] = (
                    jsonschema.Draft202012Validator(json.loads(path.read_text()), registry=shared)
                    if path.exists() else None
                )
            payload_validator = payload_validators[name]
            if payload_validator is None:
                bad += 1
                print(f"line {number}: no schema for event type {name} in schemas/events/")
                continue
            for error in payload_validator.iter_errors(document.get("payload")):
                bad += 1
                print(f"line {number}: {name} payload: {error.message}")
    print(f"{count} documents, {bad} errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
