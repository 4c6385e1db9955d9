"""The demo: the group's users, places, catalogue and envelopes (seed.py), and, for demos
and benchmarks, years of past sales written in bulk (bulk.py)."""
