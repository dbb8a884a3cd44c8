"""Validates an exported document with its format's official tooling; exits 1 with the problems.

    python validate.py cyclonedx FILE   # cyclonedx-python-lib's strict JSON schema validator (1.6)
    python validate.py spdx FILE        # spdx-tools: parse, then full SPDX 2.3 document validation
    python validate.py sarif FILE SCHEMA  # jsonschema against the SARIF 2.1.0 schema file

The test command installs these (scripts/setup.sh); the SARIF schema comes from the npm package
@microsoft/sarif-multitool-linux, whose `Sarif.Multitool validate` the tests also run.
"""
import json
import sys


def main() -> int:
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "cyclonedx":
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator

        with open(path, encoding="utf-8") as f:
            error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(f.read())
        if error is not None:
            print(error)
            return 1
    elif kind == "spdx":
        from spdx_tools.spdx.parser.parse_anything import parse_file
        from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

        messages = validate_full_spdx_document(parse_file(path))
        if messages:
            for m in messages[:20]:
                print(m.validation_message)
            return 1
    elif kind == "sarif":
        import jsonschema

        with open(sys.argv[3], encoding="utf-8") as f:
            schema = json.load(f)
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
        if errors:
            for e in errors[:20]:
                print(list(e.path), e.message)
            return 1
    else:
        print(f"unknown kind {kind}")
        return 2
    print(f"{kind}: valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
