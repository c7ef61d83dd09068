"""Working days, message text, and the promise markers."""

from __future__ import annotations

from datetime import date

import pytest

from app.messages.text import message_html, normalise
from app.messages.workdays import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 23), 2, date(2026, 11, 25)),  # Monday -> Wednesday
        (date(2026, 11, 27), 2, date(2026, 12, 1)),  # Friday -> Tuesday
        (date(2026, 6, 18), 2, date(2026, 6, 23)),  # Midsommarafton and Midsommardagen
        (date(2026, 12, 23), 2, date(2026, 12, 29)),  # Julafton, juldagen, annandag jul
        (date(2026, 12, 30), 1, date(2027, 1, 4)),  # Nyårsafton, nyårsdagen, a weekend
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # sent on a Saturday
    ],
)
def test_working_days_skip_weekends_and_swedish_holidays(start, days, expected) -> None:
    assert add_working_days(start, days) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 23), 0),  # answered the same day
        (date(2026, 11, 27), date(2026, 11, 30), 1),  # Friday -> Monday
        (date(2026, 11, 28), date(2026, 11, 29), 0),  # Saturday -> Sunday: no working day yet
        (date(2026, 11, 28), date(2026, 11, 30), 1),  # Saturday -> Monday
        (date(2026, 12, 18), date(2026, 12, 28), 4),  # over Julafton and juldagen
        (date(2026, 12, 23), date(2026, 12, 29), 2),  # add_working_days(23 Dec, 2) is 29 Dec
    ],
)
def test_working_days_between_count_those_after_the_start(start, end, expected) -> None:
    assert working_days_between(start, end) == expected


def test_holidays_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 6, 19))  # Midsommarafton
    assert not is_working_day(date(2026, 12, 24))  # Julafton
    assert not is_working_day(date(2026, 1, 6))  # Trettondedag jul
    assert is_working_day(date(2026, 6, 22))


def test_message_text_is_escaped_and_only_https_links_are_clickable() -> None:
    html = str(
        message_html(
            "<b>Hej</b> <script>x</script>\nhttps://1177.se/a?b=1&c=2 "
            "http://plain.example javascript:alert(1)"
        )
    )
    assert "<b>" not in html
    assert "&lt;script&gt;" in html
    assert '<a href="https://1177.se/a?b=1&amp;c=2" rel="noopener noreferrer nofollow"' in html
    assert 'href="http://plain.example' not in html
    assert "javascript:alert(1)" in html  # shown as text
    assert 'href="javascript' not in html
    assert "\n" in html  # line breaks kept (shown with white-space: pre-wrap)


def test_normalise_keeps_line_breaks_and_trims() -> None:
    assert normalise("  Hej\r\nKarin\r\n\r\n ") == "Hej\nKarin"
