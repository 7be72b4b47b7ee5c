#!/usr/bin/env python3
"""Validates JSON documents against the project's JSON Schemas (resources/schemas/).

Reads lines "SCHEMA<TAB>DOCUMENT" on standard input and answers each with one line: "ok", or
"invalid: <where>: <message>" (the first error). With --check, exits 0 when jsonschema can be
imported and 77 when it cannot (tst_schemas then skips).
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.exit(77)

if "--check" in sys.argv:
    sys.exit(0)

validators = {}
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line:
        continue
    schema_path, document_path = line.split("\t", 1)
    try:
        if schema_path not in validators:
            with open(schema_path, encoding="utf-8") as f:
                schema = json.load(f)
            jsonschema.Draft202012Validator.check_schema(schema)
            validators[schema_path] = jsonschema.Draft202012Validator(schema)
        with open(document_path, encoding="utf-8") as f:
            document = json.load(f)
        error = jsonschema.exceptions.best_match(validators[schema_path].iter_errors(document))
        if error is None:
            print("ok", flush=True)
        else:
            where = "/" + "/".join(str(p) for p in error.absolute_path)
            print("invalid: %s: %s" % (where, error.message[:500]), flush=True)
    except Exception as e:  # a broken schema or document is an answer too, not a hang
        print("invalid: %s: %s" % (document_path, str(e).replace("\n", " ")[:500]), flush=True)
