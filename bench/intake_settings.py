"""Settings of bench/event_intake.py's gunicorn: production's, with a URL conf that adds the
bare insert view the bench compares against. Never used outside the bench."""

from gridgov.config.settings import *  # noqa: F403

ROOT_URLCONF = "intake_urls"
