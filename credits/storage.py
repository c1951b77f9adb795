"""Private files (balance statements): under MEDIA_ROOT/private, never served by URL.

Only views that check who may see a file stream it; ``url()`` refuses, so a template can
never link to one by mistake.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="credits.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    @cached_property
    def base_location(self):
        # Read at use, so a changed MEDIA_ROOT (tests) is followed.
        return os.path.join(settings.MEDIA_ROOT, "private")

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view.")


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The storage of FileFields that hold private files (a callable keeps migrations stable)."""
    return _private_storage
