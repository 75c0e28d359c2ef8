#!/usr/bin/env python3
"""Reference tables for salesplan's Chinese calendar (tests/events_calendar.rs).

Writes, into OUT_DIR (default tests/data/calendar):

- lunar_holidays.csv, lunar_lunarcalendar.csv: year,new_year,dragon_boat,mid_autumn
  (the Gregorian dates of lunar 1/1, 5/5 and 8/15), from the PyPI packages
  `holidays` (its Chinese lunisolar table, 1901-2100) and `LunarCalendar`
  (1900-2100).
- days_chinese_calendar.csv, days_holidays.csv: date,kind for every day that
  departs from the Monday-Friday week in the official holiday schedules of the
  State Council: kind `off` (a Monday-Friday holiday) or `workday` (a
  Saturday or Sunday made a working day, 调休), from the PyPI packages
  `chinese-calendar` (2004-2026) and `holidays` (China, 2004-2026; its
  "Day off (substituted from D)" entries name the worked weekend day D).

Usage: python3 -m venv /tmp/calenv && /tmp/calenv/bin/pip install holidays==0.109 \
    chinese-calendar==1.11.0 LunarCalendar==0.0.9
       /tmp/calenv/bin/python scripts/calendar_references.py [OUT_DIR]
"""
import csv
import datetime as dt
import re
import sys
from pathlib import Path

import chinese_calendar
import holidays
from holidays.calendars.chinese import _ChineseLunisolar
from lunarcalendar import Converter, Lunar

FIRST_OFFICIAL, LAST_OFFICIAL = 2004, 2026


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/calendar")
    out.mkdir(parents=True, exist_ok=True)

    lunisolar = _ChineseLunisolar()
    rows = []
    for year in range(1901, 2101):
        dates = [
            lunisolar.lunar_new_year_date(year)[0],
            lunisolar.dragon_boat_date(year)[0],
            lunisolar.mid_autumn_date(year)[0],
        ]
        rows.append([year] + [d.isoformat() for d in dates])
    write(out / "lunar_holidays.csv", ["year", "new_year", "dragon_boat", "mid_autumn"], rows)

    rows = []
    for year in range(1900, 2101):
        dates = [Converter.Lunar2Solar(Lunar(year, m, d, isleap=False)) for m, d in ((1, 1), (5, 5), (8, 15))]
        rows.append([year] + [dt.date(s.year, s.month, s.day).isoformat() for s in dates])
    write(out / "lunar_lunarcalendar.csv", ["year", "new_year", "dragon_boat", "mid_autumn"], rows)

    rows = []
    day = dt.date(FIRST_OFFICIAL, 1, 1)
    while day <= dt.date(LAST_OFFICIAL, 12, 31):
        work = chinese_calendar.is_workday(day)
        if day.weekday() < 5 and not work:
            rows.append([day.isoformat(), "off"])
        elif day.weekday() >= 5 and work:
            rows.append([day.isoformat(), "workday"])
        day += dt.timedelta(days=1)
    write(out / "days_chinese_calendar.csv", ["date", "kind"], rows)

    days = {}
    cn = holidays.China(years=range(FIRST_OFFICIAL, LAST_OFFICIAL + 1))
    for day, name in cn.items():
        if day.weekday() < 5:
            days[day] = "off"
        for m, d, y in re.findall(r"substituted from (\d\d)/(\d\d)/(\d{4})", name):
            days[dt.date(int(y), int(m), int(d))] = "workday"
    rows = [[d.isoformat(), k] for d, k in sorted(days.items())]
    write(out / "days_holidays.csv", ["date", "kind"], rows)


if __name__ == "__main__":
    main()
