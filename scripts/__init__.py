"""Tooling shared by `make`, the tests and the benchmarks: the local servers (`devserver`),
the pulumi runner (`stack`), the throwaway project driver (`project`) and the recording,
fault-injecting proxy (`proxy`). Run from the repository root, as ``python -m`` or ``python scripts/…``."""
