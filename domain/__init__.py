"""The domain: plans, campaigns, timelines, rules, schedules and documents, in plain Python.

Imports nothing of the layers above it (db/, handlers/, bot/); only ``locales`` for wording.
"""
