"""Hypothesis profiles for the hostile-manifest fuzzing (``test_loader_fuzz.py``).

- ``ci`` (what the fuzz tests use unless another profile is chosen): about 10,800 generated
  manifests over the fuzz tests, derandomised so every run tries the same ones; under two
  minutes on the 2-core machine.
- ``deep``: 100,000 examples per weight unit (about 540,000 manifests), random each run:
  ``pytest tests/security/test_loader_fuzz.py --hypothesis-profile=deep``.

No test here has a deadline: each checks its own time per document instead. The fuzz tests
add up how many manifests they parsed and how long that took; the figures are printed at the
end of the run (without ``-n``; ``bench/fuzz_loader.py`` measures throughput on its own).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings

_COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                              HealthCheck.filter_too_much, HealthCheck.large_base_example],
}
settings.register_profile("ci", max_examples=2_000, derandomize=True, print_blob=True,
                          **_COMMON)
settings.register_profile("deep", max_examples=100_000, **_COMMON)

FUZZ_PROFILES = ("ci", "deep")
FUZZ_STATS: dict[str, float] = {"manifests": 0, "seconds": 0.0}
"""Manifests parsed by the fuzz tests in this process, and the seconds spent parsing them."""


def fuzz_settings(weight: float, **changes: Any) -> settings:
    """Settings for one fuzz test: the chosen profile (``ci`` unless ``deep`` was loaded) with
    ``max_examples`` scaled by ``weight``."""
    current = settings.get_current_profile_name()
    profile = settings.get_profile(current if current in FUZZ_PROFILES else "ci")
    return settings(profile, max_examples=max(1, int(profile.max_examples * weight)),
                    **changes)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print how many hostile manifests the fuzz tests parsed, and how fast."""
    count, seconds = int(FUZZ_STATS["manifests"]), FUZZ_STATS["seconds"]
    if count:
        terminalreporter.write_line(
            f"hostile-manifest fuzzing: {count:,} manifests parsed in {seconds:.1f} s "
            f"({count / seconds:,.0f} manifests/s, parsing only)")
