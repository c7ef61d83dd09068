from datetime import date

import pytest

from app.accounts.identity import (
    InvalidPersonalNumber,
    age_on,
    birth_date_of,
    birthday_on,
    is_test_number,
    luhn_check_digit,
    make_test_number,
    normalise_personal_number,
)


def test_check_digit_matches_the_known_example() -> None:
    # 811218-9876 is the example Skatteverket uses to explain the check digit.
    assert luhn_check_digit("811218987") == 6


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("811218-9876", "198112189876"),
        ("198112189876", "198112189876"),
        ("8112189876", "198112189876"),
        ("19811218-9876", "198112189876"),
    ],
)
def test_accepts_the_usual_spellings(given: str, expected: str) -> None:
    assert normalise_personal_number(given, today=date(2026, 11, 23)) == expected


@pytest.mark.parametrize(
    "bad", ["811218-9875", "19811318-9876", "811232-9870", "abc", "", "81121898761"]
)
def test_refuses_wrong_check_digit_or_impossible_dates(bad: str) -> None:
    with pytest.raises(InvalidPersonalNumber):
        normalise_personal_number(bad)


def test_plus_means_a_hundred_years_or_older() -> None:
    assert normalise_personal_number("121212+1212", today=date(2026, 1, 1)).startswith("1912")


def test_test_numbers_are_valid_and_in_the_test_series() -> None:
    number = make_test_number(date(1945, 8, 20), 985)
    assert normalise_personal_number(number) == number
    assert is_test_number(number)
    assert birth_date_of(number) == date(1945, 8, 20)
    assert not is_test_number("191212121212")
    with pytest.raises(ValueError, match="980-999"):
        make_test_number(date(1945, 8, 20), 123)


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (date(2013, 11, 24), date(2026, 11, 23), 12),
        (date(2013, 11, 23), date(2026, 11, 23), 13),
        (date(2012, 2, 29), date(2025, 2, 28), 12),
        (date(2012, 2, 29), date(2025, 3, 1), 13),
        (date(2012, 2, 29), date(2024, 2, 29), 12),
    ],
)
def test_age_counts_completed_years(birth: date, today: date, age: int) -> None:
    assert age_on(birth, today) == age


def test_leap_day_birthday_falls_on_first_of_march() -> None:
    assert birthday_on(date(2012, 2, 29), 13) == date(2025, 3, 1)
    assert birthday_on(date(2012, 2, 29), 12) == date(2024, 2, 29)
