"""A bounded schemathesis run over /api/v1/openapi.json: every operation gets cases made
from its own schema (and beyond it: schemathesis also sends what the schema refuses), as
the admin (whose role reaches every view) and as nobody. Not one may answer 5xx
(CONTRACT.md: "a 5xx is always a bug"). Deterministic: hypothesis derandomized, no example
database. `make fuzz` runs the same with many more cases (KIOSK_FUZZ_EXAMPLES)."""

from __future__ import annotations

import os
import time
from collections import Counter

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.conftest import api_login

# Cases per operation and role: a few hundred in all within make test.
EXAMPLES = int(os.environ.get("KIOSK_FUZZ_EXAMPLES", "6"))


def fuzz(app, client, headers: dict[str, str], examples: int) -> tuple[Counter, list[str]]:
    """Every operation of the schema, `examples` cases each: the statuses seen and the
    cases that answered 5xx (or raised), as 'METHOD path → status'."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash answers 500, as in production
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    statuses: Counter = Counter()
    broken: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        # cases that fit the schema, and cases that break it on purpose (wrong types,
        # values out of range, missing fields): both must get a 2xx or a clear 4xx
        @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                              operation.as_strategy(GenerationMode.NEGATIVE)))
        def one(case) -> None:
            # through the test client: each request in an app context of its own
            response = client.open(**case.as_transport_kwargs(headers=headers))
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                broken.append(f"{case.method} {case.formatted_path} → "
                              f"{response.status_code} {response.get_data(as_text=True)[:200]}")

        one()
    return statuses, broken


def test_no_operation_answers_5xx(demo, client, app):
    started = time.monotonic()
    admin = fuzz(app, client, api_login(client, "Admin", "1234"), EXAMPLES)
    nobody = fuzz(app, client, {}, max(EXAMPLES // 2, 1))
    elapsed = time.monotonic() - started
    cases = sum(admin[0].values()) + sum(nobody[0].values())
    print(f"\nschemathesis: {cases} cases in {elapsed:.1f} s, "
          f"statuses {dict(sorted((admin[0] + nobody[0]).items()))}")
    assert admin[1] + nobody[1] == []
    assert nobody[0][401] > 0 and admin[0][200] + admin[0][201] > 0  # it did reach the views
    assert cases >= 100
