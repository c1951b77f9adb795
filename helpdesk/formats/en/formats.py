# English as in Spain and the UK (en-GB): day first, 24-hour clock. One short and one long
# format, used by every page, email and PDF (templates name them: SHORT_DATE_FORMAT...).
# A 12-hour "p.m." would end a sentence with a doubled period ("at 3 p.m..").
# https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date
from django.conf.locale.en_GB.formats import *  # noqa: F403

DATE_FORMAT = "j F Y"  # 1 December 2026
SHORT_DATE_FORMAT = "d/m/Y"  # 01/12/2026
DATETIME_FORMAT = "j F Y, H:i"  # 1 December 2026, 15:30
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 01/12/2026 15:30
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
