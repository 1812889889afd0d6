"""Saved ride searches and alerts: a passenger keeps a search ("Lorient → Vannes, weekdays,
07:30–08:30") and is told, once per ride, when a driver publishes one that it would find.

Matching runs in a job (`jobs.py`) over the rides published or extended since its last look,
so publishing a ride stays fast.
"""
