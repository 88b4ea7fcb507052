"""Every example of the served OpenAPI document holds to its schema.

Run by service/tests/contract.rs with the contract virtual environment's Python
(jsonschema_rs comes with schemathesis): python examples.py URL. Prints one line per
example checked; exits 1 listing those that do not hold.
"""

import json
import sys
import urllib.request

from jsonschema_rs import Draft202012Validator


def main(url: str) -> int:
    with urllib.request.urlopen(url) as answer:
        document = json.load(answer)
    components = document.get("components", {})
    checked, failures = 0, []

    def check(where: str, schema: dict, example) -> None:
        nonlocal checked
        # The schema's $refs (#/components/...) resolve against the document's components.
        rooted = dict(schema, components=components)
        errors = list(Draft202012Validator(rooted).iter_errors(example))
        checked += 1
        print(f"{'ok  ' if not errors else 'FAIL'} {where}")
        for error in errors:
            path = "/".join(str(p) for p in error.instance_path)
            failures.append(f"{where}: at /{path}: {error.message}")

    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            name = f"{method.upper()} {path}"
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if "example" in body:
                check(f"{name} request", body["schema"], body["example"])
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json", {})
                if "example" in content:
                    check(f"{name} {status}", content["schema"], content["example"])
            for parameter in operation.get("parameters", []):
                if "example" in parameter and "schema" in parameter:
                    check(f"{name} parameter {parameter['name']}", parameter["schema"], parameter["example"])
    print(f"{checked} examples checked, {len(failures)} do not hold")
    for failure in failures:
        print(failure)
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
