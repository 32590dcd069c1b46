"""Demo data for ``manage.py seed_demo``: the logic lives in ``catalog.demo.seed``."""
