#!/usr/bin/env python3
"""tests/lib/validate_json.py SCHEMA [--lines] < OUTPUT — does a command's
--output json (or, with --lines, each line of --output ndjson, against the
schema's items) follow SCHEMA (docs/schemas/*.schema.json)?  Prints each
error with its path and exits 1, else exits 0.

JSON Schema 2020-12 with python3-jsonschema (tests/deps.sh test); "integer"
means a JSON integer: 1700000000000000000, never 1.7e+18 or 1.0, which a
strict int64 parser rejects.  The other schemas of the directory resolve
"$ref"s.
"""
import glob
import json
import os
import sys
import warnings

try:
    import jsonschema
except ImportError:
    sys.exit("validate_json: python3-jsonschema is missing (sudo apt-get install -y python3-jsonschema)")


class Float(float):
    """A number written with a fraction or an exponent."""


def load_output(text):
    return json.loads(text, parse_float=Float, parse_constant=lambda c: sys.exit("not JSON: " + c))


def validator_for(path):
    schema_dir = os.path.dirname(os.path.abspath(path))
    schemas = {}
    for f in glob.glob(os.path.join(schema_dir, "*.schema.json")):
        with open(f, encoding="utf-8") as fh:
            s = json.load(fh)
        schemas[s["$id"]] = s
    with open(path, encoding="utf-8") as fh:
        schema = json.load(fh)
    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine(
        "integer", lambda _, v: isinstance(v, int) and not isinstance(v, bool))
    cls = jsonschema.validators.extend(base, type_checker=checker)
    try:
        from referencing import Registry, Resource
        registry = Registry().with_resources((i, Resource.from_contents(s)) for i, s in schemas.items())
        return cls(schema, registry=registry)
    except ImportError:  # jsonschema < 4.18 (Debian 12)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            resolver = jsonschema.RefResolver.from_schema(schema, store=schemas)
        return cls(schema, resolver=resolver)


def main(argv):
    if not argv:
        sys.exit(__doc__)
    v = validator_for(argv[0])
    text = sys.stdin.read()
    if "--lines" in argv[1:]:
        item = dict(v.schema.get("items", {}))
        item.setdefault("$id", v.schema.get("$id"))
        docs = [load_output(line) for line in text.splitlines() if line.strip()]
        v = v.evolve(schema=item)
    else:
        docs = [load_output(text)]
    errors = [e for d in docs for e in v.iter_errors(d)]
    for e in errors:
        print("%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(top)", e.message))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
