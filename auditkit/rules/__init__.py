"""The rules: declared in ``expectations/*.json``, run by Great Expectations, read back as findings.

- ``expression``: row-wise identities written as text (no GX)
- ``identity``: the custom expectation that evaluates them (imports GX)
- ``suites``: reading and checking suite files; building them for GX
- ``validate``: one validation run per suite over the whole batch
- ``conditions``: GX row conditions evaluated in pandas (for counts and the floor)
- ``outcomes``: results -> findings, skipped checks, per-rule counts
- ``plain``: the same rules in plain pandas (benchmark floor, cross-check)
"""
