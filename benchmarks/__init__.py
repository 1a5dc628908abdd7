"""`make bench`: what livekit-sip costs, next to a bare request and to the official SDK.

Run with `python -m benchmarks.run`; see `benchmarks.run` for the options.
"""
