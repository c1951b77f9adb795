# Spanish business documents group thousands with a dot: 1.234,50 € (Django's own
# Spanish format uses a non-breaking space). Dates: one short and one long format, used by
# every page, email and PDF, the same shape as English (helpdesk/formats/en/formats.py).
from django.conf.locale.es.formats import *  # noqa: F403

THOUSAND_SEPARATOR = "."
DATE_FORMAT = r"j \d\e F \d\e Y"  # 1 de diciembre de 2026
SHORT_DATE_FORMAT = "d/m/Y"  # 01/12/2026
DATETIME_FORMAT = r"j \d\e F \d\e Y \a \l\a\s H:i"  # 1 de diciembre de 2026 a las 15:30
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 01/12/2026 15:30
TIME_FORMAT = "H:i"
