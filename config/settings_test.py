"""Test settings: the production settings with fast hashing and tasks run in-process."""

import os

from .settings import *  # noqa: F403
from .settings import TASKS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {
    **TASKS,
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    # Tests of the worker path use this one explicitly.
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared-cache in-memory database: in shared-cache mode SQLite answers
    # "table is locked" at once instead of waiting, so tests of concurrent writers (real threads,
    # as in production) could not see the busy-timeout and IMMEDIATE behaviour we rely on.
    # Durability does not matter for a throwaway test database, so skip the fsyncs.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("TEST_SQLITE_NAME") or str(VAR_DIR / "test.sqlite3")  # noqa: F405
    }
    DATABASES["default"]["OPTIONS"]["init_command"] = (  # noqa: F405
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA busy_timeout=20000;"
        " PRAGMA foreign_keys=ON;"
    )
