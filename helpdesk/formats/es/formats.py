# Spanish business documents group thousands with a dot: 1.234,50 € (Django's own
# Spanish format uses a non-breaking space).
from django.conf.locale.es.formats import *  # noqa: F403

THOUSAND_SEPARATOR = "."
