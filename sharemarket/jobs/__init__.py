"""Scheduled jobs: each a function of `now`, safe to run twice, listed as data.

Features list their jobs in `sharemarket/<feature>/jobs.py` as `JOBS = [Job(...), ...]`;
`flask jobs run-once` and `flask jobs serve` run them all. Web workers never run jobs.
"""
