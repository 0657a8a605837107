"""Shared test settings.

Hypothesis: no deadline (the first example pays numpy's warm-up), a modest default number of
examples, and no example database, so a test run writes nothing into the repository tree.
Set ``HYPOTHESIS_PROFILE=thorough`` for a longer search.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    deadline=None,
    max_examples=80,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=1000,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
