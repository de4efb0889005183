"""How long a patient will wait: measured from today's service times, per department.

The estimate for someone joining a queue with `n` people ahead is

    n × service time ÷ counters

where *service time* is the median call-to-complete time of the department's last
`SAMPLE` completed tickets today (at least `MIN_SAMPLE` of them; before that the default
`DEFAULT_SERVICE_MINUTES`), and *counters* is the number of distinct rooms/counters that
called a ticket of the department in the last `ACTIVE_WINDOW` (at least 1). The median
ignores the odd patient who took an hour; the window follows counters opening and closing
during the day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy.orm import Session

from yteso.registration import repository

DEFAULT_SERVICE_MINUTES = 6.0
SAMPLE = 20
MIN_SAMPLE = 3
ACTIVE_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class ServiceRate:
    service_minutes: float
    measured: bool
    counters: int

    def wait_minutes(self, people_ahead: int) -> int:
        return math.ceil(people_ahead * self.service_minutes / self.counters)


def service_rates(
    session: Session, facility_code: str, day: date, now: datetime
) -> dict[str, ServiceRate]:
    """The rate of every department of the facility with a measurement or an active counter
    (two queries, whatever the number of departments); others use `default_rate()`."""
    seconds = repository.recent_service_seconds(session, facility_code, day, SAMPLE)
    counters = repository.active_counters(session, facility_code, now - ACTIVE_WINDOW)
    rates = {}
    for department in seconds.keys() | counters.keys():
        measured = seconds.get(department, [])
        active = max(1, counters.get(department, 0))
        if len(measured) < MIN_SAMPLE:
            rates[department] = ServiceRate(DEFAULT_SERVICE_MINUTES, False, active)
        else:
            rates[department] = ServiceRate(round(median(measured) / 60, 1), True, active)
    return rates


def default_rate() -> ServiceRate:
    return ServiceRate(DEFAULT_SERVICE_MINUTES, False, 1)


def service_rate(
    session: Session, facility_code: str, department_code: str, day: date, now: datetime
) -> ServiceRate:
    return service_rates(session, facility_code, day, now).get(department_code, default_rate())
