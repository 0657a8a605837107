"""Shared test settings.

Hypothesis: no deadline (the first example pays numpy's warm-up), a modest default number of
examples (tests that need a different count say so), no example database, and its storage folder in
the system temporary folder, so a test run writes nothing into the repository tree. A failure
prints the ``@reproduce_failure`` blob to replay it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings

# Hypothesis caches what it learns (e.g. the constants of the code under test) in a storage folder,
# by default ./.hypothesis; keep it out of the repository tree unless the caller chose one.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "convanim-hypothesis"))

settings.register_profile(
    "convanim",
    deadline=None,
    max_examples=80,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("convanim")
