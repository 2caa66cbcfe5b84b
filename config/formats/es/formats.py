"""Spanish formats: day, month abbreviation, year ("9 abr 2000"), never a numeric month.

"b" is the month's lower-case abbreviation, as Spanish writes it ("M" would
capitalise it). Decimal comma and a point between thousands ("1.234,5").
"""

DATE_FORMAT = "j b Y"
SHORT_DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
SHORT_DATETIME_FORMAT = "j b Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F \\d\\e Y"
MONTH_DAY_FORMAT = "j \\d\\e F"
FIRST_DAY_OF_WEEK = 1  # lunes

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
