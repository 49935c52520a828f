# 14.03.2026 and 14.03.2026 09:30, as Romanian documents write them.
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
