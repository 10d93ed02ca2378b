# Validates certify's JSON run reports against reports/run.schema.json (JSON Schema 2020-12,
# Debian's python3-jsonschema: scripts/deps.sh installs it). Prints "FILE valid" or
# "FILE invalid: PATH: what" per file; exits 1 when one is invalid, 2 when it cannot check.
# usage: /usr/bin/python3 validate-report.py SCHEMA FILE...
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate-report: no jsonschema module (scripts/deps.sh installs python3-jsonschema)")
    sys.exit(2)

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
    if errors:
        bad = 1
        where = "/".join(str(p) for p in errors[0].path) or "(top)"
        print("%s invalid: %s: %s" % (path, where, errors[0].message[:200]))
    else:
        print("%s valid" % path)
sys.exit(bad)
