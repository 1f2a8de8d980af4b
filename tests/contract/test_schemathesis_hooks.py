"""scripts/schemathesis_hooks.py, which schemathesis.toml names: a query parameter whose pattern allows more than
schemathesis's own pinning limit still gets its boundary case (a value exactly `maxLength` long)."""

from __future__ import annotations

import re
from pathlib import Path

import schemathesis
from contract_support import schemathesis_project_config
from schemathesis import GenerationMode

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "spec" / "amazon-music-user-v1.yaml"
SCHEMATHESIS_OWN_LIMIT = 4096  # the longest pattern schemathesis 4.32 pins to one length without the hook


def test_the_project_config_names_the_hooks_module() -> None:
    assert Path(schemathesis_project_config()["hooks"]).resolve() == ROOT / "scripts" / "schemathesis_hooks.py"


def test_a_parameter_past_the_pinning_limit_gets_its_maximum_length_case() -> None:
    config = schemathesis.Config.from_dict(schemathesis_project_config())
    schema = schemathesis.openapi.from_path(SPEC_PATH, config=config)
    long_parameters = [
        (operation, parameter.name, parameter.definition["schema"])
        for operation in (result.ok() for result in schema.get_all_operations())
        for parameter in operation.query
        if parameter.definition.get("schema", {}).get("maxLength", 0) > SCHEMATHESIS_OWN_LIMIT
        and "pattern" in parameter.definition["schema"]
    ]
    assert long_parameters, "no parameter of the spec is past the limit: the hook is no longer needed"
    for operation, name, parameter_schema in long_parameters:
        cases = schema.iter_coverage_cases(
            operation,
            generation_modes=[GenerationMode.POSITIVE],
            generation_config=schema.config.generation_for(operation=operation),
        )
        values = [case.query[name] for case in cases if name in (case.query or {})]
        longest = max(values, key=len)
        assert len(longest) == parameter_schema["maxLength"], (operation.label, name, len(longest))
        assert re.fullmatch(parameter_schema["pattern"], longest)
