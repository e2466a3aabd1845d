"""The team lead's review: statistics, the call log browser, a call's story, QA scorecards
and the complaint handbook, over the documented schema (docs/schema.md, docs/metrics.md).

Qt-free and read-only over calls: the only writes are QA evaluations, in their own table.
"""
