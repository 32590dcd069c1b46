"""The demo data set behind ``manage.py seed_demo`` (``make demo``).

The top layer: it may import every app, no app imports it. ``demo.seed`` holds one module per
domain; ``demo.management.commands.seed_demo`` runs them in order and prints the logins.
"""
