# 14 Mar 2026 and 14 Mar 2026 09:30: unambiguous for partners who read the
# portal in English, wherever they are (Django's default is the US 03/14/2026).
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
