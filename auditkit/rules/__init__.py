"""The rules: declared in ``expectations/*.json``, run by Great Expectations, read back as findings.

- ``expression``: row-wise identities written as text (no GX)
- ``suites``: reading, checking and writing suite files (no GX)
- ``gx``: everything Great Expectations: the custom expectation, the context, suites built and run
- ``validate``: one validation run per suite over the whole batch (through ``gx``)
- ``conditions``: GX row conditions evaluated in pandas (for counts and the floor)
- ``outcomes``: results -> findings, skipped checks, per-rule counts
- ``plain``: the same rules in plain pandas (benchmark floor, cross-check)
"""
